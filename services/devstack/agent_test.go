package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The agent's cycle on the demo data: queue, next, the item view (exactly
// the kind's fields, one audit event), an outcome that must carry its next
// contact date, and a stale write refused.
func TestAgentCycle(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			b := setup(t, dbURL)
			ctx := context.Background()
			db := b.stack.DB
			waitRouted(t, b)
			alice, bob := bearer(b.token(t, "alice")), bearer(b.token(t, "bob"))
			// Quiet hours well away from now, so only the rules the test
			// sets below can hold an item.
			chicago, err := time.LoadLocation("America/Chicago")
			require.NoError(t, err)
			local := time.Now().In(chicago)
			rules := fmt.Sprintf(`{"version":0,"policy":{"quiet_start":%q,"quiet_end":%q,"max_contacts_per_week":14,"channels":["call","text","email","statement","final_notice"],"text_consent_required":false}}`,
				local.Add(6*time.Hour).Format("15:04"), local.Add(7*time.Hour).Format("15:04"))
			var me struct {
				Memberships []struct {
					PracticeID string `json:"practice_id"`
				} `json:"memberships"`
			}
			pat := bearer(b.token(t, "pat"))
			b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
			res := b.api.Do("PUT", "/api/v1/practices/"+me.Memberships[0].PracticeID+"/policies/contact", rules, pat...)
			require.Equal(t, 200, res.Code, string(res.Body))

			var queue struct {
				Items []struct {
					ItemID string `json:"item_id"`
					Kind   string `json:"kind"`
				} `json:"items"`
				Counts map[string]int `json:"counts"`
			}
			res = b.api.Do("GET", "/api/v1/work/queue", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &queue)
			require.Greater(t, len(queue.Items), 1)
			for _, k := range phiKeys {
				require.NotContains(t, string(res.Body), k, "the queue carries no patient data")
			}

			// The first patient-facing item's patient asks not to be
			// contacted: the queue says so, and next passes the item over.
			// (Claim and eligibility work talks to payers, which the rule
			// does not limit.)
			top := ""
			for _, it := range queue.Items {
				if it.Kind != string(policy.ClaimFollowup) && it.Kind != string(policy.EligibilityCheck) {
					top = it.ItemID
					break
				}
			}
			require.NotEmpty(t, top)
			require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE patients SET do_not_contact = TRUE WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, top)
				return err
			}))
			var held struct {
				Items []struct {
					ItemID string `json:"item_id"`
					Hold   *struct {
						Code string `json:"code"`
					} `json:"hold"`
				} `json:"items"`
			}
			res = b.api.Do("GET", "/api/v1/work/queue", "", alice...)
			res.JSON(t, &held)
			holds := map[string]string{}
			for _, it := range held.Items {
				if it.Hold != nil {
					holds[it.ItemID] = it.Hold.Code
				}
			}
			require.Equal(t, "do_not_contact", holds[top])

			var started struct {
				ItemID  string      `json:"item_id"`
				Kind    policy.Kind `json:"kind"`
				Version int         `json:"version"`
			}
			res = b.api.Do("POST", "/api/v1/work/next", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &started)
			require.NotEqual(t, top, started.ItemID, "next passes over a held item")
			require.Empty(t, holds[started.ItemID], "and starts a workable one")

			view := "/api/v1/work/items/" + started.ItemID
			res = b.api.Do("GET", view, "", append(alice, "X-Request-ID", "cycle-view")...)
			require.Equal(t, 200, res.Code, string(res.Body))
			var item struct {
				Patient map[string]any `json:"patient"`
			}
			res.JSON(t, &item)
			want := access.FieldsOf(access.KindGroups[started.Kind])
			require.Equal(t, slices.Sorted(slices.Values(want)), slices.Sorted(maps.Keys(item.Patient)), "exactly the kind's field set")
			var events int
			require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE body LIKE '%cycle-view%'`).Scan(&events))
			require.Equal(t, 1, events, "one audit event per view")

			res = b.api.Do("GET", view, "", bob...)
			require.Equal(t, 403, res.Code, "bob has the grant but not the item")
			require.Contains(t, string(res.Body), `"no_owned_work_item"`)

			outcomes := view + "/outcomes"
			res = b.api.Do("POST", outcomes, fmt.Sprintf(`{"channel":"call","outcome":"voicemail","version":%d}`, started.Version), alice...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"next_contact_at"`)
			next := time.Now().UTC().AddDate(0, 0, 3).Format(time.RFC3339)
			body := fmt.Sprintf(`{"channel":"call","outcome":"voicemail","note":"left a message","next_contact_at":%q,"version":%d}`, next, started.Version)
			res = b.api.Do("POST", outcomes, body, alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res = b.api.Do("POST", outcomes, body, alice...)
			require.Equal(t, 409, res.Code, "the same version twice is a stale write")
			res = b.api.Do("POST", outcomes, body, bob...)
			require.Equal(t, 403, res.Code)

			// Notes, and a hand-off to bob, whom the same grant covers.
			res = b.api.Do("POST", view+"/notes", `{"note":"prefers mornings"}`, alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res = b.api.Do("POST", view+"/notes", `{"note":"not my item"}`, bob...)
			require.Equal(t, 403, res.Code)
			require.Contains(t, string(res.Body), `"not_your_item"`)
			var bobID string
			require.NoError(t, db.QueryRowContext(ctx, `SELECT id FROM users WHERE subject = 'dev-bob'`).Scan(&bobID))
			res = b.api.Do("POST", view+"/handoff", fmt.Sprintf(`{"to":%q,"note":"over to you","version":%d}`, bobID, started.Version+1), alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			require.Contains(t, string(res.Body), bobID)
			res = b.api.Do("GET", view, "", bob...)
			require.Equal(t, 200, res.Code, "bob works it now")
		})
	}
}
