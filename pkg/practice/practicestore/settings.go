package practicestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
)

const (
	insertLocation = `INSERT INTO locations (id, practice_id, name, address_line1, address_line2, city, state, postal_code, phone, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`
	selectLocations = `SELECT id, practice_id, name, address_line1, address_line2, city, state, postal_code, phone, created_at
FROM locations WHERE practice_id = $1 ORDER BY created_at, id`
	selectPolicies = `SELECT kind, body, version, updated_by, updated_at FROM practice_policies WHERE practice_id = $1 ORDER BY kind`
	selectPolicyV  = `SELECT version FROM practice_policies WHERE practice_id = $1 AND kind = $2`
	insertPolicy   = `INSERT INTO practice_policies (practice_id, kind, body, version, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`
	updatePolicy   = `UPDATE practice_policies SET body = $3, version = $4, updated_by = $5, updated_at = $6
WHERE practice_id = $1 AND kind = $2 AND version = $7`
)

// AddLocation implements practice.LocationStorer.
func (s *Store) AddLocation(ctx context.Context, l practice.Location, ev audit.Event) error {
	_, err := s.exec(ctx, ev, insertLocation, l.ID, l.PracticeID, l.Name, l.AddressLine1, l.AddressLine2, l.City, l.State, l.PostalCode, l.Phone, l.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert location: %w", err)
	}
	return nil
}

// Locations implements practice.LocationStorer.
func (s *Store) Locations(ctx context.Context, practiceID string) ([]practice.Location, error) {
	var out []practice.Location
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, selectLocations, practiceID)
		if err != nil {
			return fmt.Errorf("list locations: %w", sqldb.MapError(err))
		}
		defer rows.Close()
		out = []practice.Location{}
		for rows.Next() {
			var l practice.Location
			if err := rows.Scan(&l.ID, &l.PracticeID, &l.Name, &l.AddressLine1, &l.AddressLine2, &l.City, &l.State, &l.PostalCode, &l.Phone, &l.CreatedAt); err != nil {
				return err
			}
			l.CreatedAt = l.CreatedAt.UTC()
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Policies implements practice.PolicyStorer.
func (s *Store) Policies(ctx context.Context, practiceID string) ([]practice.StoredPolicy, error) {
	var out []practice.StoredPolicy
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		rows, err := q.QueryContext(ctx, selectPolicies, practiceID)
		if err != nil {
			return fmt.Errorf("read policies: %w", sqldb.MapError(err))
		}
		defer rows.Close()
		out = nil
		for rows.Next() {
			var p practice.StoredPolicy
			var body string
			if err := rows.Scan(&p.Kind, &body, &p.Version, &p.UpdatedBy, &p.UpdatedAt); err != nil {
				return err
			}
			p.Body = []byte(body)
			out = append(out, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PutPolicy implements practice.PolicyStorer.
func (s *Store) PutPolicy(ctx context.Context, practiceID string, p practice.StoredPolicy, ev audit.Event) error {
	stale := &apperr.Error{Kind: apperr.KindConflict, Code: "stale_version", Field: "version", Message: "the policy changed since you read it; reload and try again"}
	return s.within(ctx, ev, func(tx *sql.Tx) error {
		var cur int
		err := tx.QueryRowContext(ctx, selectPolicyV, practiceID, p.Kind).Scan(&cur)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if p.Version != 1 {
				return stale
			}
			if _, err := tx.ExecContext(ctx, insertPolicy, practiceID, p.Kind, string(p.Body), p.Version, p.UpdatedBy, p.UpdatedAt); err != nil {
				if errors.Is(sqldb.MapError(err), apperr.ErrConflict) {
					return stale
				}
				return fmt.Errorf("insert policy: %w", sqldb.MapError(err))
			}
			return nil
		case err != nil:
			return fmt.Errorf("read policy: %w", sqldb.MapError(err))
		}
		if cur != p.Version-1 {
			return stale
		}
		res, err := tx.ExecContext(ctx, updatePolicy, practiceID, p.Kind, string(p.Body), p.Version, p.UpdatedBy, p.UpdatedAt, cur)
		if err != nil {
			return fmt.Errorf("update policy: %w", sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return stale
		}
		return nil
	})
}
