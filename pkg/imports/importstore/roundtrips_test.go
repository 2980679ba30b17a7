package importstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/x12/x12test"
	"github.com/stretchr/testify/require"
)

// Applying an 835 costs what its remittances cost, not what their claims
// do: the statements grow by the same amount for each claim added, and
// that amount is held to its ceiling. The large file holds three
// remittances (x12test.ClaimsPerCheck claims each at most) to the small
// one's one, and three claims in four have a claim follow-up (assigned,
// waiting for its owner, waiting for routing), so that every way a
// payment changes follow-up work is paid for: resolved, raised, recalled,
// created, noted. One statement per claim for even a tenth of the claims
// would break the ceiling. Applied claim by claim, it cost 5.9
// statements per claim here on both databases (4.55 without the
// follow-ups); a remittance's claims applied together cost 0.025.
func TestApplying835CostsAFixedNumberOfStatementsPerClaim(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		bb := setup(t, db)
		apply := func(npi string, claims int) int64 {
			pid := bb.practiceB(t, npi)
			seedClaims(t, db, pid, claims)
			seedFollowups(t, db, pid)
			var file bytes.Buffer
			_, err := x12test.Generate835(&file, claims, 1)
			require.NoError(t, err)
			ctx := sqldb.WithPractice(context.Background(), pid)
			imp, err := bb.svc.Submit(ctx, imports.Upload{PracticeID: pid, Kind: "era835", Filename: "era.edi", CreatedBy: "u",
				Content: bytes.NewReader(file.Bytes()), Size: int64(file.Len())})
			require.NoError(t, err)
			before := db.Counts()
			require.NoError(t, bb.svc.Run(ctx, imp.ID))
			spent := db.Counts().Sub(before).Statements
			got, err := bb.svc.Get(ctx, imp.ID)
			require.NoError(t, err)
			require.Equal(t, claims, got.RowsApplied)
			return spent
		}
		const smallClaims, largeClaims = 20, 2*x12test.ClaimsPerCheck + 20
		small, large := apply("1234567893", smallClaims), apply("1245319599", largeClaims)
		perClaim := float64(large-small) / (largeClaims - smallClaims)
		t.Logf("%s: %.3f statements per claim (%d for %d claims, %d for %d)", db.Dialect, perClaim, small, smallClaims, large, largeClaims)
		require.LessOrEqual(t, perClaim, 0.1, "statements per claim (%d for %d claims, %d for %d)", small, smallClaims, large, largeClaims)
	})
}

// seedFollowups gives the practice's claims GEN-… claim follow-ups by
// their number k: none when k%4 is 0, assigned to an agent when 1,
// waiting for the agent's next call when 2, waiting and nobody's when 3.
func seedFollowups(t testing.TB, db *sqldb.DB, practiceID string) {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	now := time.Now().UTC()
	next := now.Add(20 * 24 * time.Hour)
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		type claim struct{ id, patient, number string }
		var claims []claim
		rows, err := tx.QueryContext(ctx, `SELECT id, patient_id, external_id FROM claims WHERE practice_id = $1 ORDER BY external_id`, practiceID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c claim
			if err := rows.Scan(&c.id, &c.patient, &c.number); err != nil {
				rows.Close()
				return err
			}
			claims = append(claims, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		p := db.Dialect.Param
		var q strings.Builder
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, q.String(), args...)
			q.Reset()
			args = args[:0]
			return err
		}
		for _, c := range claims {
			var k int
			if _, err := fmt.Sscanf(c.number, "GEN-%d", &k); err != nil {
				return err
			}
			state, owner, nextContact := "assigned", any("agent-a"), any(nil)
			switch k % 4 {
			case 0:
				continue
			case 2:
				state, nextContact = "waiting", next
			case 3:
				state, owner, nextContact = "waiting", nil, next
			}
			if len(args) == 0 {
				q.WriteString(`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, next_contact_at,
due_at, created_at, updated_at) VALUES `)
			} else {
				q.WriteString(", ")
			}
			i := len(args)
			fmt.Fprintf(&q, "(%s, %s, %s, 'claim_followup', 'claim', %s, %s, %s, %s, %s, %s, %s)",
				p(i+1), p(i+2), p(i+3), p(i+4), p(i+5), p(i+6), p(i+7), p(i+8), p(i+9), p(i+10))
			args = append(args, "wi-"+c.id, practiceID, c.patient, c.id, state, owner, nextContact, now, now, now)
			if len(args) >= 500*10 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	}))
}
