// Package identitystore keeps users, practice memberships and invitations
// in PostgreSQL or SQLite.
package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
)

// Store implements identity.Storer.
type Store struct{ db *sqldb.DB }

var _ identity.Storer = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// seenEvery limits how often a user's last-seen time is written, so
// authenticating a request is normally read-only.
const seenEvery = 5 * time.Minute

const (
	selectUser     = `SELECT id, name, email, last_seen_at FROM users WHERE issuer = $1 AND subject = $2`
	insertUser     = `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)`
	touchUser      = `UPDATE users SET name = $2, email = $3, last_seen_at = $4 WHERE id = $1`
	openInvitation = `SELECT COUNT(*) FROM invitations WHERE email = $1 AND accepted_by IS NULL AND expires_at > $2`
	acceptInvites  = `UPDATE invitations SET accepted_by = $2, accepted_at = $3
WHERE email = $1 AND accepted_by IS NULL AND expires_at > $3 RETURNING id, practice_id, role`
	insertMembership = `INSERT INTO practice_memberships (practice_id, user_id, role, invitation_id, created_at)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`
	selectMemberships = `SELECT practice_id, role FROM practice_memberships WHERE user_id = $1 ORDER BY practice_id, role`
	insertInvitation  = `INSERT INTO invitations (id, practice_id, email, role, invited_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`
)

type user struct {
	id, name, email string
	lastSeen        time.Time
}

// Resolve implements identity.Storer. The common case, a known user with
// nothing to bind, reads and never writes.
//
// It works across practices by design: a person's memberships, and the
// invitations sent to their email, may belong to any practice, and who the
// caller is must be known before any practice scope can be chosen.
func (s *Store) Resolve(ctx context.Context, id identity.Identity, now time.Time) (string, []identity.Membership, error) {
	ctx = sqldb.AllPractices(ctx)
	email := strings.ToLower(strings.TrimSpace(id.Email))
	u, found, err := s.user(ctx, s.db, id)
	if err != nil {
		return "", nil, err
	}
	stale := !found || u.name != id.Name || u.email != email || now.Sub(u.lastSeen) >= seenEvery
	pending := false
	var ms []identity.Membership
	err = s.db.Scoped(ctx, func(q sqldb.Querier) error {
		if id.EmailVerified && email != "" {
			var n int
			if err := q.QueryRowContext(ctx, openInvitation, email, now).Scan(&n); err != nil {
				return fmt.Errorf("look up invitations: %w", sqldb.MapError(err))
			}
			pending = n > 0
		}
		if stale || pending {
			return nil // read after the writes below
		}
		var err error
		ms, err = memberships(ctx, q, u.id)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	if stale || pending {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			u, err = s.upsert(ctx, tx, id, email, now)
			if err != nil {
				return err
			}
			if pending {
				if err := bindInvitations(ctx, tx, u.id, email, now); err != nil {
					return err
				}
			}
			ms, err = memberships(ctx, tx, u.id)
			return err
		})
		if err != nil {
			return "", nil, err
		}
	}
	return u.id, ms, nil
}

func (s *Store) user(ctx context.Context, q sqldb.Querier, id identity.Identity) (user, bool, error) {
	var u user
	err := q.QueryRowContext(ctx, selectUser, id.Issuer, id.Subject).Scan(&u.id, &u.name, &u.email, &u.lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return user{}, false, nil
	}
	if err != nil {
		return user{}, false, fmt.Errorf("look up user: %w", sqldb.MapError(err))
	}
	return u, true, nil
}

// upsert inserts the user or refreshes name, email and last-seen; two first
// requests racing both end with the one row.
func (s *Store) upsert(ctx context.Context, tx *sql.Tx, id identity.Identity, email string, now time.Time) (user, error) {
	u, found, err := s.user(ctx, tx, id)
	if err != nil {
		return user{}, err
	}
	if !found {
		u = user{id: uuid.Must(uuid.NewV7()).String()}
		if _, err := tx.ExecContext(ctx, insertUser, u.id, id.Issuer, id.Subject, id.Name, email, now); err != nil {
			return user{}, fmt.Errorf("record user: %w", sqldb.MapError(err))
		}
	} else if _, err := tx.ExecContext(ctx, touchUser, u.id, id.Name, email, now); err != nil {
		return user{}, fmt.Errorf("update user: %w", sqldb.MapError(err))
	}
	u.name, u.email, u.lastSeen = id.Name, email, now
	return u, nil
}

func bindInvitations(ctx context.Context, tx *sql.Tx, userID, email string, now time.Time) error {
	rows, err := tx.QueryContext(ctx, acceptInvites, email, userID, now)
	if err != nil {
		return fmt.Errorf("accept invitations: %w", sqldb.MapError(err))
	}
	type accepted struct{ id, practice, role string }
	var all []accepted
	for rows.Next() {
		var a accepted
		if err := rows.Scan(&a.id, &a.practice, &a.role); err != nil {
			rows.Close()
			return err
		}
		all = append(all, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range all {
		if _, err := tx.ExecContext(ctx, insertMembership, a.practice, userID, a.role, a.id, now); err != nil {
			return fmt.Errorf("record membership: %w", sqldb.MapError(err))
		}
	}
	return nil
}

func memberships(ctx context.Context, q sqldb.Querier, userID string) ([]identity.Membership, error) {
	rows, err := q.QueryContext(ctx, selectMemberships, userID)
	if err != nil {
		return nil, fmt.Errorf("read memberships: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []identity.Membership
	for rows.Next() {
		var m identity.Membership
		var role string
		if err := rows.Scan(&m.PracticeID, &role); err != nil {
			return nil, err
		}
		m.Role = identity.Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// CreateInvitation implements identity.Storer, within the practice scope
// of ctx.
func (s *Store) CreateInvitation(ctx context.Context, inv identity.Invitation) error {
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		_, err := q.ExecContext(ctx, insertInvitation, inv.ID, inv.PracticeID, inv.Email, string(inv.Role), inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt)
		return err
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
