// Package outbox makes "change the database, then enqueue a task" atomic.
// A business transaction writes an outbox row beside its change (Add); the
// Relay enqueues committed rows into asynq with the task id set to the row
// id, so a relay that dies after enqueueing and retries cannot create a
// second task; a periodic sweep re-enqueues anything left unsent. Handlers
// make themselves idempotent with Once.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
)

// Message is a task to enqueue once the surrounding transaction commits.
type Message struct {
	Type    string    // asynq task type, e.g. "practice:provision"
	Queue   string    // asynq queue name
	Payload []byte    // task payload (identifiers, never PHI values)
	At      time.Time // run no earlier than this; zero means now
}

const insertRow = `INSERT INTO outbox (id, task_type, queue, payload, headers, process_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

// Add writes m into the outbox through q, which should be the transaction
// making the business change. The trace context of ctx travels with the row.
// It returns the row id, which becomes the asynq task id.
func Add(ctx context.Context, q sqldb.Querier, now time.Time, m Message) (string, error) {
	if m.Type == "" || m.Queue == "" {
		return "", fmt.Errorf("outbox: message needs a type and a queue")
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("outbox: id: %w", err)
	}
	headers, err := json.Marshal(queue.TraceHeaders(ctx))
	if err != nil {
		return "", fmt.Errorf("outbox: headers: %w", err)
	}
	var at *time.Time
	if !m.At.IsZero() {
		t := m.At.UTC()
		at = &t
	}
	payload := m.Payload
	if payload == nil {
		payload = []byte{}
	}
	if _, err := q.ExecContext(ctx, insertRow, id.String(), m.Type, m.Queue, payload, string(headers), at, now.UTC()); err != nil {
		return "", fmt.Errorf("outbox: insert: %w", sqldb.MapError(err))
	}
	return id.String(), nil
}
