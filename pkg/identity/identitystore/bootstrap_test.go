package identitystore_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestBootstrapOpensAnEmptyDeploymentOnce(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		store := identitystore.New(db, auditstore.New(db))
		roles, err := identity.ParseRoleMap("")
		require.NoError(t, err)
		svc := identity.NewService(store, roles, func() time.Time { return now })

		require.Equal(t, apperr.KindInvalid, apperr.KindOf(store.BootstrapAdmin(ctx, "  ", "ops", now)))
		require.NoError(t, store.BootstrapAdmin(ctx, " Root@Example.com ", "ops", now))

		// Only the verified email gets the role, whatever its provider's groups.
		unverified, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "u1", Email: "root@example.com"})
		require.NoError(t, err)
		require.False(t, unverified.Has(identity.PlatformAdmin))
		root, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "root", Email: "ROOT@example.com", EmailVerified: true})
		require.NoError(t, err)
		require.True(t, root.Has(identity.PlatformAdmin))
		// Read again from the stored row (nothing changed, nothing written).
		now = now.Add(time.Second)
		root, err = svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "root", Email: "ROOT@example.com", EmailVerified: true})
		require.NoError(t, err)
		require.Equal(t, []identity.Role{identity.PlatformAdmin}, root.Roles)

		// A second bootstrap is refused, naming who holds the role.
		err = store.BootstrapAdmin(ctx, "other@example.com", "ops", now)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "platform_admin_exists", ae.Code)
		require.Contains(t, ae.Message, "root@example.com")

		// Withdrawn, the role goes with it on the next request.
		require.NoError(t, store.RemoveBootstrap(ctx, "root@example.com", "ops", now))
		require.ErrorIs(t, store.RemoveBootstrap(ctx, "root@example.com", "ops", now), apperr.ErrNotFound)
		root, err = svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "root", Email: "root@example.com", EmailVerified: true})
		require.NoError(t, err)
		require.False(t, root.Has(identity.PlatformAdmin))

		ev := testenv.AuditEvents(t, db, auditstore.Query{TargetType: audit.TargetAdminGrant})
		require.Len(t, ev, 2)
		require.Equal(t, audit.ActionAdminBootstrap, ev[0].Event.Action)
		require.Equal(t, audit.ActionAdminBootstrapRemove, ev[1].Event.Action)
		require.Equal(t, "root@example.com", ev[0].Event.TargetID)
		require.Equal(t, identity.OperatorActor("ops"), ev[0].Event.Actor)
	})
}

func TestBootstrapIsRefusedOnceTheProviderMapsAnAdmin(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	ctx := context.Background()
	store := identitystore.New(db, auditstore.New(db))
	roles, _ := identity.ParseRoleMap("")
	_, err := identity.NewService(store, roles, nil).Principal(ctx, identity.Identity{
		Issuer: issuer, Subject: "a", Email: "a@example.com", Groups: []string{"platform_admin"}})
	require.NoError(t, err)
	err = store.BootstrapAdmin(ctx, "b@example.com", "ops", time.Now())
	require.ErrorIs(t, err, apperr.ErrConflict)
	require.Empty(t, testenv.AuditEvents(t, db, auditstore.Query{TargetType: audit.TargetAdminGrant}), "a refusal grants and records nothing")
}
