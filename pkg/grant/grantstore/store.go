// Package grantstore keeps grants, access requests and break-glass
// sessions in PostgreSQL or SQLite, each change in one transaction with
// its audit event.
package grantstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Store implements grant.Storer.
type Store struct {
	db *sqldb.DB
	// audit appends each change's event on the change's own transaction
	// (auditstore.Store does), so a grant never exists without the record
	// of who gave it, and a change that fails leaves no event.
	audit audit.Appender
}

var _ grant.Storer = (*Store)(nil)

// New returns a Store over db that appends audit events with events.
func New(db *sqldb.DB, events audit.Appender) *Store {
	return &Store{db: db, audit: events}
}

// within runs fn in a transaction scoped to practiceID, appending ev.
func (s *Store) within(ctx context.Context, practiceID string, ev audit.Event, fn func(tx *sql.Tx) error) error {
	return s.db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
}

// read runs fn in a read transaction scoped to practiceID ("" for every
// practice: lookups by id before the practice is known).
func (s *Store) read(ctx context.Context, practiceID string, fn func(tx *sql.Tx) error) error {
	if practiceID == "" {
		ctx = sqldb.AllPractices(ctx)
	} else {
		ctx = sqldb.WithPractice(ctx, practiceID)
	}
	return s.db.Tx(ctx, fn)
}

func encode[T any](v []T) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func decode[T any](s string, into *[]T) error {
	if err := json.Unmarshal([]byte(s), into); err != nil {
		return fmt.Errorf("stored list does not decode: %w", err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// GranteeExists reports whether an agent or team has id.
func (s *Store) GranteeExists(ctx context.Context, t grant.GranteeType, id string) (bool, error) {
	q := `SELECT 1 FROM agents WHERE user_id = $1 AND active`
	if t == grant.GranteeTeam {
		q = `SELECT 1 FROM teams WHERE id = $1`
	}
	var one int
	err := s.db.QueryRowContext(ctx, q, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, sqldb.MapError(err)
}

// GranteeNames implements grant.Storer.
func (s *Store) GranteeNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		in := sqldb.Numbered(1, len(chunk)) // both halves use the same list
		rows, err := s.db.QueryContext(ctx, `SELECT id, name FROM teams WHERE id IN (`+in+`)
UNION ALL SELECT user_id, display_name FROM agents WHERE user_id IN (`+in+`)`, args...)
		if err != nil {
			return nil, sqldb.MapError(err)
		}
		for rows.Next() {
			var id, name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, sqldb.MapError(err)
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, sqldb.MapError(err)
		}
	}
	return out, nil
}

// PatientPractice returns the practice a patient belongs to.
func (s *Store) PatientPractice(ctx context.Context, patientID string) (string, error) {
	var id string
	err := s.read(ctx, "", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT practice_id FROM patients WHERE id = $1`, patientID).Scan(&id)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("patient")
	}
	return id, sqldb.MapError(err)
}

// list runs query within practiceID's scope ("" for every practice) and
// scans its rows.
func list[T any](ctx context.Context, s *Store, practiceID string, scan func(*sql.Rows) ([]T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := s.read(ctx, practiceID, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = scan(rows)
		return err
	})
	return out, sqldb.MapError(err)
}

// byID reads the one row query finds for id, across practices (the caller
// checks the practice afterwards), or answers that what is not found.
func byID[T any](ctx context.Context, s *Store, query, id, what string, scan func(*sql.Rows) ([]T, error)) (T, error) {
	out, err := list(ctx, s, "", scan, query, id)
	var zero T
	if err != nil {
		return zero, err
	}
	if len(out) == 0 {
		return zero, apperr.NotFound(what)
	}
	return out[0], nil
}
