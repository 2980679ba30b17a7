// Package workstore keeps work items, their activities and the contact
// facts the desk reads, in PostgreSQL or SQLite.
package workstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
)

// Store implements work.Storer.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ work.Storer = (*Store)(nil)

// New returns a Store over db that writes audit events through trail.
func New(db *sqldb.DB, trail audit.Appender) *Store { return &Store{db: db, audit: trail} }

const itemColumns = 12

// CreateOpen implements work.Storer.
func (s *Store) CreateOpen(ctx context.Context, tx *sql.Tx, items []work.Item, now time.Time) ([]work.Item, error) {
	d := s.db.Dialect
	var created []work.Item
	for start := 0; start < len(items); start += 1000 {
		end := min(start+1000, len(items))
		batch, err := insertBatch(ctx, tx, d, items[start:end])
		if err != nil {
			return nil, err
		}
		created = append(created, batch...)
	}
	if err := reprioritize(ctx, tx, d, items, created, now); err != nil {
		return nil, err
	}
	msgs := make([]outbox.Message, 0, len(created))
	for _, it := range created {
		m, err := outbox.New(work.RouteArgs{WorkItemID: it.ID, ItemKind: it.Kind}, time.Time{})
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	if _, err := outbox.AddBatch(ctx, tx, d, now, msgs); err != nil {
		return nil, err
	}
	return created, nil
}

const insertItems = `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, due_at,
created_at, updated_at, priority, priority_reasons) `

// createdOnly keeps an item out when its subject already has an unfinished
// item of its kind, and names the ones inserted.
const createdOnly = ` ON CONFLICT (subject_type, subject_id, kind) WHERE state NOT IN ('resolved', 'closed') DO NOTHING RETURNING id`

func insertBatch(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, items []work.Item) ([]work.Item, error) {
	args := make([]any, 0, len(items)*itemColumns)
	for _, it := range items {
		args = append(args, it.ID, it.PracticeID, it.PatientID, string(it.Kind), string(it.SubjectType), it.SubjectID, string(work.Open), it.DueAt.UTC(), it.CreatedAt.UTC(), it.CreatedAt.UTC(), int64(it.Priority), reasonsOf(it))
	}
	q, args, err := d.InsertRows(insertItems, itemColumns, args, createdOnly)
	if err != nil {
		return nil, err
	}
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("create work items: %w", sqldb.MapError(err))
	}
	defer rs.Close()
	byID := make(map[string]work.Item, len(items))
	for _, it := range items {
		byID[it.ID] = it
	}
	var out []work.Item
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, byID[id])
	}
	return out, rs.Err()
}

func reasonsOf(it work.Item) string {
	if it.Reasons == "" {
		return "[]"
	}
	return it.Reasons
}

// reprioritize gives the items that already existed (those not created)
// the priority their records now call for: the inputs changed, so the
// score and its reasons are recomputed.
func reprioritize(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, items, created []work.Item, now time.Time) error {
	fresh := make(map[string]bool, len(created))
	for _, it := range created {
		fresh[it.ID] = true
	}
	var st, sid, kind, reasons []string
	var prio []int64
	for _, it := range items {
		if !fresh[it.ID] {
			st, sid, kind = append(st, string(it.SubjectType)), append(sid, it.SubjectID), append(kind, string(it.Kind))
			prio, reasons = append(prio, int64(it.Priority)), append(reasons, reasonsOf(it))
		}
	}
	if len(st) == 0 {
		return nil
	}
	if d == sqldb.Postgres {
		_, err := tx.ExecContext(ctx, `UPDATE work_items w SET priority = u.p, priority_reasons = u.r, updated_at = $6
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS u(st, sid, k, p, r)
WHERE w.subject_type = u.st AND w.subject_id = u.sid AND w.kind = u.k AND w.state NOT IN ('resolved', 'closed')
AND (w.priority <> u.p OR w.priority_reasons <> u.r)`, st, sid, kind, prio, reasons, now.UTC())
		return sqldb.MapError(err)
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE work_items SET priority = $1, priority_reasons = $2, updated_at = $3
WHERE subject_type = $4 AND subject_id = $5 AND kind = $6 AND state NOT IN ('resolved', 'closed')
AND (priority <> $1 OR priority_reasons <> $2)`)
	if err != nil {
		return sqldb.MapError(err)
	}
	defer stmt.Close()
	for i := range st {
		if _, err := stmt.ExecContext(ctx, prio[i], reasons[i], now.UTC(), st[i], sid[i], kind[i]); err != nil {
			return sqldb.MapError(err)
		}
	}
	return nil
}
