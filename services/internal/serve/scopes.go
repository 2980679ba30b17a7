package serve

import (
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/config"
)

// groupsOnlyWhenAsked names providers, by a mark in their issuer URL, that
// put the groups claim in tokens only when the groups scope is asked for.
var groupsOnlyWhenAsked = []struct{ mark, name string }{
	{"/dex", "Dex"}, {".okta.com", "Okta"}, {".oktapreview.com", "Okta"},
}

// scopeWarning says why sign-ins would carry no roles: the roles come from
// a groups claim that the provider sends only when asked, and the scopes
// do not ask. It is empty when nothing is known to be wrong.
func scopeWarning(cfg config.Base) string {
	if cfg.OIDCRolesClaim != "groups" || slices.Contains(strings.Fields(cfg.OIDCScopes), "groups") {
		return ""
	}
	issuer := strings.ToLower(cfg.OIDCIssuer)
	for _, p := range groupsOnlyWhenAsked {
		if strings.Contains(issuer, p.mark) {
			return p.name + " sends the groups claim only when the groups scope is asked for, and BACKDESK_OIDC_SCOPES (" +
				cfg.OIDCScopes + ") does not ask: everyone would sign in with no roles. Add groups to BACKDESK_OIDC_SCOPES"
		}
	}
	return ""
}

// bearerWarning says why every bearer token would be refused: the
// provider is Dex, whose access tokens carry at_hash like its ID tokens,
// and BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS is off.
func bearerWarning(cfg config.Base) string {
	if cfg.OIDCAcceptIDTokenBearers || !strings.Contains(strings.ToLower(cfg.OIDCIssuer), "/dex") {
		return ""
	}
	return "Dex's access tokens carry at_hash, as its ID tokens do, so the API refuses them as ID tokens. " +
		"Set BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS=true for API clients that use Dex's tokens"
}
