package workstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// closeGoneChecks closes the practice's unfinished eligibility checks
// nobody owns whose visit is cancelled, broken, completed or started
// before $3. It reads the unfinished checks (work_items_unfinished) and
// each one's visit by its key, so it costs the same however long the
// practice's schedule history grows.
const closeGoneChecks = `UPDATE work_items SET state = 'closed', finished_at = $2, lease_until = NULL, next_contact_at = NULL,
stage = '', stage_reason = '', route_after = NULL, version = version + 1, updated_at = $2
WHERE practice_id = $1 AND kind = 'eligibility_check' AND state IN ('open', 'waiting') AND owner_id IS NULL
AND subject_type = 'appointment' AND EXISTS (SELECT 1 FROM appointments a WHERE a.id = work_items.subject_id
AND a.practice_id = work_items.practice_id AND (a.status IN ('cancelled', 'broken', 'completed') OR a.starts_at < $3))
RETURNING id, patient_id, (SELECT a.status FROM appointments a WHERE a.id = work_items.subject_id)`

// historyBatch bounds the history entries one statement writes, within
// both engines' parameter limits.
const historyBatch = 1000

// goneWords say why a check was closed, by its visit's status.
var goneWords = map[string]string{
	"cancelled": "The visit was cancelled; the check was closed without asking the payer.",
	"broken":    "The patient missed the visit; the check was closed without asking the payer.",
	"completed": "The visit took place before the check was worked; it was closed.",
}

// CloseGoneChecks implements work.Storer: one statement to close, and one
// per historyBatch checks for their history.
func (s *Store) CloseGoneChecks(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time) (int, error) {
	now = now.UTC()
	type gone struct{ id, patient, status string }
	var closed []gone
	rows, err := tx.QueryContext(ctx, closeGoneChecks, practiceID, now, now)
	if err != nil {
		return 0, fmt.Errorf("close checks of visits gone: %w", sqldb.MapError(err))
	}
	for rows.Next() {
		var g gone
		if err := rows.Scan(&g.id, &g.patient, &g.status); err != nil {
			rows.Close()
			return 0, sqldb.MapError(err)
		}
		closed = append(closed, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, sqldb.MapError(err)
	}
	for start := 0; start < len(closed); start += historyBatch {
		part := closed[start:min(start+historyBatch, len(closed))]
		args := make([]any, 0, 9*len(part))
		for _, g := range part {
			note, ok := goneWords[g.status]
			if !ok {
				note = "The visit's time passed before the check was worked; it was closed."
			}
			args = append(args, uuid.Must(uuid.NewV7()).String(), practiceID, g.id, g.patient, work.SystemActor,
				string(work.ByNote), string(work.VisitGone), note, now)
		}
		q, qargs, err := s.db.Dialect.InsertRows(`INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id,
channel, outcome, note, at) `, 9, args, "")
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
			return 0, fmt.Errorf("write closed checks' history: %w", sqldb.MapError(err))
		}
	}
	return len(closed), nil
}
