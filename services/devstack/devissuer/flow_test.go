package devissuer_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

func TestCodeFlowWithPKCE(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	verifier := oauth2.GenerateVerifier()
	code := b.login(t, "maria", "state-123", "nonce-456", verifier)

	tok, err := b.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	rawID, ok := tok.Extra("id_token").(string)
	require.True(t, ok, "token response has no id_token")

	idTok, id := b.verify(t, rawID)
	require.Equal(t, b.issuerURL, idTok.Issuer)
	require.Equal(t, []string{clientID}, idTok.Audience)
	require.Equal(t, "dev-maria", id.Subject)
	require.Equal(t, "nonce-456", id.Nonce)
	require.Equal(t, clientID, id.AuthorizedBy)
	require.Equal(t, []string{"backdesk-billing-managers"}, id.Groups)
	require.Equal(t, "Maria Billing", id.Name)
	require.Equal(t, "maria@backdesk.test", id.Email)
	require.True(t, id.EmailVerified)

	atTok, at := b.verify(t, tok.AccessToken)
	require.Equal(t, []string{clientID}, atTok.Audience)
	require.Equal(t, "dev-maria", at.Subject)
	require.Equal(t, []string{"backdesk-billing-managers"}, at.Groups)
	require.Equal(t, "maria", at.Username)
	require.Equal(t, "maria@backdesk.test", at.Email)
	require.NotEmpty(t, at.JWTID)
	require.Equal(t, keyID(t, rawID), keyID(t, tok.AccessToken))

	info, err := b.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	require.NoError(t, err)
	require.Equal(t, "dev-maria", info.Subject)
	require.Equal(t, "maria@backdesk.test", info.Email)
	var extra struct {
		Groups []string `json:"groups"`
	}
	require.NoError(t, info.Claims(&extra))
	require.Equal(t, []string{"backdesk-billing-managers"}, extra.Groups)

	// The code was spent by the exchange above.
	_, err = b.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.Error(t, err)
}

func TestTokenRequestRejectsBadPKCE(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()

	tests := []struct {
		name string
		opts func(verifier string) []oauth2.AuthCodeOption
	}{
		{"wrong verifier", func(string) []oauth2.AuthCodeOption {
			return []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}
		}},
		{"no verifier", func(string) []oauth2.AuthCodeOption { return nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			verifier := oauth2.GenerateVerifier()
			code := b.login(t, "alice", "s", "n", verifier)
			_, err := b.oauth.Exchange(ctx, code, tt.opts(verifier)...)
			var re *oauth2.RetrieveError
			require.ErrorAs(t, err, &re)
			require.Contains(t, []string{"invalid_grant", "invalid_request"}, re.ErrorCode)
		})
	}
}

func TestAuthorizeRequiresS256Challenge(t *testing.T) {
	t.Parallel()
	b := setup(t)

	tests := []struct {
		name string
		opts []oauth2.AuthCodeOption
	}{
		{"no challenge", nil},
		{"plain challenge", []oauth2.AuthCodeOption{
			oauth2.SetAuthURLParam("code_challenge", oauth2.GenerateVerifier()),
			oauth2.SetAuthURLParam("code_challenge_method", "plain"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, _ := b.get(t, b.oauth.AuthCodeURL("s", tt.opts...))
			require.Equal(t, http.StatusFound, resp.StatusCode)
			loc, err := resp.Location()
			require.NoError(t, err)
			require.Equal(t, "/auth/callback", loc.Path, "must not reach the login page")
			require.Equal(t, "invalid_request", loc.Query().Get("error"))
			require.Empty(t, loc.Query().Get("code"))
		})
	}
}

func TestEndSessionRedirectsToPostLogoutURI(t *testing.T) {
	t.Parallel()
	b := setup(t)

	_, idToken, err := b.issuer.Mint("carol", devissuer.MintOptions{})
	require.NoError(t, err)
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	require.NoError(t, b.provider.Claims(&meta))
	require.Equal(t, b.issuerURL+"/end_session", meta.EndSession)

	q := url.Values{
		"id_token_hint":            {idToken},
		"post_logout_redirect_uri": {b.logoutURI},
		"state":                    {"bye"},
	}
	resp, _ := b.get(t, meta.EndSession+"?"+q.Encode())
	require.Equal(t, http.StatusFound, resp.StatusCode)
	require.Equal(t, b.logoutURI+"?state=bye", resp.Header.Get("Location"))

	q.Set("post_logout_redirect_uri", "http://evil.test/")
	resp, _ = b.get(t, meta.EndSession+"?"+q.Encode())
	require.NotEqual(t, http.StatusFound, resp.StatusCode, "an unregistered URI must not be a redirect target")
}

func TestDiscoveryAdvertisesWhatBackdeskNeeds(t *testing.T) {
	t.Parallel()
	b := setup(t)

	var meta struct {
		Algs    []string `json:"id_token_signing_alg_values_supported"`
		PKCE    []string `json:"code_challenge_methods_supported"`
		JWKSURI string   `json:"jwks_uri"`
	}
	require.NoError(t, b.provider.Claims(&meta))
	require.Equal(t, []string{"RS256"}, meta.Algs)
	require.Contains(t, meta.PKCE, "S256")
	require.Equal(t, b.issuerURL+"/keys", meta.JWKSURI)
}

func TestCodeRedeemsOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	b := setup(t)
	verifier := oauth2.GenerateVerifier()
	code := b.login(t, "bob", "s", "n", verifier)

	const tries = 8
	errs := make(chan error, tries)
	for range tries {
		go func() {
			_, err := b.oauth.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
			errs <- err
		}()
	}
	succeeded := 0
	for range tries {
		if <-errs == nil {
			succeeded++
		}
	}
	require.Equal(t, 1, succeeded)
}

// Like Dex, the issuer sends groups only to a relying party that asks for
// the groups scope: without it the ID token, the access token and
// userinfo carry none, so a configuration that forgets the scope shows.
func TestGroupsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.oauth.Scopes = []string{oidc.ScopeOpenID, "profile", "email"}
	ctx := context.Background()
	verifier := oauth2.GenerateVerifier()
	code := b.login(t, "maria", "state-g", "nonce-g", verifier)
	tok, err := b.oauth.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	require.NoError(t, err)
	rawID, _ := tok.Extra("id_token").(string)
	_, id := b.verify(t, rawID)
	require.Empty(t, id.Groups, "no groups in the ID token")
	require.Equal(t, "Maria Billing", id.Name, "profile still comes with its scope")
	_, at := b.verify(t, tok.AccessToken)
	require.Empty(t, at.Groups, "no groups in the access token")
	info, err := b.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	require.NoError(t, err)
	var extra struct {
		Groups []string `json:"groups"`
	}
	require.NoError(t, info.Claims(&extra))
	require.Empty(t, extra.Groups, "nor from userinfo")
}
