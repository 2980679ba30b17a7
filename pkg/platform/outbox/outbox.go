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
	"strings"
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

const insertHead = `INSERT INTO outbox (id, task_type, queue, payload, headers, process_at, created_at) `

// Add writes m into the outbox through q, which should be the transaction
// making the business change. The trace context of ctx travels with the row.
// It returns the row id, which becomes the asynq task id.
func Add(ctx context.Context, q sqldb.Querier, now time.Time, m Message) (string, error) {
	ids, err := AddBatch(ctx, q, sqldb.Postgres, now, []Message{m})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// batchRows keeps one statement's parameters well under both engines' limits.
const batchRows = 1000

// AddBatch writes many messages with multi-row inserts, for changes that
// queue a task per row (an import generating thousands of work items).
// d picks the statement's form: on PostgreSQL, column arrays through
// unnest; elsewhere a VALUES list. A single row always uses numbered ($n)
// placeholders, which both engines take, so Add passes Postgres whatever
// the engine.
func AddBatch(ctx context.Context, q sqldb.Querier, d sqldb.Dialect, now time.Time, ms []Message) ([]string, error) {
	headers, err := json.Marshal(queue.TraceHeaders(ctx))
	if err != nil {
		return nil, fmt.Errorf("outbox: headers: %w", err)
	}
	ids := make([]string, 0, len(ms))
	for start := 0; start < len(ms); start += batchRows {
		part := ms[start:min(start+batchRows, len(ms))]
		var b strings.Builder
		b.WriteString(insertHead)
		args := make([]any, 0, len(part)*7)
		var values strings.Builder
		for i, m := range part {
			if m.Type == "" || m.Queue == "" {
				return nil, fmt.Errorf("outbox: message needs a type and a queue")
			}
			id, err := uuid.NewV7()
			if err != nil {
				return nil, fmt.Errorf("outbox: id: %w", err)
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
			if i > 0 {
				values.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&values, "(%s, %s, %s, %s, %s, %s, %s)", d.Param(n+1), d.Param(n+2), d.Param(n+3), d.Param(n+4), d.Param(n+5), d.Param(n+6), d.Param(n+7))
			args = append(args, id.String(), m.Type, m.Queue, payload, string(headers), at, now.UTC())
			ids = append(ids, id.String())
		}
		if d == sqldb.Postgres && len(part) > 1 {
			cols, _, err := sqldb.ColumnArrays(args, 7)
			if err != nil {
				return nil, err
			}
			b.WriteString(`SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::text[], $6::timestamptz[], $7::timestamptz[])`)
			args = cols
		} else {
			b.WriteString("VALUES ")
			b.WriteString(values.String())
		}
		if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
			return nil, fmt.Errorf("outbox: insert: %w", sqldb.MapError(err))
		}
	}
	return ids, nil
}
