package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const (
	invitationColumns = `SELECT id, practice_id, email, role, state, invited_by, created_at, expires_at,
confirmed_by, confirmed_at, accepted_by, accepted_at FROM invitations`
	insertInvitation = `INSERT INTO invitations (id, practice_id, email, role, state, invited_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
	confirmInvitation = `UPDATE invitations SET state = $2, confirmed_by = $3, confirmed_at = $4
WHERE id = $1 AND state = 'awaiting_confirmation' AND accepted_by IS NULL`
	// candidates are the invitations a sign-in with this verified email
	// settles.
	candidates = invitationColumns + `
WHERE email = $1 AND accepted_by IS NULL AND state IN ('open', 'confirmed') AND expires_at > $2 ORDER BY id`
	// settleInvitation moves one candidate on, if nothing else has.
	settleInvitation = `UPDATE invitations SET state = $3, accepted_by = $4, accepted_at = $5
WHERE id = $1 AND state = $2 AND accepted_by IS NULL`
	insertMembership = `INSERT INTO practice_memberships (practice_id, user_id, role, invitation_id, created_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`
)

func scanInvitations(rows *sql.Rows) ([]identity.Invitation, error) {
	defer rows.Close()
	var out []identity.Invitation
	for rows.Next() {
		var inv identity.Invitation
		var role, state string
		var confirmedBy, acceptedBy sql.NullString
		var confirmedAt, acceptedAt sql.NullTime
		if err := rows.Scan(&inv.ID, &inv.PracticeID, &inv.Email, &role, &state, &inv.InvitedBy, &inv.CreatedAt, &inv.ExpiresAt,
			&confirmedBy, &confirmedAt, &acceptedBy, &acceptedAt); err != nil {
			return nil, err
		}
		inv.Role, inv.State = identity.Role(role), identity.InvitationState(state)
		inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
		inv.ConfirmedBy, inv.ConfirmedAt = confirmedBy.String, timePtr(confirmedAt)
		inv.AcceptedBy, inv.AcceptedAt = acceptedBy.String, timePtr(acceptedAt)
		out = append(out, inv)
	}
	return out, rows.Err()
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// CreateInvitation implements identity.Storer, within the practice scope
// of ctx.
func (s *Store) CreateInvitation(ctx context.Context, inv identity.Invitation, ev audit.Event) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insertInvitation, inv.ID, inv.PracticeID, inv.Email, string(inv.Role), string(inv.State),
			inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
	if err != nil {
		err = sqldb.MapError(err)
		if errors.Is(err, apperr.ErrConflict) {
			return apperr.NotFound("practice")
		}
		return fmt.Errorf("record invitation: %w", err)
	}
	return nil
}

// Invitation implements identity.Storer, across practices: the caller
// checks the practice.
func (s *Store) Invitation(ctx context.Context, id string) (identity.Invitation, error) {
	var out []identity.Invitation
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, invitationColumns+` WHERE id = $1`, id)
		if err != nil {
			return err
		}
		out, err = scanInvitations(rows)
		return err
	})
	if err != nil {
		return identity.Invitation{}, fmt.Errorf("read invitation: %w", sqldb.MapError(err))
	}
	if len(out) == 0 {
		return identity.Invitation{}, apperr.NotFound("invitation")
	}
	return out[0], nil
}

// ConfirmInvitation implements identity.Storer, within the practice
// scope of ctx.
func (s *Store) ConfirmInvitation(ctx context.Context, inv identity.Invitation, ev audit.Event) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var at any
		if inv.ConfirmedAt != nil {
			at = inv.ConfirmedAt.UTC()
		}
		res, err := tx.ExecContext(ctx, confirmInvitation, inv.ID, string(inv.State), inv.ConfirmedBy, at)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.Conflict("not_awaiting_confirmation", "this invitation is no longer awaiting confirmation", nil)
		}
		return s.audit.Append(ctx, tx, []audit.Event{ev})
	})
	return sqldb.MapError(err)
}

// RecordRefusal implements identity.Storer.
func (s *Store) RecordRefusal(ctx context.Context, ev audit.Event) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error { return s.audit.Append(ctx, tx, []audit.Event{ev}) })
	if err != nil {
		return fmt.Errorf("record refusal: %w", sqldb.MapError(err))
	}
	return nil
}

// settle decides each invitation the sign-in's verified email matches
// (identity.Settle) inside Resolve's transaction, and writes the decision,
// the membership an acceptance makes, and the audit event of each.
func (s *Store) settle(ctx context.Context, tx *sql.Tx, userID, email string, in identity.SignIn) error {
	rows, err := tx.QueryContext(ctx, candidates, email, in.At)
	if err != nil {
		return fmt.Errorf("find invitations: %w", sqldb.MapError(err))
	}
	invs, err := scanInvitations(rows)
	if err != nil {
		return fmt.Errorf("read invitations: %w", sqldb.MapError(err))
	}
	for _, inv := range invs {
		c := identity.Candidate{Invitation: inv}
		if c.ByInviter, err = sameAs(ctx, tx, userID, inv.InvitedBy); err != nil {
			return err
		}
		if c.ByConfirmer, err = sameAs(ctx, tx, userID, inv.ConfirmedBy); err != nil {
			return err
		}
		state, ev := identity.Settle(in, c)
		var by, at any
		if state == identity.InvitationAccepted {
			by, at = userID, in.At
		}
		res, err := tx.ExecContext(ctx, settleInvitation, inv.ID, string(inv.State), string(state), by, at)
		if err != nil {
			return fmt.Errorf("settle invitation: %w", sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue // settled by a sign-in racing this one
		}
		events := []audit.Event{ev}
		if state == identity.InvitationAccepted {
			res, err := tx.ExecContext(ctx, insertMembership, inv.PracticeID, userID, string(inv.Role), inv.ID, in.At)
			if err != nil {
				return fmt.Errorf("record membership: %w", sqldb.MapError(err))
			}
			if n, _ := res.RowsAffected(); n == 1 {
				events = append(events, identity.MembershipEvent(in, inv))
			}
		}
		if err := s.audit.Append(ctx, tx, events); err != nil {
			return err
		}
	}
	return nil
}
