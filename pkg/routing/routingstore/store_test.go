package routingstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type world struct {
	db     *sqldb.DB
	clk    *clock
	store  *routingstore.Store
	agents []string
	teamID string
	grant  string
}

const practice = "pr-1"

func exec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), practice), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

// newWorld makes an active practice, patients, and agents on one team the
// practice has granted balance follow-up, each available with capacity.
func newWorld(t *testing.T, db *sqldb.DB, agents, capacity int) *world {
	ctx := context.Background()
	w := &world{db: db, clk: &clock{t: time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)}}
	w.store = routingstore.New(db, auditstore.New(db), routingstore.Config{Now: w.clk.Now})
	now := w.clk.Now()
	exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'P', '1', 'UTC', 'active', $2, $2)`, practice, now)
	for i := range 50 {
		exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, $1, 'A', 'B', '1980-01-01', $3, $3)`, fmt.Sprintf("pt%02d", i), practice, now)
	}
	r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
	seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the roster up
	team, err := r.CreateTeam(ctx, seeder, "East", now)
	require.NoError(t, err)
	w.teamID = team.ID
	for i := range agents {
		uid, err := r.EnsureUser(ctx, "https://idp.test", fmt.Sprintf("agent-%02d", i), "", "", now)
		require.NoError(t, err)
		require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: uid, DisplayName: "A", Active: true, Capacity: capacity,
			Kinds: []policy.Kind{policy.BalanceFollowup, policy.Recare}}, now))
		require.NoError(t, r.SetPresence(ctx, seeder, uid, routing.Available, now))
		require.NoError(t, r.AddMember(ctx, seeder, team.ID, uid, now))
		w.agents = append(w.agents, uid)
	}
	w.grant = "g-1"
	exec(t, db, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
VALUES ($1, $2, 'team', $3, '["balance_followup","recare"]', '["identity"]', 'routing test', 't', $4, $5, $5, $4)`,
		w.grant, practice, team.ID, now.Add(-time.Hour), now.AddDate(0, 0, 30))
	return w
}

func (w *world) item(t *testing.T, id, patient string, kind policy.Kind) {
	now := w.clk.Now()
	exec(t, w.db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, due_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, 'balance', $1, $5, $6, $6)`, id, practice, patient, string(kind), now.AddDate(0, 0, 3), now)
}

func (w *world) owner(t *testing.T, id string) (owner, state, reason string) {
	var o sql.NullString
	require.NoError(t, w.db.Tx(sqldb.WithPractice(context.Background(), practice), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT owner_id, state, unassigned_reason FROM work_items WHERE id = $1`, id).Scan(&o, &state, &reason)
	}))
	return o.String, state, reason
}

func TestRouteAssignsByLoadAndPatient(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 3, 2)
		for i := range 6 {
			w.item(t, fmt.Sprintf("w%d", i), fmt.Sprintf("pt%02d", i), policy.BalanceFollowup)
		}
		load := map[string]int{}
		for i := range 6 {
			r, err := w.store.Route(ctx, fmt.Sprintf("w%d", i))
			require.NoError(t, err)
			require.NotEmpty(t, r.OwnerID, "%+v", r)
			load[r.OwnerID]++
		}
		for _, a := range w.agents {
			require.Equal(t, 2, load[a], "least loaded first fills everyone evenly")
		}
		// Everyone is full: the next item waits, says why, and is queued again.
		w.item(t, "w6", "pt00", policy.BalanceFollowup)
		r, err := w.store.Route(ctx, "w6")
		require.NoError(t, err)
		require.Equal(t, routing.AllAtCapacity, r.Reason)
		require.Equal(t, w.clk.Now().Add(time.Minute), r.RetryAt)
		_, state, reason := w.owner(t, "w6")
		require.Equal(t, "open", state)
		require.Equal(t, "all_at_capacity", reason)
		var queued int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE task_type = 'workitem:route' AND process_at IS NOT NULL`).Scan(&queued))
		require.Equal(t, 1, queued)

		// Routing again is harmless: an assigned item stays with its owner.
		first, _, _ := w.owner(t, "w0")
		r, err = w.store.Route(ctx, "w0")
		require.NoError(t, err)
		require.Equal(t, "already assigned", r.Skipped)
		again, _, _ := w.owner(t, "w0")
		require.Equal(t, first, again)

		// One owner per patient: a recall for pt01 goes to pt01's owner once it has room.
		exec(t, db, `UPDATE agents SET capacity = 3`)
		w.item(t, "w7", "pt01", policy.Recare)
		owner1, _, _ := w.owner(t, "w1")
		r, err = w.store.Route(ctx, "w7")
		require.NoError(t, err)
		require.Equal(t, owner1, r.OwnerID)
	})
}

func TestEscalationAndNoGrant(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 1, 5)
		w.item(t, "c1", "pt01", policy.ClaimFollowup) // nobody is granted claims
		r, err := w.store.Route(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, routing.NoGrant, r.Reason)
		require.False(t, r.Escalated, "three days before its due date")
		w.clk.Add(48 * time.Hour)
		r, err = w.store.Route(ctx, "c1")
		require.NoError(t, err)
		require.True(t, r.Escalated, "within a day of its due date")
		require.Equal(t, w.clk.Now().Add(2*time.Minute), r.RetryAt, "the wait doubles")
		r, err = w.store.Route(ctx, "c1")
		require.NoError(t, err)
		require.False(t, r.Escalated, "escalated once")

		exec(t, db, `UPDATE agents SET presence = 'away'`)
		w.item(t, "b1", "pt02", policy.BalanceFollowup)
		r, err = w.store.Route(ctx, "b1")
		require.NoError(t, err)
		require.Equal(t, routing.NobodyOnShift, r.Reason)
	})
}

// Due timers with an injected clock: the item comes back at its next
// contact date, to its owner while the owner may keep it.
func TestDueTimers(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 2, 5)
		w.item(t, "d1", "pt01", policy.BalanceFollowup)
		r, err := w.store.Route(ctx, "d1")
		require.NoError(t, err)
		owner := r.OwnerID
		next := w.clk.Now().AddDate(0, 0, 2)
		exec(t, db, `UPDATE work_items SET state = 'waiting', next_contact_at = $2 WHERE id = $1`, "d1", next)

		w.clk.Add(24 * time.Hour)
		r, err = w.store.Due(ctx, "d1")
		require.NoError(t, err)
		require.Equal(t, "not due yet", r.Skipped)
		w.clk.Add(24 * time.Hour)
		r, err = w.store.Due(ctx, "d1")
		require.NoError(t, err)
		require.Equal(t, owner, r.OwnerID)
		got, state, _ := w.owner(t, "d1")
		require.Equal(t, owner, got)
		require.Equal(t, "assigned", state)

		// Next time the owner has left the team the grant names: someone else gets it.
		exec(t, db, `UPDATE work_items SET state = 'waiting', next_contact_at = $2 WHERE id = $1`, "d1", w.clk.Now())
		exec(t, db, `DELETE FROM team_members WHERE user_id = $1`, owner)
		r, err = w.store.Due(ctx, "d1")
		require.NoError(t, err)
		require.NotEmpty(t, r.OwnerID)
		require.NotEqual(t, owner, r.OwnerID)
	})
}

// The reconciler re-routes items whose grant was revoked, holds a
// suspended practice's items, and restores routing lost with Redis.
func TestReconcile(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 2, 10)
		for i := range 4 {
			w.item(t, fmt.Sprintf("r%d", i), fmt.Sprintf("pt%02d", i), policy.BalanceFollowup)
		}
		// Redis lost every task: nothing was routed. After the grace the
		// reconciler routes them from the database alone.
		rep, err := w.store.Reconcile(ctx, 100)
		require.NoError(t, err)
		require.Zero(t, rep.Routed, "within the grace the queues are trusted")
		w.clk.Add(2 * routingstore.Grace)
		rep, err = w.store.Reconcile(ctx, 100)
		require.NoError(t, err)
		require.Equal(t, 4, rep.Routed)

		// A second grant covers only the first agent; revoking the team's
		// grant moves every item to it.
		now := w.clk.Now()
		exec(t, db, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
VALUES ('g-2', $1, 'agent', $2, '["balance_followup"]', '["identity"]', 'one agent', 't', $3, $4, $4, $3)`, practice, w.agents[0], now.Add(-time.Hour), now.AddDate(0, 0, 30))
		exec(t, db, `UPDATE grants SET revoked_at = $2 WHERE id = $1`, w.grant, now)
		rep, err = w.store.Reconcile(ctx, 100)
		require.NoError(t, err)
		require.Equal(t, 2, rep.Rerouted, "the second agent's items, half of four")
		for i := range 4 {
			o, _, _ := w.owner(t, fmt.Sprintf("r%d", i))
			require.Equal(t, w.agents[0], o)
		}
		// Suspension takes every item from its owner and holds it.
		exec(t, db, `UPDATE practices SET status = 'suspended'`)
		rep, err = w.store.Reconcile(ctx, 100)
		require.NoError(t, err)
		require.Equal(t, 4, rep.Rerouted)
		require.Equal(t, 4, rep.Unrouted)
		o, state, reason := w.owner(t, "r0")
		require.Empty(t, o)
		require.Equal(t, "open", state)
		require.Equal(t, "practice_inactive", reason)
		w.clk.Add(2 * routingstore.Grace)
		rep, err = w.store.Reconcile(ctx, 100)
		require.NoError(t, err)
		require.Zero(t, rep.Routed, "a suspended practice's items are not routed")
	})
}

// Many routers at once over the same items: every item gets exactly one
// owner and no agent goes over capacity.
func TestConcurrentRoutersNeverDoubleAssign(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 5, 7)
		const items = 40
		for i := range items {
			w.item(t, fmt.Sprintf("c%02d", i), fmt.Sprintf("pt%02d", i), policy.BalanceFollowup)
		}
		var wg sync.WaitGroup
		assigned := make(chan string, items*8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range items {
					r, err := w.store.Route(ctx, fmt.Sprintf("c%02d", i))
					if err != nil {
						t.Error(err)
						return
					}
					if r.OwnerID != "" {
						assigned <- r.ItemID
					}
				}
			}()
		}
		wg.Wait()
		close(assigned)
		seen := map[string]bool{}
		for id := range assigned {
			require.False(t, seen[id], "%s assigned twice", id)
			seen[id] = true
		}
		require.Len(t, seen, 35, "five agents of capacity seven take 35 of 40")
		var over int
		require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT owner_id FROM work_items WHERE owner_id IS NOT NULL GROUP BY owner_id HAVING count(*) > 7) x`).Scan(&over)
		}))
		require.Zero(t, over)
	})
}

// A router that dies between choosing an owner and committing loses
// nothing: the item stays open, and the reconciler routes it afterwards,
// exactly once.
func TestKilledBetweenDecisionAndCommit(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 3, 20)
		const items = 30
		for i := range items {
			w.item(t, fmt.Sprintf("k%02d", i), fmt.Sprintf("pt%02d", i), policy.BalanceFollowup)
		}
		killed := 0
		dying := routingstore.New(db, auditstore.New(db), routingstore.Config{Now: w.clk.Now, BeforeCommit: func(ctx context.Context, itemID, _ string) error {
			if itemID[len(itemID)-1]%3 == 0 { // every third item's router dies mid-way
				killed++
				return context.Canceled
			}
			return nil
		}})
		for i := range items {
			_, err := dying.Route(ctx, fmt.Sprintf("k%02d", i))
			if err != nil {
				require.ErrorIs(t, err, context.Canceled)
			}
		}
		require.Positive(t, killed)
		open := 0
		for i := range items {
			if _, state, _ := w.owner(t, fmt.Sprintf("k%02d", i)); state == "open" {
				open++
			}
		}
		require.Equal(t, killed, open, "the killed attempts left their items open, unassigned")

		w.clk.Add(2 * routingstore.Grace)
		rep, err := w.store.Reconcile(ctx, 100)
		require.NoError(t, err)
		require.Equal(t, killed, rep.Routed)
		var notOnce int
		require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE owner_id IS NULL OR version <> 2`).Scan(&notOnce)
		}))
		require.Zero(t, notOnce, "every item assigned, each exactly once")
	})
}

// Hand-off goes only to an agent the practice's grants cover; release
// routes the item to someone else; notes change nothing else; each is in
// the item's history, and only the owner may do any of them.
func TestHandoffReleaseAndNotes(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		w := newWorld(t, db, 3, 10)
		w.item(t, "h1", "pt01", policy.BalanceFollowup)
		r, err := w.store.Route(ctx, "h1")
		require.NoError(t, err)
		owner := r.OwnerID
		var others []string
		for _, a := range w.agents {
			if a != owner {
				others = append(others, a)
			}
		}
		version := func() int {
			var v int
			require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT version FROM work_items WHERE id = 'h1'`).Scan(&v)
			}))
			return v
		}

		by := func(userID string) audit.Event {
			return audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "sub-" + userID, Role: "agent"}}
		}
		_, err = w.store.Handoff(ctx, "h1", others[0], others[1], version(), "not mine to give", by(others[0]))
		require.Equal(t, apperr.KindForbidden, apperr.KindOf(err))
		_, err = w.store.Handoff(ctx, "h1", owner, others[0], version()-1, "stale", by(owner))
		require.Equal(t, apperr.KindConflict, apperr.KindOf(err))
		exec(t, db, `DELETE FROM team_members WHERE user_id = $1`, others[1]) // no longer covered
		_, err = w.store.Handoff(ctx, "h1", owner, others[1], version(), "to someone uncovered", by(owner))
		require.Equal(t, "to", fieldOf(err))

		r, err = w.store.Handoff(ctx, "h1", owner, others[0], version(), "Spanish speaker, over to you", by(owner))
		require.NoError(t, err)
		require.Equal(t, others[0], r.OwnerID)
		_, err = w.store.AddNote(ctx, "h1", others[0], "patient prefers mornings", "note-key-1", by(others[0]))
		require.NoError(t, err)
		// The same note sent again with its key (a retry whose first
		// answer was lost) is kept once.
		_, err = w.store.AddNote(ctx, "h1", others[0], "patient prefers mornings", "note-key-1", by(others[0]))
		require.NoError(t, err)
		v := version()
		r, err = w.store.Release(ctx, "h1", others[0], v, "leaving early", by(others[0]))
		require.NoError(t, err)
		require.Equal(t, owner, r.OwnerID, "released to the one other covered agent")
		var history int
		require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM activities WHERE work_item_id = 'h1'`).Scan(&history)
		}))
		require.Equal(t, 3, history)

		_, err = w.store.HandoffToTeam(ctx, "h1", owner, "no-such-team", version(), "to nobody", by(owner))
		require.Equal(t, "team", fieldOf(err))
		r, err = w.store.HandoffToTeam(ctx, "h1", owner, w.teamID, version(), "over to the team", by(owner))
		require.NoError(t, err)
		require.NotEqual(t, owner, r.OwnerID)

		// Each change that committed is recorded once, by the one who made
		// it, with the new owner; the refused hand-offs are not, and no
		// note's text is.
		evs := testenv.AuditEvents(t, db, auditstore.Query{TargetType: audit.TargetWorkItem, TargetID: "h1"})
		type seen struct {
			action      audit.Action
			actor, user string
		}
		var got []seen
		for _, e := range evs {
			got = append(got, seen{e.Event.Action, e.Event.Actor.Subject, e.Event.UserID})
			require.Equal(t, "h1", e.Event.WorkItemID)
			require.Equal(t, []string{"pt01"}, e.Event.PatientIDs)
			for _, text := range []string{"Spanish", "mornings", "leaving early", "over to the team"} {
				require.NotContains(t, e.Body, text)
			}
		}
		require.Equal(t, []seen{
			{audit.ActionWorkHandoff, "sub-" + owner, others[0]},
			{audit.ActionWorkNote, "sub-" + others[0], ""},
			{audit.ActionWorkRelease, "sub-" + others[0], owner},
			{audit.ActionWorkHandoff, "sub-" + owner, r.OwnerID},
		}, got)
		require.Equal(t, []string{"to_agent", "", "released", "to_team"},
			[]string{evs[0].Event.Reason, evs[1].Event.Reason, evs[2].Event.Reason, evs[3].Event.Reason})
	})
}

func fieldOf(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Field
	}
	return ""
}

// An agent whose capacity a manager lowers while a router is choosing
// (after it read the agents, before it locked one) is seen full under
// the lock, and the router moves on. It used to pick that agent again
// and again, holding the agent's row, until its context ended.
func TestCapacityLoweredUnderTheRouter(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, 1, 2)
		w.item(t, "c1", "pt01", policy.BalanceFollowup)
		lowered := routingstore.New(db, auditstore.New(db), routingstore.Config{Now: w.clk.Now,
			AfterPool: func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE agents SET capacity = 0 WHERE user_id = $1`, w.agents[0])
				return err
			}})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		res, err := lowered.Route(ctx, "c1")
		require.NoError(t, err, "the router finishes instead of looping until its context ends")
		require.Empty(t, res.OwnerID)
		require.Equal(t, routing.AllAtCapacity, res.Reason)
		owner, state, reason := w.owner(t, "c1")
		require.Empty(t, owner)
		require.Equal(t, "open", state)
		require.Equal(t, string(routing.AllAtCapacity), reason)
	})
}
