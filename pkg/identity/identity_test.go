package identity_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/stretchr/testify/require"
)

func TestRoleMap(t *testing.T) {
	t.Parallel()
	m, err := identity.ParseRoleMap("backdesk-agents=agent, ops=platform_admin,ops=compliance")
	require.NoError(t, err)
	require.Equal(t, []identity.Role{identity.Agent}, m.RolesFor([]string{"backdesk-agents", "unrelated"}))
	require.Equal(t, []identity.Role{identity.Compliance, identity.PlatformAdmin}, m.RolesFor([]string{"ops"}))
	require.Empty(t, m.RolesFor([]string{"agent"}), "with a mapping, role names are not groups")

	def, err := identity.ParseRoleMap("")
	require.NoError(t, err)
	require.Equal(t, []identity.Role{identity.Agent}, def.RolesFor([]string{"agent"}))

	for _, bad := range []string{"nogroup", "=agent", "g=", "g=superuser"} {
		_, err := identity.ParseRoleMap(bad)
		require.Error(t, err, bad)
	}
}
