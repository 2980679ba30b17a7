package schema_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// withUser returns raw logging in as role, without a password.
func withUser(t *testing.T, raw, role string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.User = url.User(role)
	return u.String()
}

// The application role is refused at every migration, not only the first
// one, and so is an application role that was given BYPASSRLS later; a
// service refuses to serve as a role row-level security does not hold.
func TestRolesAreCheckedEveryTime(t *testing.T) {
	t.Parallel()
	app, appURL := testenv.NewDB(t, sqldb.Postgres)
	ctx := context.Background()
	owner := testenv.OwnerDB(t, app)

	// Up to date, and still refused as the application role.
	_, err := schema.Migrate(ctx, app)
	require.ErrorIs(t, err, sqldb.ErrUnsafeRole)
	require.ErrorContains(t, err, "run migrations as the owner role")
	_, err = schema.Migrate(ctx, owner)
	require.NoError(t, err)

	require.NoError(t, sqldb.CheckServingRole(ctx, app), "the application role serves")
	err = sqldb.CheckServingRole(ctx, owner)
	require.ErrorIs(t, err, sqldb.ErrUnsafeRole)
	require.ErrorContains(t, err, "superuser")

	// A role of this test's own, so that the shared application role is
	// left alone: given BYPASSRLS after the fact, and then table ownership.
	role := fmt.Sprintf("backdesk_check_%d", time.Now().UnixNano())
	_, err = owner.ExecContext(ctx, `CREATE ROLE `+role+` LOGIN NOSUPERUSER NOBYPASSRLS`)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = owner.ExecContext(context.Background(), `DROP OWNED BY `+role)
		_, _ = owner.ExecContext(context.Background(), `DROP ROLE `+role)
	})
	require.NoError(t, sqldb.CheckAppRole(ctx, owner, role))
	_, err = owner.ExecContext(ctx, `ALTER ROLE `+role+` BYPASSRLS`)
	require.NoError(t, err)
	require.ErrorContains(t, sqldb.CheckAppRole(ctx, owner, role), "NOBYPASSRLS")
	as, err := sqldb.Open(ctx, withUser(t, appURL, role))
	require.NoError(t, err)
	t.Cleanup(func() { _ = as.Close() })
	require.ErrorContains(t, sqldb.CheckServingRole(ctx, as), "BYPASSRLS")

	_, err = owner.ExecContext(ctx, `ALTER ROLE `+role+` NOBYPASSRLS`)
	require.NoError(t, err)
	require.NoError(t, sqldb.CheckServingRole(ctx, as))
	_, err = owner.ExecContext(ctx, `CREATE TABLE owned_by_check (id int); ALTER TABLE owned_by_check OWNER TO `+role)
	require.NoError(t, err)
	require.ErrorContains(t, sqldb.CheckAppRole(ctx, owner, role), "owner of table owned_by_check")
	require.ErrorContains(t, sqldb.CheckServingRole(ctx, as), "owns table owned_by_check")
}
