// Package outbox makes "change the database, then enqueue a task" atomic.
// A business transaction writes an outbox row beside its change (Add); the
// relay (pkg/platform/relay) enqueues committed rows into asynq with the
// task id set to the row id, so a relay that dies after enqueueing and
// retries cannot create a second task. Handlers make themselves idempotent
// with Once. This package is the transactional half alone: it needs
// nothing but database/sql, so domains queue work without knowing asynq.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
)

// Message is a task to enqueue once the surrounding transaction commits.
type Message struct {
	Type    string    // asynq task type, e.g. "practice:provision"
	Queue   string    // asynq queue name
	Payload []byte    // task payload (identifiers, never PHI values)
	At      time.Time // run no earlier than this; zero means now
}

// Args is a task's payload that knows its task type and its queue, so that
// a task is always queued where its handler expects it (River's JobArgs
// play the same part). Queues belong to the domain that owns the work.
type Args interface {
	// Kind is the task type, e.g. "workitem:route".
	Kind() string
	// Queue is the asynq queue the task waits in.
	Queue() string
}

// New returns the message that queues args, to run no earlier than at
// (zero: at once). Payloads carry identifiers, never PHI values.
func New(args Args, at time.Time) (Message, error) {
	payload, err := json.Marshal(args)
	if err != nil {
		return Message{}, fmt.Errorf("outbox: payload of %s: %w", args.Kind(), err)
	}
	return Message{Type: args.Kind(), Queue: args.Queue(), Payload: payload, At: at}, nil
}

// Enqueue writes the message of args through q, the transaction making
// the business change, and returns the row id.
func Enqueue(ctx context.Context, q sqldb.Querier, now time.Time, args Args, at time.Time) (string, error) {
	m, err := New(args, at)
	if err != nil {
		return "", err
	}
	return Add(ctx, q, now, m)
}

// TraceHeaders returns the W3C trace context of ctx as task headers, so
// the trace of the request that queued a task continues in its handler.
func TraceHeaders(ctx context.Context) map[string]string {
	c := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, c)
	return c
}

const insertHead = `INSERT INTO outbox (id, task_type, queue, payload, headers, process_at, created_at) `

// insertOne writes a single row with numbered placeholders, which both
// engines take, so Add needs no dialect.
const insertOne = insertHead + `VALUES ($1, $2, $3, $4, $5, $6, $7)`

// Add writes m into the outbox through q, which should be the transaction
// making the business change. The trace context of ctx travels with the row.
// It returns the row id, which becomes the asynq task id.
func Add(ctx context.Context, q sqldb.Querier, now time.Time, m Message) (string, error) {
	ids, err := AddBatch(ctx, q, sqldb.SQLite, now, []Message{m}) // one row: the dialect is not used
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// batchRows keeps one statement's parameters well under both engines' limits.
const batchRows = 1000

// AddBatch writes many messages with multi-row inserts, for changes that
// queue a task per row (an import generating thousands of work items).
// d picks the statement's form (sqldb.Dialect.InsertRows); a single row
// always uses numbered placeholders, which both engines take.
func AddBatch(ctx context.Context, q sqldb.Querier, d sqldb.Dialect, now time.Time, ms []Message) ([]string, error) {
	headers, err := json.Marshal(TraceHeaders(ctx))
	if err != nil {
		return nil, fmt.Errorf("outbox: headers: %w", err)
	}
	ids := make([]string, 0, len(ms))
	for start := 0; start < len(ms); start += batchRows {
		part := ms[start:min(start+batchRows, len(ms))]
		args := make([]any, 0, len(part)*7)
		for _, m := range part {
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
			args = append(args, id.String(), m.Type, m.Queue, payload, string(headers), at, now.UTC())
			ids = append(ids, id.String())
		}
		stmt, stmtArgs := insertOne, args
		if len(part) > 1 {
			if stmt, stmtArgs, err = d.InsertRows(insertHead, 7, args, ""); err != nil {
				return nil, err
			}
		}
		// Held to travel with the next statement or the commit when q
		// is a Writer: nothing here reads the insert's result.
		if err := sqldb.ExecLater(ctx, q, stmt, stmtArgs...); err != nil {
			return nil, fmt.Errorf("outbox: insert: %w", sqldb.MapError(err))
		}
	}
	return ids, nil
}
