package devissuer

import (
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// scopeGroups asks for the groups claim. Like Dex and Okta, the issuer
// sends groups only to a relying party that asks for them, so a
// configuration that forgets the scope signs everyone in with no roles
// here too, and the tests see it.
const scopeGroups = "groups"

// client is the one registered relying party, Backdesk itself: a
// confidential web application that may only use the authorization code
// flow, with JWT access tokens like the providers Backdesk is deployed
// against.
type client struct {
	id                     string
	secret                 string
	redirectURIs           []string
	postLogoutRedirectURIs []string
	loginURL               string
	tokenTTL               time.Duration
}

var _ op.Client = (*client)(nil)

func (c *client) GetID() string                    { return c.id }
func (c *client) RedirectURIs() []string           { return slices.Clone(c.redirectURIs) }
func (c *client) PostLogoutRedirectURIs() []string { return slices.Clone(c.postLogoutRedirectURIs) }
func (c *client) ApplicationType() op.ApplicationType {
	return op.ApplicationTypeWeb
}
func (c *client) AuthMethod() oidc.AuthMethod { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode}
}

// LoginURL sends the browser to the user picker, which is outside op's
// router but under the same issuer path.
func (c *client) LoginURL(authRequestID string) string {
	return c.loginURL + "?authRequestID=" + url.QueryEscape(authRequestID)
}

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration      { return c.tokenTTL }

// DevMode stays off so that op applies its production redirect checks:
// Backdesk must register exact redirect URIs here as it will in production.
func (c *client) DevMode() bool { return false }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return keepScopes
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return keepScopes
}
func (c *client) IsScopeAllowed(scope string) bool { return scope == scopeGroups }

// IDTokenUserinfoClaimsAssertion puts profile, email and groups in the ID
// token even though an access token is issued too, as most providers do;
// Backdesk reads them at login without calling userinfo.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }

func keepScopes(scopes []string) []string { return scopes }
