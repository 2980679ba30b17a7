package routingstore

import (
	"context"
	"database/sql"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Unrouted lists open items nobody owns, escalated ones first, then by due
// date; escalatedOnly narrows to those escalated.
func (s *Store) Unrouted(ctx context.Context, escalatedOnly bool, limit int) ([]routing.Waiting, error) {
	var out []routing.Waiting
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		out = out[:0]
		only := 0
		if escalatedOnly {
			only = 1
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, practice_id, kind, unassigned_reason, route_attempts, due_at, route_after,
escalated_at, created_at FROM work_items WHERE state = 'open' AND ($1 = 0 OR escalated_at IS NOT NULL)
ORDER BY CASE WHEN escalated_at IS NULL THEN 1 ELSE 0 END, due_at, id LIMIT $2`, only, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w routing.Waiting
			var retry, esc sql.NullTime
			if err := rows.Scan(&w.ItemID, &w.PracticeID, &w.Kind, &w.Reason, &w.Attempts, &w.DueAt, &retry, &esc, &w.CreatedAt); err != nil {
				return err
			}
			if retry.Valid {
				t := retry.Time.UTC()
				w.RetryAt = &t
			}
			if esc.Valid {
				t := esc.Time.UTC()
				w.EscalatedAt = &t
			}
			w.DueAt, w.CreatedAt = w.DueAt.UTC(), w.CreatedAt.UTC()
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}
