package identitystore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const (
	// platformAdmins lists who holds platform_admin: users whose last
	// sign-in carried it, and bootstrap grants.
	platformAdmins = `SELECT email FROM users WHERE (' ' || roles || ' ') LIKE '% platform_admin %'
UNION SELECT email FROM platform_admin_grants ORDER BY 1`
	insertGrant = `INSERT INTO platform_admin_grants (email, granted_by, granted_at) VALUES ($1, $2, $3)`
	deleteGrant = `DELETE FROM platform_admin_grants WHERE email = $1`
)

// BootstrapAdmin grants platform_admin to whoever signs in with email
// verified, with its audit event, unless somebody already holds
// platform_admin or a grant exists: then it refuses with a conflict that
// names them.
func (s *Store) BootstrapAdmin(ctx context.Context, email, operator string, at time.Time) error {
	email = identity.NormalizeEmail(email)
	if email == "" || !strings.Contains(email, "@") {
		return apperr.Invalid("email", "required", "an email address is required")
	}
	return s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		admins, err := listEmails(ctx, tx, platformAdmins)
		if err != nil {
			return err
		}
		if len(admins) > 0 {
			return apperr.Conflict("platform_admin_exists",
				"a platform admin already exists ("+strings.Join(admins, ", ")+"); they invite and confirm everyone else", nil)
		}
		if _, err := tx.ExecContext(ctx, insertGrant, email, operator, at); err != nil {
			return fmt.Errorf("record grant: %w", sqldb.MapError(err))
		}
		return s.audit.Append(ctx, tx, []audit.Event{identity.BootstrapEvent(email, operator, at, false)})
	})
}

// RemoveBootstrap withdraws the grant to email, with its audit event; the
// person keeps platform_admin only if their provider's groups give it.
func (s *Store) RemoveBootstrap(ctx context.Context, email, operator string, at time.Time) error {
	email = identity.NormalizeEmail(email)
	return s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, deleteGrant, email)
		if err != nil {
			return fmt.Errorf("remove grant: %w", sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("bootstrap grant for " + email)
		}
		return s.audit.Append(ctx, tx, []audit.Event{identity.BootstrapEvent(email, operator, at, true)})
	})
}

func listEmails(ctx context.Context, q sqldb.Querier, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list platform admins: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		if e == "" {
			e = "a user with no email"
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
