package work_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/stretchr/testify/require"
)

type deskBundle struct {
	db   *sqldb.DB
	desk *work.Desk
	now  time.Time
}

// setupDesk makes an active practice with two patients, one of whom asked
// not to be contacted, and balance follow-ups assigned to agent-1: the
// do-not-contact patient's item first by priority.
func setupDesk(t *testing.T, db *sqldb.DB) deskBundle {
	t.Helper()
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC) // 10:00 in New York: no quiet hours
	exec := func(q string, args ...any) {
		require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), "0190d000-0000-7000-8000-00000000000d"), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(context.Background(), q, args...)
			return err
		}))
	}
	exec(`INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('0190d000-0000-7000-8000-00000000000d', 'D', '1', 'America/New_York', 'active', $1, $1)`, now)
	for i, dnc := range []bool{true, false} {
		exec(`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, do_not_contact, created_at, updated_at)
VALUES ($1, '0190d000-0000-7000-8000-00000000000d', $1, 'A', 'B', '1980-01-01', $2, $3, $3)`, fmt.Sprintf("pt-%d", i), dnc, now)
		exec(`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at)
VALUES ($1, '0190d000-0000-7000-8000-00000000000d', $2, 'balance_followup', 'balance', $1, 'assigned', 'agent-1', $3, $4, $4, $4)`,
			fmt.Sprintf("wi-%d", i), fmt.Sprintf("pt-%d", i), 100-i, now)
	}
	practices := practice.NewService(practicestore.New(db, auditstore.New(db)), func() time.Time { return now }, nil)
	return deskBundle{db: db, now: now, desk: work.NewDesk(workstore.New(db, auditstore.New(db)), practices, func() time.Time { return now })}
}

func TestQueueSaysWhatHoldsAnItemBack(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDesk(t, db)
		entries, err := b.desk.Queue(context.Background(), "agent-1", work.QueueFilter{})
		require.NoError(t, err)
		require.Len(t, entries, 2)
		require.Equal(t, "wi-0", entries[0].ID, "by priority")
		require.NotNil(t, entries[0].Hold, "the patient asked not to be contacted")
		require.Equal(t, "do_not_contact", entries[0].Hold.Code)
		require.Nil(t, entries[0].Hold.WorkableAt, "time does not cure it")
		require.Nil(t, entries[1].Hold)

		filtered, err := b.desk.Queue(context.Background(), "agent-1", work.QueueFilter{PracticeID: "pr-other"})
		require.NoError(t, err)
		require.Empty(t, filtered)
	})
}

func TestNextPassesOverHeldItems(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDesk(t, db)
		ctx := context.Background()
		s, ok, err := b.desk.Next(ctx, "agent-1")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "wi-1", s.ID, "the higher-priority item may not be worked now")
		require.Equal(t, b.now.Add(work.Lease), s.LeaseUntil)

		_, ok, err = b.desk.Next(ctx, "agent-1")
		require.NoError(t, err)
		require.False(t, ok, "the only other item is held")

		until, err := b.desk.Heartbeat(ctx, "0190d000-0000-7000-8000-00000000000d", s.ID, "agent-1")
		require.NoError(t, err)
		require.Equal(t, b.now.Add(work.Lease), until)
		_, err = b.desk.Heartbeat(ctx, "0190d000-0000-7000-8000-00000000000d", "wi-0", "agent-1")
		require.ErrorIs(t, err, work.ErrNotStarted)
		_, err = b.desk.Heartbeat(ctx, "0190d000-0000-7000-8000-00000000000d", s.ID, "agent-2")
		require.ErrorIs(t, err, work.ErrNotYours)
	})
}

func TestResumeGivesBackTheItemInProgress(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDesk(t, db)
		ctx := context.Background()
		_, ok, err := b.desk.Resume(ctx, "agent-1")
		require.NoError(t, err)
		require.False(t, ok, "nothing is in progress yet")
		s, ok, err := b.desk.Next(ctx, "agent-1")
		require.NoError(t, err)
		require.True(t, ok)
		r, ok, err := b.desk.Resume(ctx, "agent-1")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, s.ID, r.ID, "the open item comes back")
		require.Equal(t, s.Version, r.Version, "keeping its lease changes no version")
		_, ok, err = b.desk.Resume(ctx, "agent-2")
		require.NoError(t, err)
		require.False(t, ok, "only to its owner")
	})
}
