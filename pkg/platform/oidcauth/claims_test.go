package oidcauth_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/stretchr/testify/require"
)

// Verification itself is tested against a real provider in the dev
// binary's tests; this covers reading the groups claim across providers.
func TestGroupsClaimShapes(t *testing.T) {
	t.Parallel()
	c := oidcauth.Claims{Raw: map[string]any{
		"groups":       []any{"backdesk-agents", 7, "ops"},
		"realm_access": map[string]any{"roles": []any{"agent"}},
		"scp":          "agent compliance",
	}}
	require.Equal(t, []string{"backdesk-agents", "ops"}, c.Groups("groups"))
	require.Equal(t, []string{"agent"}, c.Groups("realm_access.roles"), "Keycloak nests realm roles")
	require.Equal(t, []string{"agent", "compliance"}, c.Groups("scp"), "space-separated strings")
	require.Nil(t, c.Groups("missing"))
	require.Nil(t, c.Groups("groups.deeper"))
}
