// Package identitystore keeps users, practice memberships and invitations
// in PostgreSQL or SQLite.
package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
)

// Store implements identity.Storer.
type Store struct {
	db    *sqldb.DB
	audit audit.Appender
}

var _ identity.Storer = (*Store)(nil)

// New returns a Store over db that appends the audit events of
// invitations and memberships through a, in their own transactions.
func New(db *sqldb.DB, a audit.Appender) *Store { return &Store{db: db, audit: a} }

// seenEvery limits how often a user's last-seen time is written, so
// authenticating a request is normally read-only.
const seenEvery = 5 * time.Minute

const (
	selectUser = `SELECT id, name, email, email_verified, roles, last_seen_at FROM users WHERE issuer = $1 AND subject = $2`
	insertUser = `INSERT INTO users (id, issuer, subject, name, email, email_verified, roles, created_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`
	touchUser    = `UPDATE users SET name = $2, email = $3, email_verified = $4, roles = $5, last_seen_at = $6 WHERE id = $1`
	usersByEmail = `SELECT id, email, email_verified, roles FROM users WHERE email = $1 ORDER BY id`
	// byEmail counts, in one round trip, what a verified email brings at
	// sign-in: open invitations, and a bootstrap platform admin grant.
	byEmail = `SELECT (SELECT COUNT(*) FROM invitations
WHERE email = $1 AND accepted_by IS NULL AND state IN ('open', 'confirmed') AND expires_at > $2),
(SELECT COUNT(*) FROM platform_admin_grants WHERE email = $1)`
	selectMemberships = `SELECT practice_id, role FROM practice_memberships WHERE user_id = $1 ORDER BY practice_id, role`
	// samePerson is the whole rule of identity.People: the same user, or
	// two users whose latest sign-ins both carried the same verified email.
	samePerson = `SELECT COUNT(*) FROM users a JOIN users b ON b.email = a.email
WHERE a.id = $1 AND b.id = $2 AND a.email <> '' AND a.email_verified AND b.email_verified`
)

type user struct {
	id, name, email string
	verified        bool
	roles           string
	lastSeen        time.Time
}

// Resolve implements identity.Storer. The common case, a known user with
// nothing to settle and nothing changed, reads and never writes.
//
// It works across practices by design: a person's memberships, and the
// invitations sent to their email, may belong to any practice, and who the
// caller is must be known before any practice scope can be chosen.
func (s *Store) Resolve(ctx context.Context, in identity.SignIn) (identity.Resolved, error) {
	ctx = sqldb.AllPractices(ctx)
	id, now := in.Identity, in.At
	email := identity.NormalizeEmail(id.Email)
	u, found, err := s.user(ctx, s.db, id)
	if err != nil {
		return identity.Resolved{}, err
	}
	pending, stale := false, false
	var ms []identity.Membership
	err = s.db.Scoped(ctx, func(q sqldb.Querier) error {
		if id.EmailVerified && email != "" {
			var invitations, grants int
			if err := q.QueryRowContext(ctx, byEmail, email, now).Scan(&invitations, &grants); err != nil {
				return fmt.Errorf("look up invitations: %w", sqldb.MapError(err))
			}
			pending = invitations > 0
			if grants > 0 && !slices.Contains(in.Roles, identity.PlatformAdmin) {
				in.Roles = append(slices.Clone(in.Roles), identity.PlatformAdmin)
			}
		}
		stale = !found || u.name != id.Name || u.email != email || u.verified != id.EmailVerified ||
			u.roles != identity.EncodeRoles(in.Roles) || now.Sub(u.lastSeen) >= seenEvery
		if stale || pending {
			return nil // read after the writes below
		}
		var err error
		ms, err = memberships(ctx, q, u.id)
		return err
	})
	if err != nil {
		return identity.Resolved{}, err
	}
	if stale || pending {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			u, err = s.upsert(ctx, tx, id, email, identity.EncodeRoles(in.Roles), now)
			if err != nil {
				return err
			}
			if pending {
				if err := s.settle(ctx, tx, u.id, email, in); err != nil {
					return err
				}
			}
			ms, err = memberships(ctx, tx, u.id)
			return err
		})
		if err != nil {
			return identity.Resolved{}, err
		}
	}
	return identity.Resolved{UserID: u.id, Memberships: ms, Roles: in.Roles, Settled: pending}, nil
}

func (s *Store) user(ctx context.Context, q sqldb.Querier, id identity.Identity) (user, bool, error) {
	var u user
	err := q.QueryRowContext(ctx, selectUser, id.Issuer, id.Subject).Scan(&u.id, &u.name, &u.email, &u.verified, &u.roles, &u.lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return user{}, false, nil
	}
	if err != nil {
		return user{}, false, fmt.Errorf("look up user: %w", sqldb.MapError(err))
	}
	return u, true, nil
}

// upsert inserts the user or refreshes what the sign-in says of them; two
// first requests racing both end with the one row.
func (s *Store) upsert(ctx context.Context, tx *sql.Tx, id identity.Identity, email, roles string, now time.Time) (user, error) {
	u, found, err := s.user(ctx, tx, id)
	if err != nil {
		return user{}, err
	}
	if !found {
		u = user{id: uuid.Must(uuid.NewV7()).String()}
		if _, err := tx.ExecContext(ctx, insertUser, u.id, id.Issuer, id.Subject, id.Name, email, id.EmailVerified, roles, now); err != nil {
			return user{}, fmt.Errorf("record user: %w", sqldb.MapError(err))
		}
	} else if _, err := tx.ExecContext(ctx, touchUser, u.id, id.Name, email, id.EmailVerified, roles, now); err != nil {
		return user{}, fmt.Errorf("update user: %w", sqldb.MapError(err))
	}
	u.name, u.email, u.verified, u.roles, u.lastSeen = id.Name, email, id.EmailVerified, roles, now
	return u, nil
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

// SamePerson implements identity.People.
func (s *Store) SamePerson(ctx context.Context, a, b string) (bool, error) {
	return sameAs(ctx, s.db, a, b)
}

// sameAs is identity.People's rule, inside any transaction.
func sameAs(ctx context.Context, q sqldb.Querier, a, b string) (bool, error) {
	if a == "" || b == "" {
		return false, nil
	}
	if a == b {
		return true, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, samePerson, a, b).Scan(&n); err != nil {
		return false, fmt.Errorf("compare people: %w", sqldb.MapError(err))
	}
	return n > 0, nil
}

// UserID implements identity.Storer.
func (s *Store) UserID(ctx context.Context, issuer, subject string) (string, bool, error) {
	u, found, err := s.user(ctx, s.db, identity.Identity{Issuer: issuer, Subject: subject})
	return u.id, found, err
}

// UsersByEmail implements identity.Storer.
func (s *Store) UsersByEmail(ctx context.Context, email string) ([]identity.User, error) {
	rows, err := s.db.QueryContext(ctx, usersByEmail, identity.NormalizeEmail(email))
	if err != nil {
		return nil, fmt.Errorf("look up users: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []identity.User
	for rows.Next() {
		var u identity.User
		var roles string
		if err := rows.Scan(&u.ID, &u.Email, &u.EmailVerified, &roles); err != nil {
			return nil, sqldb.MapError(err)
		}
		u.Roles = identity.DecodeRoles(roles)
		out = append(out, u)
	}
	return out, sqldb.MapError(rows.Err())
}
