package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/hibiken/asynq"
)

// ErrAlreadyDone is returned by Once when the task was processed before.
var ErrAlreadyDone = errors.New("outbox: task already processed")

const recordTask = `INSERT INTO processed_tasks (task_id, task_type, processed_at) VALUES ($1, $2, $3)`

// Once runs fn in a transaction that also records the task's id, so a task
// delivered twice (a retry after a lost acknowledgement, a re-sent outbox
// row) changes the database once. The second delivery gets ErrAlreadyDone,
// which handlers treat as success.
func Once(ctx context.Context, db *sqldb.DB, t *asynq.Task, now time.Time, fn func(tx *sql.Tx) error) error {
	id, ok := asynq.GetTaskID(ctx)
	if !ok || id == "" {
		return fmt.Errorf("outbox: task %s has no id in its context", t.Type())
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, recordTask, id, t.Type(), now.UTC()); err != nil {
			if errors.Is(sqldb.MapError(err), apperr.ErrConflict) {
				return ErrAlreadyDone
			}
			return err
		}
		return fn(tx)
	})
	return err
}
