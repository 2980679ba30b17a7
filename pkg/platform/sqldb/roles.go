package sqldb

import (
	"context"
	"errors"
	"fmt"
)

// AppRole is the PostgreSQL role the services log in as (docs/deploy.md,
// "Database roles and row-level security").
const AppRole = "backdesk_app"

// ownedBy names the first public table whose owner's privileges the
// role in the placeholder holds (owners bypass row-level security).
const ownedBy = `(SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND pg_has_role(%s, c.relowner, 'USAGE') ORDER BY c.relname LIMIT 1)`

// ErrUnsafeRole is the cause of every refusal of CheckServingRole and
// CheckAppRole.
var ErrUnsafeRole = errors.New("unsafe database role")

// CheckServingRole refuses to serve on a PostgreSQL connection whose role
// row-level security would not hold back: a superuser, a role with
// BYPASSRLS, or one that owns (or holds the privileges of the owner of) a
// table. A service that logs in as such a role would see every practice's
// rows through any query that forgot its scope. SQLite has no roles.
func CheckServingRole(ctx context.Context, db *DB) error {
	if db.Dialect != Postgres {
		return nil
	}
	var user string
	var super, bypass bool
	var owned *string
	err := db.QueryRowContext(ctx, `SELECT r.rolname, r.rolsuper, r.rolbypassrls, `+fmt.Sprintf(ownedBy, "current_user")+`
FROM pg_roles r WHERE r.rolname = current_user`).Scan(&user, &super, &bypass, &owned)
	if err != nil {
		return fmt.Errorf("check the database role: %w", MapError(err))
	}
	switch {
	case super:
		return fmt.Errorf("%w: role %s is a superuser, which row-level security does not apply to; services log in as %s", ErrUnsafeRole, user, AppRole)
	case bypass:
		return fmt.Errorf("%w: role %s has BYPASSRLS; ALTER ROLE %s NOBYPASSRLS", ErrUnsafeRole, user, user)
	case owned != nil:
		return fmt.Errorf("%w: role %s owns table %s, or is a member of its owner, and owners bypass row-level security; services log in as %s, which owns nothing", ErrUnsafeRole, user, *owned, AppRole)
	}
	return nil
}

// CheckAppRole, run before every migration with the application role
// (AppRole), refuses to migrate as that role, and refuses when it (if it
// exists yet) could
// bypass row-level security: superuser, BYPASSRLS, or holding a table
// owner's privileges. A grant made after the first migration is caught
// at the next one, not only the first.
func CheckAppRole(ctx context.Context, db *DB, role string) error {
	if db.Dialect != Postgres {
		return nil
	}
	var asApp, exists, unsafe bool
	var owned *string
	// The role may not exist yet: the ownership check then looks at no
	// role at all rather than failing on an unknown name.
	err := db.QueryRowContext(ctx, `SELECT current_user = $1,
EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1),
EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1 AND (rolsuper OR rolbypassrls)),
`+fmt.Sprintf(ownedBy, "(SELECT oid FROM pg_roles WHERE rolname = $1)"),
		role).Scan(&asApp, &exists, &unsafe, &owned)
	if err != nil {
		return fmt.Errorf("check the database roles: %w", MapError(err))
	}
	switch {
	case asApp:
		return fmt.Errorf("%w: run migrations as the owner role, not as the application role %s", ErrUnsafeRole, role)
	case !exists:
		return nil
	case unsafe:
		return fmt.Errorf("%w: role %s must be NOSUPERUSER and NOBYPASSRLS, or row-level security does not apply to it", ErrUnsafeRole, role)
	case owned != nil:
		return fmt.Errorf("%w: role %s holds the privileges of the owner of table %s; it must not own the tables or be a member of their owner", ErrUnsafeRole, role, *owned)
	}
	return nil
}
