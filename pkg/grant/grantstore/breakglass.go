package grantstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const breakGlassColumns = `SELECT id, practice_id, patient_id, user_id, reason, opened_at, expires_at, reviewed_at,
reviewed_by, review_note, review_disposition FROM break_glass`

func scanBreakGlass(rows *sql.Rows) ([]grant.BreakGlass, error) {
	defer rows.Close()
	var out []grant.BreakGlass
	for rows.Next() {
		var b grant.BreakGlass
		var reviewed sql.NullTime
		var by sql.NullString
		var disposition string
		if err := rows.Scan(&b.ID, &b.PracticeID, &b.PatientID, &b.UserID, &b.Reason, &b.OpenedAt, &b.ExpiresAt,
			&reviewed, &by, &b.ReviewNote, &disposition); err != nil {
			return nil, err
		}
		b.ReviewDisposition = grant.Disposition(disposition)
		b.OpenedAt, b.ExpiresAt, b.ReviewedAt, b.ReviewedBy = b.OpenedAt.UTC(), b.ExpiresAt.UTC(), timePtr(reviewed), by.String
		out = append(out, b)
	}
	return out, rows.Err()
}

// OpenBreakGlass stores b with its audit event.
func (s *Store) OpenBreakGlass(ctx context.Context, b grant.BreakGlass, ev audit.Event) error {
	err := s.within(ctx, b.PracticeID, ev, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO break_glass (id, practice_id, patient_id, user_id, reason, opened_at,
expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`, b.ID, b.PracticeID, b.PatientID, b.UserID, b.Reason, b.OpenedAt, b.ExpiresAt)
		return err
	})
	return sqldb.MapError(err)
}

// BreakGlass returns one session.
func (s *Store) BreakGlass(ctx context.Context, id string) (grant.BreakGlass, error) {
	return byID(ctx, s, breakGlassColumns+` WHERE id = $1`, id, "break-glass session", scanBreakGlass)
}

// BreakGlassList lists sessions across practices for compliance, unreviewed
// first, then newest first.
func (s *Store) BreakGlassList(ctx context.Context, unreviewedOnly bool) ([]grant.BreakGlass, error) {
	only := 0
	if unreviewedOnly {
		only = 1
	}
	return list(ctx, s, "", scanBreakGlass, breakGlassColumns+` WHERE ($1 = 0 OR reviewed_at IS NULL)
ORDER BY CASE WHEN reviewed_at IS NULL THEN 0 ELSE 1 END, opened_at DESC LIMIT 500`, only)
}

// OpenBreakGlassOf implements grant.Storer: userID's sessions still open
// at now, across practices, the newest first.
func (s *Store) OpenBreakGlassOf(ctx context.Context, userID string, now time.Time) ([]grant.BreakGlass, error) {
	return list(ctx, s, "", scanBreakGlass, breakGlassColumns+` WHERE user_id = $1 AND expires_at > $2 ORDER BY opened_at DESC LIMIT 20`,
		userID, now.UTC())
}

// ReviewBreakGlass stores b's review with its audit event.
func (s *Store) ReviewBreakGlass(ctx context.Context, b grant.BreakGlass, ev audit.Event) error {
	err := s.within(ctx, b.PracticeID, ev, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE break_glass SET reviewed_at = $2, reviewed_by = $3, review_note = $4,
expires_at = $5, review_disposition = $6 WHERE id = $1 AND reviewed_at IS NULL`, b.ID, nullTime(b.ReviewedAt), b.ReviewedBy,
			b.ReviewNote, b.ExpiresAt, string(b.ReviewDisposition))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("already_reviewed", "this break-glass session was reviewed already", nil)
		}
		return nil
	})
	return sqldb.MapError(err)
}
