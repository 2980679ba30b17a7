package auditstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The scan returns exactly the events an anomaly rule can use, in the
// window and scope asked for, oldest first.
func TestScanForAnomaliesSelectsCandidates(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		store := auditstore.New(db)
		start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		mk := func(id string, at time.Duration, change func(*audit.Event)) audit.Event {
			e := audit.Event{
				ID: id, Time: start.Add(at),
				Actor:  audit.Actor{Issuer: "https://idp", Subject: "alice", Role: audit.AgentRole},
				Action: audit.ActionRead, Outcome: audit.OutcomeAllow,
				PracticeID: "prac-1", PatientIDs: []string{"pat-1"}, WorkItemID: "wi-1",
			}
			if change != nil {
				change(&e)
			}
			return e
		}
		events := []audit.Event{
			mk("read", time.Hour, nil),
			mk("before-window", -time.Hour, nil),
			mk("at-window-end", 24*time.Hour, nil),
			mk("denied", 2*time.Hour, func(e *audit.Event) { e.Outcome = audit.OutcomeDeny }),
			mk("no-patient", 3*time.Hour, func(e *audit.Event) { e.PatientIDs = nil }),
			mk("login", 4*time.Hour, func(e *audit.Event) { e.Action, e.PatientIDs = audit.ActionLogin, nil }),
			mk("opened", 5*time.Hour, func(e *audit.Event) { e.Action, e.BreakGlass = audit.ActionBreakGlass, true }),
			mk("reviewed", 6*time.Hour, func(e *audit.Event) { e.Action, e.BreakGlass = audit.ActionUpdate, true }),
			// The flag's text inside a value is not the flag.
			mk("lookalike", 7*time.Hour, func(e *audit.Event) {
				e.Action, e.PatientIDs, e.Purpose = audit.ActionUpdate, nil, `"break_glass":true`
			}),
			mk("other-practice", 8*time.Hour, func(e *audit.Event) { e.PracticeID = "prac-2" }),
			mk("no-practice", 9*time.Hour, func(e *audit.Event) { e.PracticeID = "" }),
		}
		require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error { return store.Append(ctx, tx, events) }))

		scan := func(q auditstore.AnomalyScan) []string {
			var ids []string
			require.NoError(t, store.ScanForAnomalies(ctx, q, func(e audit.Event) error {
				ids = append(ids, e.ID)
				return nil
			}))
			return ids
		}
		window := auditstore.AnomalyScan{From: start, To: start.Add(24 * time.Hour)}
		require.Equal(t, []string{"read", "opened", "reviewed", "other-practice", "no-practice"}, scan(window))

		one := window
		one.PracticeID = "prac-2"
		require.Equal(t, []string{"other-practice"}, scan(one))

		admin := window
		admin.Practices = []string{"prac-1"}
		require.Equal(t, []string{"read", "opened", "reviewed"}, scan(admin), "a practice scope never shows events of no practice")

		none := window
		none.Practices = []string{}
		require.Empty(t, scan(none))

		require.Error(t, store.ScanForAnomalies(ctx, auditstore.AnomalyScan{}, func(audit.Event) error { return nil }))
	})
}
