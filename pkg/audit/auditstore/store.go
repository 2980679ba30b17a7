// Package auditstore keeps the audit trail in PostgreSQL or SQLite and
// builds the RFC 6962 Merkle log over it. It is the only place audit SQL
// lives; the tables are append-only (triggers refuse UPDATE and DELETE).
package auditstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Store appends audit events and integrates them into the Merkle log.
type Store struct {
	db *sqldb.DB
	// BatchSize is how many events one integration transaction takes.
	BatchSize int
}

var _ audit.Storer = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db, BatchSize: 4000} }

// Advisory lock keys on PostgreSQL. Appenders hold appendLock shared for
// their transaction; the integrator takes it exclusively for an instant to
// find the horizon below which every event is committed (see horizon).
const (
	integratorLock int64 = 0x6175646974_01 // "audit" 1
	appendLock     int64 = 0x6175646974_02
)

const (
	eventColumns = 8
	appendChunk  = 1000 // rows per SQLite INSERT: 8,000 parameters, under its limit
	insertEvents = `INSERT INTO audit_events (id, at, practice_id, patient_id, actor_subject, action, outcome, body) VALUES `
	shareAppend  = `SELECT pg_advisory_xact_lock_shared($1)`
)

// Append stores events inside the caller's transaction q. On PostgreSQL
// the one statement takes appendLock shared, held until q commits, which
// is what lets the integrator know no event with a lower seq can still
// appear, and inserts the events over column arrays, whatever their
// number (lockAndInsert). SQLite gets one multi-row INSERT per thousand
// events.
func (s *Store) Append(ctx context.Context, q sqldb.Querier, events []audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	if s.db.Dialect.Concurrent() {
		cols, err := columnsOf(events)
		if err != nil {
			return err
		}
		// Held to travel with the next statement or the commit when q is
		// a Writer.
		if err := sqldb.ExecLater(ctx, q, lockAndInsert, append(cols.args(), appendLock)...); err != nil {
			return fmt.Errorf("insert audit events: %w", sqldb.MapError(err))
		}
		return nil
	}
	for start := 0; start < len(events); start += appendChunk {
		chunk := events[start:min(start+appendChunk, len(events))]
		var sb strings.Builder
		sb.WriteString(insertEvents)
		args := make([]any, 0, len(chunk)*eventColumns)
		for i, e := range chunk {
			body, err := audit.Canonical(e)
			if err != nil {
				return fmt.Errorf("audit event %q: %w", e.ID, err)
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('(')
			for c := 0; c < eventColumns; c++ {
				if c > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(s.db.Dialect.Param(len(args) + c + 1))
			}
			sb.WriteByte(')')
			args = append(args, e.ID, audit.CanonicalTime(e.Time), nullable(e.PracticeID), nullable(firstPatient(e)),
				e.Actor.Subject, string(e.Action), string(e.Outcome), string(body))
		}
		if _, err := q.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert audit events: %w", sqldb.MapError(err))
		}
	}
	return nil
}

// firstPatient is the patient the search column holds: the lowest id,
// matching the canonical order. Searches by patient read
// audit_event_patients, which lists every patient of every event.
func firstPatient(e audit.Event) string {
	if len(e.PatientIDs) == 0 {
		return ""
	}
	m := e.PatientIDs[0]
	for _, p := range e.PatientIDs[1:] {
		m = min(m, p)
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
