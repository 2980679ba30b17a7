package auditstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// insertColumns appends any number of events with one statement text, so
// PostgreSQL parses and plans it once per connection whatever the size of
// the group. unnest yields the arrays' elements in order, so seq follows
// the order of the group.
const insertColumns = `INSERT INTO audit_events (id, at, practice_id, patient_id, actor_subject, action, outcome, body)
SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`

// lockAndInsert is insertColumns behind the shared append lock, in one
// statement (one round trip inside a caller's transaction): the events'
// rows are the lock's row joined to the arrays' elements, so none exists,
// and no seq is drawn, before the lock is held. Its last parameter is
// the lock's key.
const lockAndInsert = `WITH appending AS MATERIALIZED (SELECT pg_advisory_xact_lock_shared($9))
INSERT INTO audit_events (id, at, practice_id, patient_id, actor_subject, action, outcome, body)
SELECT e.* FROM appending, unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS e`

// CommitEvents stores events and commits them before it returns; the
// recorder's group commit uses it. On PostgreSQL the shared append lock,
// the insert and the commit cost one round trip: both statements are sent
// in a pipeline ended by a single Sync, which makes them one implicit
// transaction, committed (durably, with synchronous_commit on) before the
// server answers. A failure of either statement rolls back both. On SQLite
// it is a transaction around Append.
func (s *Store) CommitEvents(ctx context.Context, events []audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	if !s.db.Dialect.Concurrent() {
		return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.Append(ctx, tx, events) })
	}
	cols, err := columnsOf(events)
	if err != nil {
		return err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("commit audit events: %w", sqldb.MapError(err))
	}
	defer conn.Close()
	err = conn.Raw(func(driverConn any) error {
		pc, ok := sqldb.Unwrap(driverConn).(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		s.db.Sent(1) // the pipeline ends in one Sync: one round trip
		var b pgx.Batch
		b.Queue(shareAppend, appendLock)
		b.Queue(insertColumns, cols.args()...)
		return pc.Conn().SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("commit audit events: %w", sqldb.MapError(err))
	}
	return nil
}

// columns is a group of events column by column, for insertColumns.
type columns struct {
	ids, actors, actions, outcomes, bodies []string
	practices, patients                    []*string // nil is NULL
	ats                                    []time.Time
}

// columnsOf encodes each event's canonical body and its search columns.
func columnsOf(events []audit.Event) (columns, error) {
	n := len(events)
	c := columns{
		ids: make([]string, n), actors: make([]string, n), actions: make([]string, n),
		outcomes: make([]string, n), bodies: make([]string, n),
		practices: make([]*string, n), patients: make([]*string, n), ats: make([]time.Time, n),
	}
	for i, e := range events {
		body, err := audit.Canonical(e)
		if err != nil {
			return columns{}, fmt.Errorf("audit event %q: %w", e.ID, err)
		}
		c.ids[i], c.ats[i], c.actors[i] = e.ID, audit.CanonicalTime(e.Time), e.Actor.Subject
		c.actions[i], c.outcomes[i], c.bodies[i] = string(e.Action), string(e.Outcome), string(body)
		c.practices[i], c.patients[i] = optional(e.PracticeID), optional(firstPatient(e))
	}
	return c, nil
}

// args are insertColumns' parameters, in its column order.
func (c columns) args() []any {
	return []any{c.ids, c.ats, c.practices, c.patients, c.actors, c.actions, c.outcomes, c.bodies}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
