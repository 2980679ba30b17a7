package routingstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/routing/routingstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// offlineAfter is the routing store's default grace for offline owners.
const offlineAfter = 2 * time.Hour

// lostWorld is a practice whose team, agents A and B, holds grant g-1 for
// balance follow-up and recare, B also through a grant of its own (g-2):
// what A loses goes to B. A owns a1 (balance, assigned), a2 (recare, in
// progress) and a3 (balance, waiting), B owns b1 (balance, assigned).
type lostWorld struct {
	*world
	roster *roster.Service
	a, b   string
	start  map[string]string // each item's owner before the change
}

var lostItems = []string{"a1", "a2", "a3", "b1"}

// tx runs fn in a transaction over every practice.
func (w *world) tx(t *testing.T, fn func(tx *sql.Tx) error) {
	t.Helper()
	require.NoError(t, w.db.Tx(sqldb.AllPractices(context.Background()), fn))
}

// newLostWorld makes a lostWorld, runs before (a change made before any
// pass) and the first pass.
func newLostWorld(t *testing.T, d sqldb.Dialect, before func(t *testing.T, lw *lostWorld)) *lostWorld {
	db, _ := testenv.NewDB(t, d)
	w := newWorld(t, db, 2, 20)
	lw := &lostWorld{world: w, roster: roster.NewService(rosterstore.New(db, auditstore.New(db))), a: w.agents[0], b: w.agents[1]}
	now := w.clk.Now()
	exec(t, db, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
VALUES ('g-2', $1, 'agent', $2, '["balance_followup","recare"]', '["identity"]', 'B alone', 't', $3, $4, $4, $3)`, practice, lw.b, now.Add(-time.Hour), now.AddDate(0, 0, 30))
	for i, it := range []struct {
		id, owner, state string
		kind             policy.Kind
	}{{"a1", lw.a, "assigned", policy.BalanceFollowup}, {"a2", lw.a, "in_progress", policy.Recare},
		{"a3", lw.a, "waiting", policy.BalanceFollowup}, {"b1", lw.b, "assigned", policy.BalanceFollowup}} {
		w.item(t, it.id, fmt.Sprintf("pt%02d", i), it.kind)
		var next any
		if it.state == "waiting" {
			next = now.AddDate(0, 0, 7)
		}
		exec(t, db, `UPDATE work_items SET owner_id = $2, state = $3, assigned_at = $4, next_contact_at = $5, version = version + 1 WHERE id = $1`,
			it.id, it.owner, it.state, now, next)
	}
	if before != nil {
		before(t, lw)
	}
	lw.pass(t, "first")
	lw.start = lw.owners(t)
	return lw
}

// pass runs a reconciler pass and returns the items it took from their
// owners.
func (lw *lostWorld) pass(t *testing.T, name string) []string {
	t.Helper()
	before := lw.owners(t)
	rep, err := lw.store.Reconcile(context.Background(), 100)
	require.NoError(t, err, name)
	var moved []string
	for id, o := range lw.owners(t) {
		if o != before[id] {
			moved = append(moved, id)
		}
	}
	slices.Sort(moved)
	require.Equal(t, len(moved), rep.Rerouted, "%s: the report counts what moved", name)
	return moved
}

// owners returns every item's owner ("" for none).
func (lw *lostWorld) owners(t *testing.T) map[string]string {
	out := map[string]string{}
	lw.tx(t, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT id, owner_id FROM work_items`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var o sql.NullString
			if err := rows.Scan(&id, &o); err != nil {
				return err
			}
			out[id] = o.String
		}
		return rows.Err()
	})
	return out
}

// forgetMarks runs a pass every 5 minutes for 15 minutes, by when the
// marks of what changed before are dropped, so that what follows is found
// by time alone; it returns what the passes took.
func (lw *lostWorld) forgetMarks(t *testing.T) []string {
	var moved []string
	for range 3 {
		lw.clk.Add(5 * time.Minute)
		moved = append(moved, lw.pass(t, "while the marks are dropped")...)
	}
	var marks int
	lw.tx(t, func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM reconcile_marks`).Scan(&marks)
	})
	require.Zero(t, marks)
	return moved
}

func (lw *lostWorld) by() audit.Event { return audit.Event{Actor: audit.SystemActor} }

func (lw *lostWorld) deactivate(t *testing.T, userID string) {
	require.NoError(t, lw.roster.PutAgent(context.Background(), lw.by(), roster.Agent{UserID: userID, DisplayName: "A", Active: false,
		Capacity: 20, Kinds: []policy.Kind{policy.BalanceFollowup, policy.Recare}}, lw.clk.Now()))
}

func (lw *lostWorld) presence(t *testing.T, userID string, p routing.Presence, at time.Time) {
	require.NoError(t, lw.roster.SetPresence(context.Background(), lw.by(), userID, p, at))
}

// Every way an owner loses the right to an item is caught by the next
// reconciler pass, which judges only what changed or lapsed since the
// last one: the practice stops being active, the agent is deactivated or
// offline past the grace (its waiting items stay), or no current grant
// covers it any more (revoked, run out, review overdue, the kind taken
// out, the agent taken off the team). Lapses by time are caught at the
// very pass whose time reaches them, not one earlier.
func TestEachLostRightIsCaughtByTheNextPass(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name  string
		setup func(t *testing.T, lw *lostWorld) // before the first pass
		// change runs between passes and returns the items the passes it
		// runs took, in order; the last is the pass expected to catch it.
		change func(t *testing.T, lw *lostWorld) [][]string
		moved  []string
	}{
		{name: "practice suspended", moved: lostItems, change: func(t *testing.T, lw *lostWorld) [][]string {
			exec(t, lw.db, `UPDATE practices SET status = 'suspended'`)
			lw.clk.Add(30 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
		{name: "agent deactivated", moved: []string{"a1", "a2", "a3"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			lw.deactivate(t, lw.a)
			lw.clk.Add(10 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
		{name: "agent offline past the grace", moved: []string{"a1", "a2"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			off := lw.clk.Now()
			lw.presence(t, lw.a, routing.Offline, off)
			var passes [][]string
			for _, at := range []time.Duration{time.Second, time.Minute, time.Hour, offlineAfter} {
				lw.clk.Add(off.Add(at).Sub(lw.clk.Now()))
				passes = append(passes, lw.pass(t, "within the grace"))
			}
			lw.clk.Add(time.Microsecond) // the first instant past it
			return append(passes, lw.pass(t, "past the grace"))
		}},
		{name: "offline with no time", moved: []string{"a1", "a2"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			exec(t, lw.db, `UPDATE agents SET presence = 'offline', presence_at = NULL WHERE user_id = $1`, lw.a)
			lw.clk.Add(30 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
		{name: "grant revoked", moved: []string{"a1", "a2", "a3"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			exec(t, lw.db, `UPDATE grants SET revoked_at = $2, revoked_by = 't', version = version + 1 WHERE id = $1`, lw.grant, lw.clk.Now())
			lw.clk.Add(30 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
		{name: "grant run out", moved: []string{"a1", "a2", "a3"},
			setup: func(t *testing.T, lw *lostWorld) {
				exec(t, lw.db, `UPDATE grants SET valid_until = $2 WHERE id = $1`, lw.grant, lw.clk.Now().Add(time.Hour))
			},
			change: func(t *testing.T, lw *lostWorld) [][]string {
				end := lw.clk.Now().Add(time.Hour) // the grant's valid_until
				kept := lw.forgetMarks(t)
				lw.clk.Add(end.Add(-time.Microsecond).Sub(lw.clk.Now()))
				kept = append(kept, lw.pass(t, "the instant before it runs out")...)
				lw.clk.Add(time.Microsecond)
				return [][]string{kept, lw.pass(t, "the instant it runs out")}
			}},
		{name: "review overdue", moved: []string{"a1", "a2", "a3"},
			setup: func(t *testing.T, lw *lostWorld) {
				exec(t, lw.db, `UPDATE grants SET review_due_at = $2 WHERE id = $1`, lw.grant, lw.clk.Now().Add(time.Hour))
			},
			change: func(t *testing.T, lw *lostWorld) [][]string {
				due := lw.clk.Now().Add(time.Hour)
				kept := lw.forgetMarks(t)
				lw.clk.Add(due.Add(-30 * time.Second).Sub(lw.clk.Now()))
				kept = append(kept, lw.pass(t, "before it falls due")...)
				lw.clk.Add(30 * time.Second) // the review falls due at this pass
				return [][]string{kept, lw.pass(t, "the instant it falls due")}
			}},
		{name: "grant run out just after a pass, the next an hour later", moved: []string{"a1", "a2", "a3"},
			setup: func(t *testing.T, lw *lostWorld) {
				exec(t, lw.db, `UPDATE grants SET valid_until = $2 WHERE id = $1`, lw.grant, lw.clk.Now().Add(15*time.Minute+time.Microsecond))
			},
			change: func(t *testing.T, lw *lostWorld) [][]string {
				kept := lw.forgetMarks(t) // the last pass 15 minutes after the first, an instant before
				lw.clk.Add(time.Hour)     // the reconciler stopped for longer than the overlap
				return [][]string{kept, lw.pass(t, "an hour later")}
			}},
		{name: "an agent's own grant run out", moved: []string{"b1"},
			setup: func(t *testing.T, lw *lostWorld) {
				// B is covered by its own grant alone.
				require.NoError(t, lw.roster.RemoveMember(context.Background(), lw.by(), lw.teamID, lw.b, lw.clk.Now()))
				exec(t, lw.db, `UPDATE grants SET valid_until = $1 WHERE id = 'g-2'`, lw.clk.Now().Add(time.Hour))
			},
			change: func(t *testing.T, lw *lostWorld) [][]string {
				end := lw.clk.Now().Add(time.Hour)
				kept := lw.forgetMarks(t)
				lw.clk.Add(end.Add(-time.Microsecond).Sub(lw.clk.Now()))
				kept = append(kept, lw.pass(t, "the instant before it runs out")...)
				lw.clk.Add(time.Microsecond)
				return [][]string{kept, lw.pass(t, "the instant it runs out")}
			}},
		{name: "kind taken out of the grant", moved: []string{"a1", "a3"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			exec(t, lw.db, `UPDATE grants SET kinds = '["recare"]' WHERE id = $1`, lw.grant)
			lw.clk.Add(30 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
		{name: "agent taken off the team", moved: []string{"a1", "a2", "a3"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			require.NoError(t, lw.roster.RemoveMember(ctx, lw.by(), lw.teamID, lw.a, lw.clk.Now()))
			lw.clk.Add(30 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
		{name: "waiting item called back while its owner is offline past the grace", moved: []string{"a3"},
			setup: func(t *testing.T, lw *lostWorld) {
				lw.presence(t, lw.a, routing.Offline, lw.clk.Now().Add(-3*time.Hour))
			},
			change: func(t *testing.T, lw *lostWorld) [][]string {
				// The first pass took a1 and a2; a3 waits, then a payer's
				// answer calls it back.
				require.Equal(t, lw.b, lw.start["a1"])
				require.Empty(t, lw.forgetMarks(t))
				exec(t, lw.db, `UPDATE work_items SET state = 'assigned', next_contact_at = NULL, version = version + 1 WHERE id = 'a3'`)
				lw.clk.Add(30 * time.Second)
				return [][]string{lw.pass(t, "after")}
			}},
		{name: "handed off to an agent offline past the grace", moved: []string{"a1"}, change: func(t *testing.T, lw *lostWorld) [][]string {
			// B went offline three hours ago, holding only a waiting item.
			exec(t, lw.db, `UPDATE work_items SET state = 'waiting', next_contact_at = $1 WHERE id = 'b1'`, lw.clk.Now().AddDate(0, 0, 7))
			lw.presence(t, lw.b, routing.Offline, lw.clk.Now().Add(-3*time.Hour))
			require.Empty(t, lw.forgetMarks(t), "B's waiting item stays")
			var version int
			lw.tx(t, func(tx *sql.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT version FROM work_items WHERE id = 'a1'`).Scan(&version)
			})
			_, err := lw.store.Handoff(ctx, "a1", lw.a, lw.b, version, "yours", audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "a", Role: "agent"}})
			require.NoError(t, err)
			lw.start["a1"] = lw.b
			lw.clk.Add(30 * time.Second)
			return [][]string{lw.pass(t, "after")}
		}},
	}
	for _, d := range testenv.Dialects {
		for _, c := range cases {
			t.Run(string(d)+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				lw := newLostWorld(t, d, c.setup)
				passes := c.change(t, lw)
				for _, p := range passes[:len(passes)-1] {
					require.Empty(t, p, "an earlier pass took items")
				}
				require.Equal(t, c.moved, passes[len(passes)-1])
				after := lw.owners(t)
				for _, id := range c.moved {
					require.NotEqual(t, lw.start[id], after[id], "%s moved", id)
				}
				// Once caught, nothing more moves.
				lw.clk.Add(30 * time.Second)
				require.Empty(t, lw.pass(t, "next"))
			})
		}
	}
}

// A change that commits while a pass judges, after the pass has looked,
// is caught by the next pass: the pass stamps the change's mark without
// having judged it, and every pass reads every mark, stamped or not.
// PostgreSQL only: on SQLite a pass holds the write lock throughout, so
// nothing commits meanwhile.
func TestAChangeCommittedWhileAPassJudgesIsCaughtByTheNext(t *testing.T) {
	t.Parallel()
	lw := newLostWorld(t, sqldb.Postgres, nil)
	lw.clk.Add(30 * time.Second)
	revoked := false
	ctx := routingstore.WithAfterJudging(context.Background(), func(context.Context) {
		exec(t, lw.db, `UPDATE grants SET revoked_at = $2 WHERE id = $1`, lw.grant, lw.clk.Now())
		revoked = true
	})
	rep, err := lw.store.Reconcile(ctx, 100)
	require.NoError(t, err)
	require.True(t, revoked)
	require.Zero(t, rep.Rerouted, "the pass had judged before the revocation committed")
	var stamped int
	lw.tx(t, func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM reconcile_marks WHERE subject = 'team' AND seen_at IS NOT NULL`).Scan(&stamped)
	})
	require.Equal(t, 1, stamped, "the pass stamped the revocation's mark unseen")
	lw.clk.Add(30 * time.Second)
	require.Equal(t, []string{"a1", "a2", "a3"}, lw.pass(t, "next"))
}

// An item assigned by a transaction that raced a change (a router that
// read the grant before it was revoked, or whose clock is behind, and
// committed after passes had judged the change) is caught by a later
// pass: each pass judges again what changed or lapsed within Overlap
// before the last one. Marks older than that are dropped.
func TestAnAssignmentThatRacedAChangeIsCaughtWithinTheOverlap(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		for _, change := range []string{"revoked", "run out"} {
			t.Run(string(d)+"/"+change, func(t *testing.T) {
				t.Parallel()
				lw := newLostWorld(t, d, func(t *testing.T, lw *lostWorld) {
					if change == "run out" {
						exec(t, lw.db, `UPDATE grants SET valid_until = $2 WHERE id = $1`, lw.grant, lw.clk.Now().Add(time.Hour))
					}
				})
				if change == "run out" {
					require.Empty(t, lw.forgetMarks(t))
					lw.clk.Add(time.Hour - 15*time.Minute)
				} else {
					exec(t, lw.db, `UPDATE grants SET revoked_at = $2 WHERE id = $1`, lw.grant, lw.clk.Now())
					lw.clk.Add(30 * time.Second)
				}
				require.Equal(t, []string{"a1", "a2", "a3"}, lw.pass(t, "the change"))
				lw.clk.Add(30 * time.Second)
				require.Empty(t, lw.pass(t, "a pass that finds nothing more"))
				// The racing router commits its choice of A now.
				lw.item(t, "a4", "pt10", policy.BalanceFollowup)
				exec(t, lw.db, `UPDATE work_items SET owner_id = $2, state = 'assigned', version = version + 1 WHERE id = $1`, "a4", lw.a)
				lw.clk.Add(routingstore.Overlap - 2*time.Minute)
				require.Equal(t, []string{"a4"}, lw.pass(t, "within the overlap"))

				lw.clk.Add(2 * time.Minute)
				require.Empty(t, lw.pass(t, "past the overlap"))
				var marks int
				lw.tx(t, func(tx *sql.Tx) error {
					return tx.QueryRowContext(context.Background(), `SELECT count(*) FROM reconcile_marks`).Scan(&marks)
				})
				require.Zero(t, marks, "every mark judged for the overlap is dropped")
			})
		}
	}
}

// A pass that fills its batch does not record itself: the next pass
// judges again from the last complete one, and finds the rest, even when
// it comes long after (here a grant ran out, found by time alone).
func TestAPassThatFillsItsBatchLeavesTheRestToTheNext(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			lw := newLostWorld(t, d, func(t *testing.T, lw *lostWorld) {
				exec(t, lw.db, `UPDATE grants SET valid_until = $2 WHERE id = $1`, lw.grant, lw.clk.Now().Add(time.Hour))
			})
			require.Empty(t, lw.forgetMarks(t))
			lw.clk.Add(time.Hour)
			batch := func(name string, n int) []string {
				before := lw.owners(t)
				rep, err := lw.store.Reconcile(context.Background(), n)
				require.NoError(t, err, name)
				var moved []string
				for id, o := range lw.owners(t) {
					if o != before[id] {
						moved = append(moved, id)
					}
				}
				slices.Sort(moved)
				require.Equal(t, len(moved), rep.Rerouted)
				return moved
			}
			require.Equal(t, []string{"a1", "a2"}, batch("a full batch", 2))
			lw.clk.Add(time.Hour)
			require.Equal(t, []string{"a3"}, batch("an hour later", 2))
			lw.clk.Add(30 * time.Second)
			require.Empty(t, batch("then", 2))
		})
	}
}

// A pass with nothing to do sends the same statements whatever the number
// of owned items, fewer round trips than the 12 it took when it judged
// every owned item, and judges none of them: what it asks of what changed
// reads marks, grants, teams and agents only.
func TestAnIdlePassCostsTheSameWhateverIsOwned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			cost := func(owned int) (sqldb.Counts, []string) {
				db, _ := testenv.NewDB(t, d)
				w := newWorld(t, db, 3, 1000)
				for i := range owned {
					id := fmt.Sprintf("o%03d", i)
					w.item(t, id, fmt.Sprintf("pt%02d", i%50), policy.BalanceFollowup)
					exec(t, db, `UPDATE work_items SET owner_id = $2, state = $3, next_contact_at = $4 WHERE id = $1`,
						id, w.agents[i%3], []string{"assigned", "in_progress", "waiting"}[i%3], w.clk.Now().AddDate(0, 0, 7))
				}
				watch := db.Watch()
				rep, err := w.store.Reconcile(ctx, 500)
				sent := watch()
				require.NoError(t, err)
				require.Zero(t, rep.Rerouted)
				require.True(t, slices.ContainsFunc(sent, routingstore.JudgesItems), "the first pass judges every owned item")
				w.clk.Add(30 * time.Second)

				before := db.Counts()
				watch = db.Watch()
				rep, err = w.store.Reconcile(ctx, 500)
				sent = watch()
				require.NoError(t, err)
				require.Equal(t, routing.Report{}, rep)
				got := db.Counts().Sub(before)
				require.False(t, slices.ContainsFunc(sent, routingstore.JudgesItems), "an idle pass judges no item:\n%s", strings.Join(sent, "\n"))
				require.True(t, slices.ContainsFunc(sent, func(s string) bool { return strings.Contains(s, routingstore.ChangedSince) }))
				return got, sent
			}
			few, fewSent := cost(6)
			many, manySent := cost(60)
			require.Equal(t, few, many, "6 owned items against 60")
			require.Equal(t, fewSent, manySent)
			if d == sqldb.Postgres {
				require.LessOrEqual(t, many.RoundTrips(), int64(11), "round trips of an idle pass:\n%s", strings.Join(manySent, "\n"))
			}
			t.Logf("%s: an idle pass costs %d round trips (%+v)", d, many.RoundTrips(), many)
		})
	}
}

// Judging the items in question reads each list through an index: the
// owner's, the practice's, the key. Checked on SQLite's plan here, on
// PostgreSQL's by the scale suite (services/scalebench), whose planner
// reads a table this small whole.
func TestJudgingReadsTheItemsInQuestionThroughAnIndex(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	w := newWorld(t, db, 1, 10)
	now := w.clk.Now()
	q, args := routingstore.JudgingStatement(db.Dialect, []string{"x"}, now.Add(-offlineAfter), now)
	var steps []string
	w.tx(t, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			steps = append(steps, detail)
		}
		return rows.Err()
	})
	var items []string
	for _, step := range steps {
		if strings.Contains(step, " i ") || strings.HasSuffix(step, " i") {
			items = append(items, step)
		}
	}
	require.Len(t, items, 4, "the four lists:\n%s", strings.Join(steps, "\n"))
	for _, step := range items {
		require.Regexp(t, `^SEARCH i USING (COVERING )?INDEX (work_items_owned|work_items_practice|sqlite_autoindex_work_items_1) \((owner_id|practice_id|id)=`, step)
	}
}
