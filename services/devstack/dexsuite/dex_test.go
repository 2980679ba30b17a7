package dexsuite_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/testenv/dex"
	"github.com/stretchr/testify/require"
)

// Tokens from Dex's password grant carry each person's groups, and the
// groups give the roles that decide what the API allows; a token Dex
// issued to another client is refused.
func TestDexBearerTokensCarryRoles(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, nil)
	const withGroups = "openid profile email groups"
	want := map[string][]string{
		"agent@dex.test":      {"agent"},
		"manager@dex.test":    {"billing_manager"},
		"compliance@dex.test": {"compliance"},
		"admin@dex.test":      {"platform_admin"},
		"root@dex.test":       {},
	}
	tokens := map[string]string{}
	for email, roles := range want {
		tokens[email] = p.token(t, email, withGroups)
		m := p.me(t, nil, tokens[email])
		require.Equal(t, roles, m.Roles, email)
		require.Equal(t, email, m.Email)
		require.Equal(t, "bearer", m.AuthMethod)
	}

	// What each role may do.
	code, body := p.call(t, nil, http.MethodGet, "/api/v1/audit/events?limit=1", tokens["compliance@dex.test"])
	require.Equal(t, http.StatusOK, code, body)
	for _, who := range []string{"agent@dex.test", "manager@dex.test"} {
		code, body = p.call(t, nil, http.MethodGet, "/api/v1/audit/events?limit=1", tokens[who])
		require.Equal(t, http.StatusForbidden, code, who+": "+body)
	}
	practice := `{"name": "Dex Dental", "npi": "1234567893", "timezone": "America/Chicago"}`
	code, body = p.call(t, nil, http.MethodPost, "/api/v1/practices", tokens["agent@dex.test"], practice)
	require.Equal(t, http.StatusForbidden, code, body)
	code, body = p.call(t, nil, http.MethodPost, "/api/v1/practices", tokens["admin@dex.test"], practice)
	require.Equal(t, http.StatusCreated, code, body)

	// Dex's tokens for another client are not tokens for Backdesk.
	other, err := p.dex.PasswordGrant(context.Background(), "other-app", "other-app-secret", "admin@dex.test", withGroups)
	require.NoError(t, err)
	code, body = p.call(t, nil, http.MethodGet, "/api/v1/me", other.Access)
	require.Equal(t, http.StatusUnauthorized, code, body)
	require.Contains(t, body, "invalid_token")
	require.Contains(t, p.logs.String(), "wrong audience")
}

// Dex's access tokens carry at_hash, as ID tokens do, so without
// BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS the API refuses them, and the
// service says so at start.
func TestDexAccessTokensNeedTheIDTokenSetting(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, map[string]string{"BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS": "false"})
	require.Contains(t, p.logs.String(), "bearer tokens would be refused")
	code, body := p.call(t, nil, http.MethodGet, "/api/v1/me", p.token(t, "admin@dex.test", "openid groups"))
	require.Equal(t, http.StatusUnauthorized, code, body)
	require.Contains(t, p.logs.String(), "an ID token is not a bearer token")
}

// Without the groups scope Dex sends no groups: a service configured that
// way says so at start, and its sign-ins carry no roles, which is what
// the warning is about.
func TestDexWithoutTheGroupsScopeWarnsAtStart(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, map[string]string{"BACKDESK_OIDC_SCOPES": "openid profile email"})
	require.Contains(t, p.logs.String(), "sign-ins would carry no roles")
	require.Contains(t, p.logs.String(), "Add groups to BACKDESK_OIDC_SCOPES")
	c, code, body := p.signIn(t, "admin@dex.test")
	require.Equal(t, http.StatusOK, code, body)
	require.Empty(t, p.me(t, c, "").Roles, "Dex sent no groups, so no roles")
}

// A browser signs in with the code flow and PKCE through Dex (the HTTP
// client plays the browser), and its session re-checks at Dex: changed
// groups take effect within the interval, and a person whose refresh
// token Dex revoked is signed out.
func TestDexSessionsAreCheckedAgain(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, nil)
	c, code, body := p.signIn(t, "agent@dex.test")
	require.Equal(t, http.StatusOK, code, body)
	m := p.me(t, c, "")
	require.Equal(t, "session", m.AuthMethod)
	require.Equal(t, []string{"agent"}, m.Roles)
	require.Equal(t, "Ada Agent", m.Name)

	// Dex's operator moves the agent to compliance; within the interval
	// nothing changes, after it the session has the new roles.
	moved := append([]dex.User(nil), people...)
	moved[0].Groups = []string{"backdesk-compliance"}
	p.dex.Restart(moved)
	require.Equal(t, []string{"agent"}, p.me(t, c, "").Roles)
	p.skew.Store(int64(11 * time.Minute))
	require.Equal(t, []string{"compliance"}, p.me(t, c, "").Roles)

	// Dex's operator revokes the person's refresh token: at the next
	// re-check the session ends.
	require.NoError(t, p.dex.RevokeRefresh(context.Background(), p.subject(t, "agent@dex.test"), clientID))
	require.Equal(t, []string{"compliance"}, p.me(t, c, "").Roles, "still within the interval")
	p.skew.Store(int64(22 * time.Minute))
	code, body = p.call(t, c, http.MethodGet, "/api/v1/me", "")
	require.Equal(t, http.StatusUnauthorized, code, body)
	require.Contains(t, body, "no longer vouches")
	require.Contains(t, p.logs.String(), "session ended at re-check")
	require.NotContains(t, p.logs.String(), "refresh_token", "no token in the log")
}

// Dex restarted with memory storage signs with a new key: tokens signed
// with it are accepted once Backdesk fetched the new keys, which the
// unknown key itself triggers, and the log says rotation, not forgery.
func TestDexKeyRotation(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{Memory: true}, nil)
	before := p.token(t, "admin@dex.test", "openid email groups")
	require.Equal(t, []string{"platform_admin"}, p.me(t, nil, before).Roles)

	p.dex.Restart(people)
	after := p.token(t, "admin@dex.test", "openid email groups")
	require.Eventually(t, func() bool {
		code, _ := p.call(t, nil, http.MethodGet, "/api/v1/me", after)
		return code == http.StatusOK
	}, 30*time.Second, 250*time.Millisecond, "a token signed with Dex's new key is never accepted")
	code, _ := p.call(t, nil, http.MethodGet, "/api/v1/me", before)
	require.Equal(t, http.StatusUnauthorized, code, "the old key is gone from Dex's key set")
	logs := p.logs.String()
	require.Contains(t, logs, "unknown signing key")
	require.NotContains(t, logs, "bad signature")
}

// An issuer configured with a trailing slash that Dex's discovery does
// not have is named as that mistake: not ready, and a 503 that says both.
func TestDexIssuerMismatchIsNamed(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, nil)
	bad := setup(t, dex.Options{}, map[string]string{"BACKDESK_OIDC_ISSUER": p.dex.Issuer() + "/"})
	tok, err := p.dex.PasswordGrant(context.Background(), clientID, clientSecret, "admin@dex.test", "openid groups")
	require.NoError(t, err)
	code, body := bad.call(t, nil, http.MethodGet, "/api/v1/me", tok.Access)
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.Contains(t, body, `issuer in discovery is \"`+p.dex.Issuer()+`\", configured is \"`+p.dex.Issuer()+`/\"`)
	code, body = bad.call(t, nil, http.MethodGet, "/readyz", "")
	require.Equal(t, http.StatusServiceUnavailable, code, body)
	require.Contains(t, body, "identity_provider")
	code, _ = p.call(t, nil, http.MethodGet, "/readyz", "")
	require.Equal(t, http.StatusOK, code)
}

// A wrong client secret shows the provider's own refusal on the sign-in
// page, and in the log, instead of "did not check out".
func TestDexWrongClientSecretIsShown(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, map[string]string{"BACKDESK_OIDC_CLIENT_SECRET": "not-the-secret"})
	_, code, body := p.signIn(t, "agent@dex.test")
	require.Equal(t, http.StatusBadGateway, code, body)
	require.Contains(t, body, "invalid_client")
	require.Contains(t, body, "BACKDESK_OIDC_CLIENT_SECRET")
	require.Contains(t, p.logs.String(), "invalid_client")
	require.NotContains(t, p.logs.String(), "not-the-secret")
}

// A deployment whose Dex maps nobody to platform_admin gets its first
// admin from backdeskctl; the second bootstrap is refused.
func TestDexFirstAdminBootstrap(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, nil)
	root := p.token(t, "root@dex.test", "openid email groups")
	require.Empty(t, p.me(t, nil, root).Roles)

	code, out, errOut := p.runCtl("admin", "bootstrap", "--email", "root@dex.test", "--by", "ops")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "root@dex.test is platform admin")
	// backdeskctl told the platform through Redis: root's cached
	// principal is dropped, and the next request has the role.
	require.Eventually(t, func() bool {
		return len(p.me(t, nil, root).Roles) == 1
	}, 10*time.Second, 50*time.Millisecond)
	require.Equal(t, []string{"platform_admin"}, p.me(t, nil, root).Roles)

	code, _, errOut = p.runCtl("admin", "bootstrap", "--email", "agent@dex.test")
	require.Equal(t, 1, code)
	require.True(t, strings.Contains(errOut, "a platform admin already exists (root@dex.test)"), errOut)
}
