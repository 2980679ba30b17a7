// Package accessstore reads the facts access decisions rest on from
// PostgreSQL or SQLite: a practice's status, the grants a person holds
// there (directly or through a team), the work items they own and their
// break-glass sessions. It only reads; grants and sessions are written by
// the grant domain's store (pkg/grant/grantstore).
package accessstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Store implements access.FactSource.
type Store struct {
	db *sqldb.DB
}

var (
	_ access.FactSource        = (*Store)(nil)
	_ access.PatientFactSource = (*Store)(nil)
)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

const (
	practiceFacts = `SELECT status, require_mfa FROM practices WHERE id = $1`
	// grantFacts finds the live grants of a practice that name the user
	// or one of the user's teams; revoked ones cannot come back, so they
	// are left out here, and expiry and lapse are judged on the dates.
	grantFacts = `SELECT id, practice_id, kinds, field_groups, valid_from, valid_until, review_due_at FROM grants
WHERE practice_id = $1 AND revoked_at IS NULL AND (
    (grantee_type = 'agent' AND grantee_id = $2)
 OR (grantee_type = 'team' AND grantee_id IN (SELECT team_id FROM team_members WHERE user_id = $2)))`
	ownedItems = `SELECT id, kind FROM work_items
WHERE owner_id = $1 AND practice_id = $2 AND patient_id = $3 AND state IN ('assigned', 'in_progress', 'waiting')`
	breakGlassFacts = `SELECT id, practice_id, patient_id, user_id, expires_at FROM break_glass
WHERE user_id = $1 AND practice_id = $2 AND patient_id = $3 ORDER BY opened_at DESC LIMIT 5`
)

// Practice returns what decisions need of a practice: its status ("" when
// it does not exist) and whether it requires a second factor for PHI.
func (s *Store) Practice(ctx context.Context, practiceID string) (access.PracticeFacts, error) {
	var f access.PracticeFacts
	err := s.read(ctx, practiceID, func(q sqldb.Querier) error {
		err := q.QueryRowContext(ctx, practiceFacts, practiceID).Scan(&f.Status, &f.RequireMFA)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return f, sqldb.MapError(err)
}

// GrantsFor returns the user's grants on a practice, direct or through a team.
func (s *Store) GrantsFor(ctx context.Context, userID, practiceID string) ([]access.GrantFact, error) {
	var out []access.GrantFact
	err := s.read(ctx, practiceID, func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, grantFacts, practiceID, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g access.GrantFact
			var kinds, groups string
			if err := rows.Scan(&g.ID, &g.PracticeID, &kinds, &groups, &g.ValidFrom, &g.ValidUntil, &g.ReviewDueAt); err != nil {
				return err
			}
			if err := decode(kinds, &g.Kinds); err != nil {
				return err
			}
			if err := decode(groups, &g.FieldGroups); err != nil {
				return err
			}
			g.ValidFrom, g.ValidUntil, g.ReviewDueAt = g.ValidFrom.UTC(), g.ValidUntil.UTC(), g.ReviewDueAt.UTC()
			out = append(out, g)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}

// OwnedItems returns the user's open work items for a patient of a practice.
func (s *Store) OwnedItems(ctx context.Context, userID, practiceID, patientID string) ([]access.OwnedItem, error) {
	var out []access.OwnedItem
	err := s.read(ctx, practiceID, func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, ownedItems, userID, practiceID, patientID)
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

// PatientFacts implements access.PatientFactSource: the user's latest
// break-glass sessions for the patient and, when items is set, the user's
// unfinished items about the patient, in one pipeline under a request's
// shared transaction.
func (s *Store) PatientFacts(ctx context.Context, userID, practiceID, patientID string, items bool) ([]access.BreakGlassFact, []access.OwnedItem, error) {
	var bg []access.BreakGlassFact
	var owned []access.OwnedItem
	args := []any{userID, practiceID, patientID}
	reads := []sqldb.Read{{Query: breakGlassFacts, Args: args, Row: func(r sqldb.Scanner) error {
		b, err := scanBreakGlass(r)
		bg = append(bg, b)
		return err
	}}}
	if items {
		reads = append(reads, sqldb.Read{Query: ownedItems, Args: args, Row: func(r sqldb.Scanner) error {
			it := access.OwnedItem{PatientID: patientID}
			err := r.Scan(&it.ID, &it.Kind)
			owned = append(owned, it)
			return err
		}})
	}
	if err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), reads...); err != nil {
		return nil, nil, err
	}
	return bg, owned, nil
}

func scanBreakGlass(r sqldb.Scanner) (access.BreakGlassFact, error) {
	var b access.BreakGlassFact
	err := r.Scan(&b.ID, &b.PracticeID, &b.PatientID, &b.UserID, &b.ExpiresAt)
	b.ExpiresAt = b.ExpiresAt.UTC()
	return b, err
}

// BreakGlassFor returns the user's latest sessions for a patient.
func (s *Store) BreakGlassFor(ctx context.Context, userID, practiceID, patientID string) ([]access.BreakGlassFact, error) {
	var out []access.BreakGlassFact
	err := s.read(ctx, practiceID, func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, breakGlassFacts, userID, practiceID, patientID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			b, err := scanBreakGlass(rows)
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}

// read runs fn, which only reads, scoped to practiceID (in the request's
// shared read transaction when there is one).
func (s *Store) read(ctx context.Context, practiceID string, fn func(q sqldb.Querier) error) error {
	return s.db.Scoped(sqldb.WithPractice(ctx, practiceID), fn)
}

func decode[T any](s string, into *[]T) error {
	if err := json.Unmarshal([]byte(s), into); err != nil {
		return fmt.Errorf("stored list does not decode: %w", err)
	}
	return nil
}
