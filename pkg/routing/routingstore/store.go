// Package routingstore loads what routing decides on and commits its
// choices: each item is routed in one transaction that locks the item,
// picks among the agents the practice's grants cover, re-checks the chosen
// agent's capacity under its row lock, and writes the owner. An item nobody
// can take records why and when to try again; the database, not Redis,
// holds every pending routing, so the reconciler can restore it all.
package routingstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/work"
)

// Config tunes routing; zero fields take their defaults.
type Config struct {
	// EscalateBefore is how long before an unassigned item's due date it
	// is escalated to the billing managers (default 24h; past due always).
	EscalateBefore time.Duration
	// OfflineAfter is how long an agent may be offline before its assigned
	// items are routed to someone else (default 2h).
	OfflineAfter time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// BeforeCommit, when set, is called after an owner is chosen and
	// written, before the transaction commits: the window a crash can hit.
	// An error aborts the transaction. Tests use it to kill a router there.
	BeforeCommit func(ctx context.Context, itemID, ownerID string) error
	// AfterPool, when set, is called in the routing transaction after the
	// agents are read and before any of them is locked: the window in
	// which a manager can change an agent under a router. Tests use it.
	AfterPool func(ctx context.Context, tx *sql.Tx) error
}

// Store implements routing.Storer.
type Store struct {
	db    *sqldb.DB
	cfg   Config
	audit audit.Appender
}

var _ routing.Storer = (*Store)(nil)

// New returns a Store over db that writes people's changes to trail.
func New(db *sqldb.DB, trail audit.Appender, cfg Config) *Store {
	if cfg.EscalateBefore == 0 {
		cfg.EscalateBefore = 24 * time.Hour
	}
	if cfg.OfflineAfter == 0 {
		cfg.OfflineAfter = 2 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{db: db, cfg: cfg, audit: trail}
}

func (s *Store) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Backoff is the wait before routing an unassigned item again: a minute,
// doubling with each attempt, at most an hour.
func Backoff(attempts int) time.Duration {
	d := time.Minute
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// openStates are the states that count against an agent's capacity.
const openStates = `('assigned', 'in_progress', 'waiting')`

type itemRow struct {
	work.Item
	payer    string
	attempts int
	status   string // the practice's
	created  time.Time
	escalate bool
}

// item is what routing.Pick needs of the row.
func (r itemRow) item() routing.Item {
	return routing.Item{ID: r.ID, PracticeID: r.PracticeID, PatientID: r.PatientID, Kind: r.Kind, Payer: r.payer}
}

func (s *Store) lockItem(ctx context.Context, tx *sql.Tx, id string) (itemRow, error) {
	var r itemRow
	var owner sql.NullString
	var escalated sql.NullTime
	var payer sql.NullString
	q := `SELECT w.id, w.practice_id, w.patient_id, w.kind, w.state, w.owner_id, w.due_at, w.route_attempts,
w.escalated_at, w.created_at, p.status, c.payer_name
FROM work_items w JOIN practices p ON p.id = w.practice_id
LEFT JOIN claims c ON w.subject_type = 'claim' AND c.id = w.subject_id
WHERE w.id = $1` + s.db.Dialect.ForUpdate("w")
	err := tx.QueryRowContext(ctx, q, id).Scan(&r.ID, &r.PracticeID, &r.PatientID, &r.Kind, &r.State, &owner, &r.DueAt,
		&r.attempts, &escalated, &r.created, &r.status, &payer)
	r.OwnerID, r.payer, r.escalate = owner.String, payer.String, !escalated.Valid
	return r, err
}

// withItem runs fn in a transaction over every practice (routing is system
// work) with the item locked; a missing item is skipped, not an error.
func (s *Store) withItem(ctx context.Context, itemID string, fn func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error) (routing.Result, error) {
	var res routing.Result
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		res = routing.Result{ItemID: itemID}
		it, err := s.lockItem(ctx, tx, itemID)
		if errors.Is(err, sql.ErrNoRows) {
			res.Skipped = "no such item"
			return nil
		}
		if err != nil {
			return err
		}
		res.Kind = it.Kind
		return fn(tx, it, s.now(), &res)
	})
	return res, sqldb.MapError(err)
}

// Route assigns the item an owner if it is open. It is idempotent: an item
// already assigned, resolved or closed is left as it is.
func (s *Store) Route(ctx context.Context, itemID string) (routing.Result, error) {
	return s.withItem(ctx, itemID, func(tx *sql.Tx, it itemRow, now time.Time, res *routing.Result) error {
		if it.State != work.Open {
			res.Skipped = "already " + string(it.State)
			return nil
		}
		if it.status != "active" {
			res.Skipped = "practice not active"
			_, err := tx.ExecContext(ctx, `UPDATE work_items SET unassigned_reason = 'practice_inactive', route_after = NULL, updated_at = $2 WHERE id = $1`, it.ID, now)
			return err
		}
		return s.assign(ctx, tx, it, now, res)
	})
}

func (s *Store) assign(ctx context.Context, tx *sql.Tx, it itemRow, now time.Time, res *routing.Result, exclude ...string) error {
	agents, grants, err := s.pool(ctx, tx, it.PracticeID)
	if err != nil {
		return err
	}
	agents = slices.DeleteFunc(agents, func(a routing.Agent) bool { return slices.Contains(exclude, a.UserID) })
	owners, err := patientOwners(ctx, tx, it.PatientID)
	if err != nil {
		return err
	}
	if s.cfg.AfterPool != nil {
		if err := s.cfg.AfterPool(ctx, tx); err != nil {
			return err
		}
	}
	item := it.item()
	for {
		who, why := routing.Pick(item, routing.Facts{Agents: agents, Grants: grants, PatientOwners: owners}, now)
		if who == "" {
			return s.unassigned(ctx, tx, it, why, now, res)
		}
		// Another router may have filled this agent since the pool was
		// read: re-count under the agent's row lock before committing.
		open, capacity, err := s.lockAgent(ctx, tx, who)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(agents, func(a routing.Agent) bool { return a.UserID == who })
		if open >= capacity {
			// Full under the lock: take both numbers as they are now. With
			// only the count, an agent whose capacity was lowered since the
			// pool was read would look free again and be picked forever,
			// the router holding the agent's row all the while.
			agents[i].Open, agents[i].Capacity = open, capacity
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE work_items SET owner_id = $2, state = 'assigned', assigned_at = $3,
unassigned_reason = '', route_after = NULL, version = version + 1, updated_at = $3 WHERE id = $1`, it.ID, who, now); err != nil {
			return err
		}
		if s.cfg.BeforeCommit != nil {
			if err := s.cfg.BeforeCommit(ctx, it.ID, who); err != nil {
				return err
			}
		}
		res.OwnerID, res.Waited = who, now.Sub(it.created)
		return nil
	}
}

func (s *Store) unassigned(ctx context.Context, tx *sql.Tx, it itemRow, why routing.NoCandidate, now time.Time, res *routing.Result) error {
	attempts := it.attempts + 1
	res.Reason, res.RetryAt = why, now.Add(Backoff(attempts))
	res.Escalated = it.escalate && !now.Before(it.DueAt.Add(-s.cfg.EscalateBefore))
	q := `UPDATE work_items SET route_attempts = $2, unassigned_reason = $3, route_after = $4, updated_at = $5`
	if res.Escalated {
		q += `, escalated_at = $5`
	}
	if _, err := tx.ExecContext(ctx, q+` WHERE id = $1`, it.ID, attempts, string(why), res.RetryAt, now); err != nil {
		return err
	}
	_, err := outbox.Enqueue(ctx, tx, now, work.RouteArgs{WorkItemID: it.ID, ItemKind: it.Kind}, res.RetryAt)
	return err
}

func (s *Store) lockAgent(ctx context.Context, tx *sql.Tx, userID string) (open, capacity int, err error) {
	q := `SELECT capacity FROM agents WHERE user_id = $1` + s.db.Dialect.ForUpdate()
	if err = tx.QueryRowContext(ctx, q, userID).Scan(&capacity); err != nil {
		return 0, 0, fmt.Errorf("lock agent: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE owner_id = $1 AND state IN `+openStates, userID).Scan(&open)
	return open, capacity, err
}

func patientOwners(ctx context.Context, tx *sql.Tx, patientID string) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT owner_id, count(*) FROM work_items
WHERE patient_id = $1 AND owner_id IS NOT NULL AND state IN `+openStates+` GROUP BY owner_id`, patientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
