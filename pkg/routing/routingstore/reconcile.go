package routingstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Grace is how late a routing attempt or a due timer may be before the
// reconciler does it itself: long enough for the queues to do it first.
const Grace = time.Minute

// Reconcile restores what the queues should have done and re-routes items
// whose owners lost the right to them. It reads only the database, so it
// also recovers from a Redis that lost its tasks. Each item is handled in
// its own transaction by the same code as the queue handlers. Owners are
// judged where something changed or lapsed since the last pass
// (ownersLost), so a pass with nothing to do costs the same at any size.
func (s *Store) Reconcile(ctx context.Context, batch int) (routing.Report, error) {
	var rep routing.Report
	now := s.now()
	late := now.Add(-Grace)
	count := func(r routing.Result) {
		if r.Escalated {
			rep.Escalated++
		}
	}
	// Open items due a routing attempt, through work_items_routing; each
	// one's practice by its key. Joined, the planner read the open items
	// once per practice.
	ids, err := s.ids(ctx, `SELECT w.id FROM work_items w
WHERE w.state = 'open' AND (w.route_after IS NULL OR w.route_after < $1) AND w.updated_at < $1
AND (SELECT p.status FROM practices p WHERE p.id = w.practice_id) = 'active'
ORDER BY w.created_at LIMIT $2`, late, batch)
	if err != nil {
		return rep, err
	}
	for _, id := range ids {
		r, err := s.Route(ctx, id)
		if err != nil {
			return rep, err
		}
		if r.Skipped == "" {
			rep.Routed++
		}
		count(r)
	}
	ids, err = s.ids(ctx, `SELECT id FROM work_items WHERE state = 'waiting' AND next_contact_at < $1 ORDER BY next_contact_at LIMIT $2`, late, batch)
	if err != nil {
		return rep, err
	}
	for _, id := range ids {
		r, err := s.Due(ctx, id)
		if err != nil {
			return rep, err
		}
		if r.Skipped == "" {
			rep.Due++
		}
		count(r)
	}
	lost, err := s.ownersLost(ctx, now, batch)
	if err != nil {
		return rep, err
	}
	for _, id := range lost {
		r, err := s.Reroute(ctx, id)
		if err != nil {
			return rep, err
		}
		if r.Skipped == "" || r.Skipped == "practice not active" {
			rep.Rerouted++
			if r.OwnerID == "" {
				rep.Unrouted++
			}
		}
		count(r)
	}
	// A pass that found nothing has recorded itself; one that filled its
	// batch leaves the rest, and what changed meanwhile, to the next.
	if len(lost) > 0 && len(lost) < batch {
		if err := s.passed(ctx, now); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (s *Store) ids(ctx context.Context, q string, args ...any) ([]string, error) {
	var out []string
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}

// Reroute takes an item from an owner who can no longer own it: its
// practice is not active, no live grant covers the owner for the item, or
// the owner has been offline too long and the item is not waiting. An
// owner who still may keep the item keeps it.
func (s *Store) Reroute(ctx context.Context, itemID string) (routing.Result, error) {
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		if it.OwnerID == "" || (it.State != "assigned" && it.State != "in_progress" && it.State != "waiting") {
			res.Skipped = "not owned"
			return nil
		}
		eligible, offline, err := s.standing(ctx, tx, it, now)
		if err != nil {
			return err
		}
		// A waiting item of an offline owner stays until it comes due; one
		// whose grant is gone does not.
		if it.status == "active" && eligible && (!offline || it.State == "waiting") {
			res.Skipped, res.OwnerID = "owner keeps it", it.OwnerID
			return nil
		}
		return s.release(ctx, tx, it, now, res)
	})
}

// Unassigned counts open items by kind and reason ("pending" before the
// first attempt).
func (s *Store) Unassigned(ctx context.Context) ([]routing.UnassignedCount, error) {
	var out []routing.UnassignedCount
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT kind, CASE WHEN unassigned_reason = '' THEN 'pending' ELSE unassigned_reason END, count(*)
FROM work_items WHERE state = 'open' GROUP BY 1, 2`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c routing.UnassignedCount
			if err := rows.Scan(&c.Kind, &c.Reason, &c.Count); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}
