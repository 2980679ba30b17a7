package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// era835 writes a one-payment 835 for the given CLP segments (and what
// follows each), with correct envelope counts.
func era835(claims ...string) string {
	body := []string{"BPR*I*100*C*ACH************20260301", "TRN*1*EFT7781*1999999999", "N1*PR*DELTA DENTAL", "N1*PE*LAKESIDE*XX*1234567893", "LX*1"}
	for _, c := range claims {
		body = append(body, strings.Split(c, "~")...)
	}
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*PAYER          *ZZ*BACKDESK       *260301*1200*^*00501*000000777*0*P*:~")
	b.WriteString("GS*HP*PAYER*BACKDESK*20260301*1200*777*X*005010X221A1~ST*835*0001~")
	b.WriteString(strings.Join(body, "~") + "~")
	fmt.Fprintf(&b, "SE*%d*0001~GE*1*777~IEA*1*000000777~", len(body)+2)
	return b.String()
}

// A payer's 835 uploaded by the practice resolves one of alice's claim
// follow-ups and brings another back as denied, with the payer's history
// on her item view.
func TestRemittanceReachesTheAgent(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			db := b.stack.DB
			waitRouted(t, b)
			var aliceID string
			require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM users WHERE subject = 'dev-alice'`).Scan(&aliceID))
			type claimItem struct{ item, claim, practice string }
			var items []claimItem
			require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT w.id, c.external_id, w.practice_id FROM work_items w JOIN claims c ON c.id = w.subject_id
WHERE w.kind = 'claim_followup' AND w.owner_id = $1 ORDER BY w.id LIMIT 2`, aliceID)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var ci claimItem
					if err := rows.Scan(&ci.item, &ci.claim, &ci.practice); err != nil {
						return err
					}
					items = append(items, ci)
				}
				return rows.Err()
			}))
			require.Len(t, items, 2, "alice works two claim follow-ups")
			paid, denied := items[0], items[1]

			file := era835(
				fmt.Sprintf("CLP*%s*1*200*160*40*12*PCN-A~CAS*CO*45*0~CAS*PR*2*40", paid.claim),
				fmt.Sprintf("CLP*%s*4*150*0*0*12*PCN-B~CAS*CO*29*150", denied.claim),
			)
			pat, alice := b.token(t, "pat"), bearer(b.token(t, "alice"))
			w := b.upload(t, "/api/v1/practices/"+paid.practice+"/imports", pat, map[string]string{"kind": "era835"}, file)
			require.Equal(t, 202, w.Code, w.Body.String())
			done := waitImport(t, b, w.Header().Get("Location"), pat)
			require.Equal(t, "succeeded", done["state"], "%v", done)
			require.EqualValues(t, 2, done["rows_applied"])

			var queue struct {
				Items []struct {
					ItemID string `json:"item_id"`
					Stage  string `json:"stage"`
				} `json:"items"`
			}
			res := b.api.Do("GET", "/api/v1/work/queue?kind=claim_followup", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &queue)
			stages := map[string]string{}
			for _, it := range queue.Items {
				stages[it.ItemID] = it.Stage
			}
			require.NotContains(t, stages, paid.item, "the paid claim's follow-up is resolved")
			require.Equal(t, "denied", stages[denied.item])

			var view struct {
				StageReason  string `json:"stage_reason"`
				PayerHistory []struct {
					Source  string `json:"source"`
					Summary string `json:"summary"`
				} `json:"payer_history"`
				LastPayerResponse *struct {
					Summary string `json:"summary"`
				} `json:"last_payer_response"`
				TalkingPoints []string `json:"talking_points"`
			}
			res = b.api.Do("GET", "/api/v1/work/items/"+denied.item, "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &view)
			require.Contains(t, view.StageReason, "CO-29")
			require.Len(t, view.PayerHistory, 1)
			require.Equal(t, "remittance_835", view.PayerHistory[0].Source)
			require.NotNil(t, view.LastPayerResponse)
			require.Contains(t, view.LastPayerResponse.Summary, "denied")
			require.Contains(t, strings.Join(view.TalkingPoints, " "), "denial reasons")
		})
	}
}
