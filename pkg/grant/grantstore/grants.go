package grantstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const (
	grantColumns = `SELECT id, practice_id, grantee_type, grantee_id, kinds, field_groups, purpose, reason, granted_by,
request_id, valid_from, valid_until, review_due_at, reviewed_at, reviewed_by, revoked_at, revoked_by, revoke_reason,
created_at, version FROM grants`
	insertGrant = `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, purpose, reason,
granted_by, request_id, valid_from, valid_until, review_due_at, created_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)`
	updateGrant = `UPDATE grants SET review_due_at = $3, reviewed_at = $4, reviewed_by = $5, revoked_at = $6,
revoked_by = $7, revoke_reason = $8, version = version + 1 WHERE id = $1 AND version = $2`
)

func scanGrants(rows *sql.Rows) ([]grant.Grant, error) {
	defer rows.Close()
	var out []grant.Grant
	for rows.Next() {
		var g grant.Grant
		var kinds, groups string
		var request, reviewedBy, revokedBy sql.NullString
		var reviewed, revoked sql.NullTime
		if err := rows.Scan(&g.ID, &g.PracticeID, &g.GranteeType, &g.GranteeID, &kinds, &groups, &g.Purpose, &g.Reason,
			&g.GrantedBy, &request, &g.ValidFrom, &g.ValidUntil, &g.ReviewDueAt, &reviewed, &reviewedBy, &revoked,
			&revokedBy, &g.RevokeNote, &g.CreatedAt, &g.Version); err != nil {
			return nil, err
		}
		if err := decode(kinds, &g.Kinds); err != nil {
			return nil, err
		}
		if err := decode(groups, &g.FieldGroups); err != nil {
			return nil, err
		}
		g.RequestID, g.ReviewedBy, g.RevokedBy = request.String, reviewedBy.String, revokedBy.String
		g.ReviewedAt, g.RevokedAt = timePtr(reviewed), timePtr(revoked)
		g.ValidFrom, g.ValidUntil, g.ReviewDueAt, g.CreatedAt = g.ValidFrom.UTC(), g.ValidUntil.UTC(), g.ReviewDueAt.UTC(), g.CreatedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

func insertGrantTx(ctx context.Context, tx *sql.Tx, g grant.Grant) error {
	_, err := tx.ExecContext(ctx, insertGrant, g.ID, g.PracticeID, string(g.GranteeType), g.GranteeID, encode(g.Kinds),
		encode(g.FieldGroups), g.Purpose, g.Reason, g.GrantedBy, nullable(g.RequestID), g.ValidFrom, g.ValidUntil,
		g.ReviewDueAt, g.CreatedAt)
	return err
}

// CreateGrant stores g with its audit event.
func (s *Store) CreateGrant(ctx context.Context, g grant.Grant, ev audit.Event) error {
	err := s.within(ctx, g.PracticeID, ev, func(tx *sql.Tx) error { return insertGrantTx(ctx, tx, g) })
	return sqldb.MapError(err)
}

// Grant returns one grant.
func (s *Store) Grant(ctx context.Context, id string) (grant.Grant, error) {
	return byID(ctx, s, grantColumns+` WHERE id = $1`, id, "grant", scanGrants)
}

// Grants lists a practice's grants, newest first.
func (s *Store) Grants(ctx context.Context, practiceID string) ([]grant.Grant, error) {
	return list(ctx, s, practiceID, scanGrants, grantColumns+` WHERE practice_id = $1 ORDER BY created_at DESC, id DESC`, practiceID)
}

var errStale = apperr.Conflict("stale_version", "the grant changed since you read it; reload and try again", nil)

// UpdateGrant stores g's review and revocation fields if version matches.
func (s *Store) UpdateGrant(ctx context.Context, g grant.Grant, version int, ev audit.Event) error {
	err := s.within(ctx, g.PracticeID, ev, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, updateGrant, g.ID, version, g.ReviewDueAt, nullTime(g.ReviewedAt),
			nullable(g.ReviewedBy), nullTime(g.RevokedAt), nullable(g.RevokedBy), g.RevokeNote)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		return nil
	})
	if errors.Is(err, errStale) {
		return errStale
	}
	return sqldb.MapError(err)
}

// DueForReview lists live grants (not revoked, not expired) whose
// re-certification falls before until, the most overdue first, across
// the given practices (every practice when practices is nil).
func (s *Store) DueForReview(ctx context.Context, practices []string, until, now time.Time, limit int) ([]grant.Grant, error) {
	if practices != nil && len(practices) == 0 {
		return []grant.Grant{}, nil
	}
	q := grantColumns + ` WHERE revoked_at IS NULL AND valid_until > $1 AND review_due_at < $2`
	args := []any{now, until}
	if practices != nil {
		q += ` AND practice_id IN (` + sqldb.Numbered(len(args)+1, len(practices)) + `)`
		for _, id := range practices {
			args = append(args, id)
		}
	}
	args = append(args, limit)
	q += ` ORDER BY review_due_at, id LIMIT ` + sqldb.Numbered(len(args), 1)
	out := []grant.Grant{}
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		got, err := scanGrants(rows)
		if got != nil {
			out = got
		}
		return err
	})
	return out, sqldb.MapError(err)
}
