package msgstore_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// recalls writes n recall items of the agent, created at t0, for patients
// who agreed to texts; the first `noConsent` did not.
func recalls(t *testing.T, db *sqldb.DB, n, noConsent int) {
	for i := range n {
		exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, phone, text_consent, created_at, updated_at)
VALUES ($1, $2, $1, 'Sam', 'Lee', '1980-01-01', $3, $4, $5, $5)`, fmt.Sprintf("pt-r%03d", i), practiceID, fmt.Sprintf("+1512555%04d", 2000+i), i >= noConsent, t0)
		exec(t, db, `INSERT INTO recalls (id, practice_id, patient_id, external_id, recall_type, due_date, created_at, updated_at)
VALUES ($1, $2, $3, $1, 'hygiene', '2026-04-01', $4, $4)`, fmt.Sprintf("rc-%03d", i), practiceID, fmt.Sprintf("pt-r%03d", i), t0)
		exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at)
VALUES ($1, $2, $3, 'recare', 'recall', $4, 'assigned', $5, 1, $6, $6, $6)`, fmt.Sprintf("wi-r%03d", i), practiceID, fmt.Sprintf("pt-r%03d", i),
			fmt.Sprintf("rc-%03d", i), agent, t0)
	}
}

// The cadence's first recall step is a text: with automatic steps on,
// the sweep sends it for every patient the rules allow, moves each item
// to wait for its next step (a call, three days on) with a timer, and
// counts the rest as held. A second sweep sends nothing more.
func TestSweepSendsDueTextSteps(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		recalls(t, db, 12, 2)
		store := msgstore.New(db, nil)
		ctx := context.Background()
		ids, err := store.AutomaticPractices(ctx)
		require.NoError(t, err)
		require.Empty(t, ids, "automatic steps are off until a practice turns them on")
		exec(t, db, `INSERT INTO message_settings (practice_id, automatic, updated_at) VALUES ($1, true, $2)`, practiceID, t0)

		got, err := w.svc.Sweep(ctx)
		require.NoError(t, err)
		require.Equal(t, message.SweepReport{Sent: 10, Held: 2}, got[practiceID])
		again, err := w.svc.Sweep(ctx)
		require.NoError(t, err)
		require.Equal(t, 0, again[practiceID].Sent)

		var waiting, steps, activities, queued, deliveries, timers int
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT
(SELECT COUNT(*) FROM work_items WHERE kind = 'recare' AND state = 'waiting'),
(SELECT COUNT(*) FROM work_items WHERE kind = 'recare' AND cadence_step = 1),
(SELECT COUNT(*) FROM activities WHERE actor_id = 'system' AND channel = 'text' AND outcome = 'sent'),
(SELECT COUNT(*) FROM patient_messages WHERE state = 'queued' AND template_key = 'recall_due' AND body LIKE '%due in April 2026%'),
(SELECT COUNT(*) FROM outbox WHERE task_type = 'message:deliver'),
(SELECT COUNT(*) FROM outbox WHERE task_type = 'workitem:due')`,
			Row: func(r sqldb.Scanner) error {
				return r.Scan(&waiting, &steps, &activities, &queued, &deliveries, &timers)
			}}))
		require.Equal(t, []int{10, 10, 10, 10, 10, 10}, []int{waiting, steps, activities, queued, deliveries, timers})
	})
}
