package serve

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/stretchr/testify/require"
)

func TestScopeWarning(t *testing.T) {
	t.Parallel()
	base := config.Base{OIDCRolesClaim: "groups", OIDCScopes: "openid profile email"}
	tests := []struct {
		name, issuer, scopes, claim string
		warn                        bool
	}{
		{name: "Dex without groups", issuer: "https://dex.example.com/dex", warn: true},
		{name: "Okta without groups", issuer: "https://acme.okta.com/oauth2/default", warn: true},
		{name: "Dex with groups", issuer: "https://dex.example.com/dex", scopes: "openid profile email groups"},
		{name: "Keycloak sends groups through a mapper", issuer: "https://sso.example.com/realms/backdesk"},
		{name: "roles from another claim", issuer: "https://dex.example.com/dex", claim: "realm_access.roles"},
	}
	for _, tc := range tests {
		cfg := base
		cfg.OIDCIssuer = tc.issuer
		if tc.scopes != "" {
			cfg.OIDCScopes = tc.scopes
		}
		if tc.claim != "" {
			cfg.OIDCRolesClaim = tc.claim
		}
		got := scopeWarning(cfg)
		if tc.warn {
			require.Contains(t, got, "Add groups to BACKDESK_OIDC_SCOPES", tc.name)
		} else {
			require.Empty(t, got, tc.name)
		}
	}
}

func TestBearerWarningNamesDexAccessTokens(t *testing.T) {
	t.Parallel()
	cfg := config.Base{OIDCIssuer: "https://sso.example.com/dex"}
	require.Contains(t, bearerWarning(cfg), "BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS=true")
	cfg.OIDCAcceptIDTokenBearers = true
	require.Empty(t, bearerWarning(cfg))
	require.Empty(t, bearerWarning(config.Base{OIDCIssuer: "https://example.okta.com"}))
}
