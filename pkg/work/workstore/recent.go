package workstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
)

// recentItems finds patients' items of a kind, unfinished or resolved
// lately, through the patient indexes; the patients' condition
// (Dialect.In) follows it.
const recentItems = `SELECT patient_id, subject_type, subject_id, state FROM work_items
WHERE kind = %s AND (state NOT IN ('resolved', 'closed') OR (state = 'resolved' AND finished_at >= %s)) AND %s`

// recentBatch bounds the patients one statement asks about, well under
// SQLite's parameter limit.
const recentBatch = 1000

// RecentItems implements work.Storer: a statement per thousand patients.
func (s *Store) RecentItems(ctx context.Context, tx *sql.Tx, kind policy.Kind, patientIDs []string, resolvedSince time.Time) ([]work.Recent, error) {
	d := s.db.Dialect
	var out []work.Recent
	for start := 0; start < len(patientIDs); start += recentBatch {
		in, args := d.In("patient_id", 3, patientIDs[start:min(start+recentBatch, len(patientIDs))])
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(recentItems, d.Param(1), d.Param(2), in),
			append([]any{string(kind), resolvedSince.UTC()}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("read recent items: %w", sqldb.MapError(err))
		}
		for rows.Next() {
			var r work.Recent
			var subject, state string
			if err := rows.Scan(&r.PatientID, &subject, &r.SubjectID, &state); err != nil {
				rows.Close()
				return nil, sqldb.MapError(err)
			}
			r.SubjectType, r.Resolved = work.SubjectType(subject), work.State(state) == work.Resolved
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, sqldb.MapError(err)
		}
	}
	return out, nil
}
