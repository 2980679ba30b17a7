// Package accessstore keeps grants, access requests and break-glass
// sessions in PostgreSQL or SQLite, each change in one transaction with
// its audit event, and answers the Decider's questions about them.
package accessstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Store implements access.Store.
type Store struct {
	db    *sqldb.DB
	audit *auditstore.Store
	// people answers access.Store's SamePerson with identity's own rule,
	// so every "not your own action" check compares people alike.
	people *identitystore.Store
}

var _ access.Store = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store {
	return &Store{db: db, audit: auditstore.New(db), people: identitystore.New(db, auditstore.New(db))}
}

// SamePerson implements identity.People (through access.Store).
func (s *Store) SamePerson(ctx context.Context, a, b string) (bool, error) {
	return s.people.SamePerson(ctx, a, b)
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

// Practice returns what decisions need of a practice: its status ("" when
// it does not exist) and whether it requires a second factor for PHI.
func (s *Store) Practice(ctx context.Context, practiceID string) (access.PracticeFacts, error) {
	var f access.PracticeFacts
	err := s.read(ctx, practiceID, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT status, require_mfa FROM practices WHERE id = $1`, practiceID).Scan(&f.Status, &f.RequireMFA)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return f, sqldb.MapError(err)
}

// GranteeExists reports whether an agent or team has id.
func (s *Store) GranteeExists(ctx context.Context, t access.GranteeType, id string) (bool, error) {
	q := `SELECT 1 FROM agents WHERE user_id = $1 AND active`
	if t == access.GranteeTeam {
		q = `SELECT 1 FROM teams WHERE id = $1`
	}
	var one int
	err := s.db.QueryRowContext(ctx, q, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, sqldb.MapError(err)
}

// GranteeNames implements access.Store.
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

// OwnedItems returns the user's open work items for a patient of a practice.
func (s *Store) OwnedItems(ctx context.Context, userID, practiceID, patientID string) ([]access.OwnedItem, error) {
	var out []access.OwnedItem
	err := s.read(ctx, practiceID, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, kind FROM work_items
WHERE owner_id = $1 AND practice_id = $2 AND patient_id = $3 AND state IN ('assigned', 'in_progress', 'waiting')`,
			userID, practiceID, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it := access.OwnedItem{PatientID: patientID}
			if err := rows.Scan(&it.ID, &it.Kind); err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}

// BreakGlassFor returns the user's latest sessions for a patient.
func (s *Store) BreakGlassFor(ctx context.Context, userID, practiceID, patientID string) ([]access.BreakGlass, error) {
	return list(ctx, s, practiceID, scanBreakGlass, breakGlassColumns+` WHERE user_id = $1 AND practice_id = $2 AND patient_id = $3
ORDER BY opened_at DESC LIMIT 5`, userID, practiceID, patientID)
}

// GrantsFor returns the user's grants on a practice, direct or through a team.
func (s *Store) GrantsFor(ctx context.Context, userID, practiceID string) ([]access.Grant, error) {
	return list(ctx, s, practiceID, scanGrants, grantColumns+` WHERE practice_id = $1 AND revoked_at IS NULL AND (
    (grantee_type = 'agent' AND grantee_id = $2)
 OR (grantee_type = 'team' AND grantee_id IN (SELECT team_id FROM team_members WHERE user_id = $2)))`, practiceID, userID)
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
