package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// ErrAlreadyDone is returned by Once when the task was processed before.
var ErrAlreadyDone = errors.New("outbox: task already processed")

const recordTask = `INSERT INTO processed_tasks (task_id, task_type, processed_at) VALUES ($1, $2, $3)`

// Once runs fn in a transaction that also records taskID, so a task
// delivered twice (a retry after a lost acknowledgement, a re-sent outbox
// row) changes the database once. The second delivery gets ErrAlreadyDone,
// which handlers treat as success. Handlers take taskID from
// asynq.GetTaskID.
func Once(ctx context.Context, db *sqldb.DB, taskID, taskType string, now time.Time, fn func(tx *sql.Tx) error) error {
	if taskID == "" {
		return fmt.Errorf("outbox: task %s has no id", taskType)
	}
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, recordTask, taskID, taskType, now.UTC()); err != nil {
			if errors.Is(sqldb.MapError(err), apperr.ErrConflict) {
				return ErrAlreadyDone
			}
			return err
		}
		return fn(tx)
	})
}
