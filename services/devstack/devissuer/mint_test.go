package devissuer_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/stretchr/testify/require"
)

func TestMintMatchesTokenEndpointClaims(t *testing.T) {
	t.Parallel()
	b := setup(t)

	access, id, err := b.issuer.Mint("pat", devissuer.MintOptions{Nonce: "n-1"})
	require.NoError(t, err)

	idTok, idc := b.verify(t, id)
	require.Equal(t, []string{clientID}, idTok.Audience)
	require.Equal(t, "dev-pat", idc.Subject)
	require.Equal(t, "n-1", idc.Nonce)
	require.Equal(t, clientID, idc.AuthorizedBy)
	require.Equal(t, []string{"backdesk-practice-admins"}, idc.Groups)
	require.Equal(t, "Pat Practice", idc.Name)

	atTok, atc := b.verify(t, access)
	require.Equal(t, []string{clientID}, atTok.Audience)
	require.Equal(t, "dev-pat", atc.Subject)
	require.Equal(t, "pat@backdesk.test", atc.Email)
	require.True(t, atc.EmailVerified)
	require.Equal(t, "pat", atc.Username)
	require.NotEmpty(t, atc.JWTID)
	require.True(t, atTok.Expiry.After(atTok.IssuedAt))

	_, _, err = b.issuer.Mint("mallory", devissuer.MintOptions{})
	require.Error(t, err)
}

func TestRotateKeepsOldTokensValid(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// One verifier across the rotation, as a running Backdesk would hold:
	// it has cached the old JWKS and must pick up the new key by itself.
	verifier := b.verifier()
	ctx := context.Background()

	oldAccess, _, err := b.issuer.Mint("alice", devissuer.MintOptions{})
	require.NoError(t, err)
	_, err = verifier.Verify(ctx, oldAccess)
	require.NoError(t, err)

	require.NoError(t, b.issuer.Rotate())
	newAccess, newID, err := b.issuer.Mint("alice", devissuer.MintOptions{})
	require.NoError(t, err)

	require.NotEqual(t, keyID(t, oldAccess), keyID(t, newAccess))
	require.Equal(t, keyID(t, newAccess), keyID(t, newID))
	for _, raw := range []string{oldAccess, newAccess, newID} {
		_, err := verifier.Verify(ctx, raw)
		require.NoError(t, err)
	}
	// A verifier that starts after the rotation sees both keys too.
	for _, raw := range []string{oldAccess, newAccess} {
		_, err := b.verifier().Verify(ctx, raw)
		require.NoError(t, err)
	}
}

func TestDevTokenEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t)

	tests := []struct {
		name      string
		method    string
		form      url.Values
		status    int
		wantError string
		wantSub   string
	}{
		{"agent", http.MethodPost, url.Values{"user": {"bob"}}, http.StatusOK, "", "dev-bob"},
		{"platform admin", http.MethodPost, url.Values{"user": {"admin"}}, http.StatusOK, "", "dev-admin"},
		{"unknown user", http.MethodPost, url.Values{"user": {"mallory"}}, http.StatusNotFound, "unknown_user", ""},
		{"no user", http.MethodPost, url.Values{}, http.StatusBadRequest, "bad_request", ""},
		{"get", http.MethodGet, nil, http.StatusMethodNotAllowed, "method_not_allowed", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(tt.method, b.issuerURL+"/dev-token", strings.NewReader(tt.form.Encode()))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body := readBody(t, resp)
			require.Equal(t, tt.status, resp.StatusCode, body)
			require.Equal(t, "application/json", resp.Header.Get("Content-Type"))

			if tt.wantError != "" {
				var e struct {
					Error struct{ Code, Message string } `json:"error"`
				}
				require.NoError(t, json.Unmarshal([]byte(body), &e))
				require.Equal(t, tt.wantError, e.Error.Code)
				require.NotEmpty(t, e.Error.Message)
				return
			}
			var got struct {
				AccessToken string `json:"access_token"`
				IDToken     string `json:"id_token"`
				TokenType   string `json:"token_type"`
				ExpiresIn   int    `json:"expires_in"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &got))
			require.Equal(t, "Bearer", got.TokenType)
			require.Equal(t, 3600, got.ExpiresIn)
			for _, raw := range []string{got.AccessToken, got.IDToken} {
				_, c := b.verify(t, raw)
				require.Equal(t, tt.wantSub, c.Subject)
			}
		})
	}
}

func TestLoginPage(t *testing.T) {
	t.Parallel()
	b := setup(t)
	id := b.startLogin(t, "s", "n", "verifier-verifier-verifier-verifier-verifier")

	resp, page := b.get(t, b.issuerURL+"/login?authRequestID="+url.QueryEscape(id))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, "development identity provider")
	for _, u := range devissuer.DemoUsers() {
		require.Contains(t, page, `<button type="submit" name="user" value="`+u.Username+`">`)
		require.Contains(t, page, u.Name)
		require.Contains(t, page, u.Groups[0])
	}

	resp, _ = b.get(t, b.issuerURL+"/login?authRequestID=nope")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, _ = b.postForm(t, b.issuerURL+"/login", url.Values{"authRequestID": {id}, "user": {"mallory"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, _ = b.postForm(t, b.issuerURL+"/login", url.Values{"authRequestID": {"nope"}, "user": {"alice"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)

	// Completing the request once works; a second pick cannot swap the person.
	resp, _ = b.postForm(t, b.issuerURL+"/login", url.Values{"authRequestID": {id}, "user": {"alice"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = b.postForm(t, b.issuerURL+"/login", url.Values{"authRequestID": {id}, "user": {"admin"}})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := devissuer.Config{Issuer: "http://127.0.0.1:1/dev/oidc", ClientID: "c", ClientSecret: "s"}
	tests := []struct {
		name   string
		mutate func(*devissuer.Config)
	}{
		{"no issuer", func(c *devissuer.Config) { c.Issuer = "" }},
		{"relative issuer", func(c *devissuer.Config) { c.Issuer = "/dev/oidc" }},
		{"no client", func(c *devissuer.Config) { c.ClientID = "" }},
		{"no secret", func(c *devissuer.Config) { c.ClientSecret = "" }},
		{"duplicate user", func(c *devissuer.Config) {
			c.Users = append(devissuer.DemoUsers(), devissuer.DemoUsers()[0])
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.mutate(&cfg)
			_, err := devissuer.New(cfg)
			require.Error(t, err)
		})
	}
}

func TestDemoRoleMapCoversDemoGroups(t *testing.T) {
	t.Parallel()
	mapped := map[string]bool{}
	for _, pair := range strings.Split(devissuer.DemoRoleMap, ",") {
		group, role, ok := strings.Cut(pair, "=")
		require.True(t, ok, pair)
		require.NotEmpty(t, role)
		mapped[group] = true
	}
	seen := map[string]bool{}
	for _, u := range devissuer.DemoUsers() {
		require.NotContains(t, u.Subject, "@", "subjects must not be emails")
		require.False(t, seen[u.Subject], "duplicate subject %s", u.Subject)
		seen[u.Subject] = true
		for _, g := range u.Groups {
			require.True(t, mapped[g], "group %s has no role", g)
		}
	}
	require.Len(t, seen, 8)
}
