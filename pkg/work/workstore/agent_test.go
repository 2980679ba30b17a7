package workstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)

func store(db *sqldb.DB) *workstore.Store { return workstore.New(db, auditstore.New(db)) }

// heartbeat extends the lease as the desk does: until a lease from now.
func heartbeat(ctx context.Context, db *sqldb.DB, itemID, ownerID string, now time.Time) (time.Time, error) {
	until := now.Add(work.Lease)
	return until, store(db).Heartbeat(ctx, "pr-w", itemID, ownerID, until, now)
}

// record logs an outcome as the desk does: the policy decides the state.
func record(t *testing.T, db *sqldb.DB, itemID, actorID string, in work.OutcomeInput, p policy.Policy, now time.Time, ev audit.Event) (int, error) {
	t.Helper()
	state, err := in.Apply(p, now)
	if err != nil {
		return 0, err
	}
	return store(db).RecordOutcome(context.Background(), "pr-w", itemID, actorID, in, state, now, ev)
}

func execIn(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), "pr-w"), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

// world makes agents each owning items, assigned, with priorities 1..per.
func world(t *testing.T, db *sqldb.DB, agents, per int) {
	execIn(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('pr-w', 'W', '1', 'UTC', 'active', $1, $1)`, t0)
	execIn(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ('pt-w', 'pr-w', 'E', 'A', 'B', '1980-01-01', $1, $1)`, t0)
	for a := range agents {
		for i := range per {
			execIn(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at)
VALUES ($1, 'pr-w', 'pt-w', 'balance_followup', 'balance', $1, 'assigned', $2, $3, $4, $5, $5)`,
				fmt.Sprintf("wi-%03d-%d", a, i), fmt.Sprintf("agent-%03d", a), i+1, t0.AddDate(0, 0, 3), t0)
		}
	}
}

// Many agents calling next at once, several times each: no item is handed
// out twice, and each agent gets only its own.
func TestNextNeverHandsOutAnItemTwice(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		const agents, per, calls = 20, 3, 5 // 100 callers; more calls than items
		world(t, db, agents, per)
		var mu sync.Mutex
		got := map[string]string{}
		var wg sync.WaitGroup
		for a := range agents {
			for range calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					owner := fmt.Sprintf("agent-%03d", a)
					s, ok, err := start(context.Background(), db, owner, t0)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						defer mu.Unlock()
						if prev, dup := got[s.ID]; dup {
							t.Errorf("%s handed to %s and %s", s.ID, prev, owner)
						}
						got[s.ID] = owner
					}
				}()
			}
		}
		wg.Wait()
		require.Len(t, got, agents*per, "every item started once")
		for id, owner := range got {
			require.Equal(t, owner[len("agent-"):], id[3:6], "%s went to its own owner", id)
		}
	})
}

// The highest priority first; an abandoned lease returns the item to the
// same owner once it runs out.
func TestNextOrderAndLeaseExpiry(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		world(t, db, 1, 2)
		s, ok, err := start(ctx, db, "agent-000", t0)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "wi-000-1", s.ID, "priority 2 before priority 1")
		s2, ok, err := start(ctx, db, "agent-000", t0.Add(5*time.Minute))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "wi-000-0", s2.ID)
		_, ok, err = start(ctx, db, "agent-000", t0.Add(10*time.Minute))
		require.NoError(t, err)
		require.False(t, ok, "both are leased")
		back, ok, err := start(ctx, db, "agent-000", t0.Add(work.Lease+time.Minute))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "wi-000-1", back.ID, "the abandoned lease came back to its owner")
	})
}

// A heartbeat keeps a lease alive past its first end; only the owner's
// heartbeat on a started item counts.
func TestHeartbeatKeepsTheLease(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		world(t, db, 1, 1)
		s, ok, err := start(ctx, db, "agent-000", t0)
		require.NoError(t, err)
		require.True(t, ok)
		beat := t0.Add(work.Lease - time.Minute)
		until, err := heartbeat(ctx, db, s.ID, "agent-000", beat)
		require.NoError(t, err)
		require.Equal(t, beat.Add(work.Lease), until)
		_, ok, err = start(ctx, db, "agent-000", t0.Add(work.Lease+time.Minute))
		require.NoError(t, err)
		require.False(t, ok, "the heartbeat kept the item with its worker")
		_, ok, err = start(ctx, db, "agent-000", until.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, ok, "without further heartbeats the lease runs out")

		_, err = heartbeat(ctx, db, s.ID, "agent-999", beat)
		require.ErrorIs(t, err, work.ErrNotYours)
		execIn(t, db, `UPDATE work_items SET state = 'waiting' WHERE id = $1`, s.ID)
		_, err = heartbeat(ctx, db, s.ID, "agent-000", beat)
		require.Equal(t, apperr.KindConflict, apperr.KindOf(err))
	})
}

func TestRecordOutcome(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		world(t, db, 2, 1)
		pol := policy.Default(policy.BalanceFollowup)
		s, _, err := start(ctx, db, "agent-000", t0)
		require.NoError(t, err)
		next := t0.AddDate(0, 0, 7)
		in := work.OutcomeInput{Channel: work.ByCall, Outcome: work.Voicemail, Note: "left a message", NextContactAt: &next, Version: s.Version}

		by := func(sub string) audit.Event {
			return audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: sub, Role: "agent"}, RequestID: "req-" + sub}
		}
		_, err = record(t, db, s.ID, "agent-001", in, pol, t0, by("a1"))
		require.ErrorIs(t, err, work.ErrNotYours)
		stale := in
		stale.Version = s.Version - 1
		_, err = record(t, db, s.ID, "agent-000", stale, pol, t0, by("a0"))
		require.Equal(t, apperr.KindConflict, apperr.KindOf(err), "a stale version is refused")
		require.Empty(t, testenv.AuditEvents(t, db, auditstore.Query{}), "and refused outcomes record nothing")

		v, err := record(t, db, s.ID, "agent-000", in, pol, t0, by("a0"))
		require.NoError(t, err)
		require.Equal(t, s.Version+1, v)
		var state string
		var due int
		require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pr-w"), func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT state FROM work_items WHERE id = $1`, s.ID).Scan(&state); err != nil {
				return err
			}
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE task_type = 'workitem:due' AND process_at IS NOT NULL`).Scan(&due)
		}))
		require.Equal(t, "waiting", state)
		require.Equal(t, 1, due, "a timer brings it back at the next contact date")

		paid := work.OutcomeInput{Channel: work.ByCall, Outcome: work.Paid, Version: v}
		_, err = record(t, db, s.ID, "agent-000", paid, pol, t0.Add(time.Hour), by("a0"))
		require.NoError(t, err)
		var history int
		require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pr-w"), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM activities WHERE work_item_id = $1`, s.ID).Scan(&history)
		}))
		require.Equal(t, 2, history)

		evs := testenv.AuditEvents(t, db, auditstore.Query{PracticeID: "pr-w", TargetType: audit.TargetWorkItem})
		require.Len(t, evs, 2, "one event per outcome")
		for i, reason := range []string{"call voicemail", "call paid"} {
			e := evs[i].Event
			require.Equal(t, audit.ActionWorkOutcome, e.Action)
			require.Equal(t, "a0", e.Actor.Subject)
			require.Equal(t, "req-a0", e.RequestID)
			require.Equal(t, s.ID, e.WorkItemID)
			require.Equal(t, s.ID, e.TargetID)
			require.Equal(t, []string{s.PatientID}, e.PatientIDs)
			require.Equal(t, reason, e.Reason)
			require.NotContains(t, evs[i].Body, "left a message", "never the note")
		}
	})
}

func TestQueueMarksWhatThePayerSaidSinceTheLastContact(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		world(t, db, 1, 2)
		ctx := context.Background()
		news := func() map[string]bool {
			items, err := store(db).Queue(ctx, "agent-000", work.QueueFilter{}, t0, 10)
			require.NoError(t, err)
			out := map[string]bool{}
			for _, q := range items {
				out[q.ID] = q.PayerNews
			}
			return out
		}
		require.Equal(t, map[string]bool{"wi-000-0": false, "wi-000-1": false}, news())
		add := func(channel string, at time.Time) {
			require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pr-w"), func(tx *sql.Tx) error {
				return store(db).AddHistory(ctx, tx, "pr-w", "wi-000-1", "pt-w", work.Activity{ActorID: "payer", Channel: channel,
					Outcome: string(work.PayerDenied), Note: "denied", At: at})
			}))
		}
		add(string(work.ByPayer), t0.Add(time.Hour))
		require.Equal(t, map[string]bool{"wi-000-0": false, "wi-000-1": true}, news(), "the payer spoke last")
		add(string(work.ByNote), t0.Add(2*time.Hour))
		require.Equal(t, map[string]bool{"wi-000-0": false, "wi-000-1": false}, news(), "someone worked it since")
	})
}

// start starts the owner's first startable item as the desk does: the
// owner's queue, in its order, is the list of candidates.
func start(ctx context.Context, db *sqldb.DB, ownerID string, now time.Time) (work.Started, bool, error) {
	items, err := store(db).Queue(ctx, ownerID, work.QueueFilter{}, now, work.QueueLimit)
	if err != nil {
		return work.Started{}, false, err
	}
	return store(db).Start(ctx, ownerID, now, items)
}
