package devissuer_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
)

const (
	clientID     = "backdesk"
	clientSecret = "dev-secret"
)

// testBundle is one issuer served over real HTTP, mounted at its prefix on
// an outer mux the way the dev binary mounts it, with a relying party
// configured against its discovery document.
type testBundle struct {
	issuer      *devissuer.Issuer
	issuerURL   string
	redirectURI string
	logoutURI   string
	provider    *oidc.Provider
	oauth       oauth2.Config
	browser     *http.Client
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	b := &testBundle{
		issuerURL:   base + "/dev/oidc",
		redirectURI: base + "/auth/callback",
		logoutURI:   base + "/auth/logged-out",
	}
	iss, err := devissuer.New(devissuer.Config{
		Issuer:                 b.issuerURL,
		ClientID:               clientID,
		ClientSecret:           clientSecret,
		RedirectURIs:           []string{b.redirectURI},
		PostLogoutRedirectURIs: []string{b.logoutURI},
	})
	require.NoError(t, err)
	require.Equal(t, "/dev/oidc", iss.Prefix())
	b.issuer = iss

	mux := http.NewServeMux()
	mux.Handle(iss.Prefix()+"/", iss.Handler())
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)

	b.provider, err = oidc.NewProvider(context.Background(), b.issuerURL)
	require.NoError(t, err)
	b.oauth = oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		Endpoint:     b.provider.Endpoint(),
		RedirectURL:  b.redirectURI,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email", "groups"},
	}
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	b.browser = &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return b
}

// get fetches url without following redirects and returns the response
// with its body read.
func (b *testBundle) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := b.browser.Get(u)
	require.NoError(t, err)
	return resp, readBody(t, resp)
}

func (b *testBundle) postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	resp, err := b.browser.PostForm(u, form)
	require.NoError(t, err)
	return resp, readBody(t, resp)
}

func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(body)
}

// startLogin opens the authorization URL and returns the auth request ID
// the issuer's login page was given.
func (b *testBundle) startLogin(t *testing.T, state, nonce, verifier string) string {
	t.Helper()
	authURL := b.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	resp, _ := b.get(t, authURL)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := resp.Location()
	require.NoError(t, err)
	require.Equal(t, "/dev/oidc/login", loc.Path)
	id := loc.Query().Get("authRequestID")
	require.NotEmpty(t, id)
	return id
}

// login walks the browser part of the code flow as user and returns the
// code delivered to the redirect URI.
func (b *testBundle) login(t *testing.T, user, state, nonce, verifier string) string {
	t.Helper()
	id := b.startLogin(t, state, nonce, verifier)

	resp, page := b.get(t, b.issuerURL+"/login?authRequestID="+url.QueryEscape(id))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, page, `value="`+user+`"`)

	resp, _ = b.postForm(t, b.issuerURL+"/login", url.Values{"authRequestID": {id}, "user": {user}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	callback := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(callback, b.issuerURL+"/"), "callback %q is outside the issuer", callback)

	resp, _ = b.get(t, callback)
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := resp.Location()
	require.NoError(t, err)
	require.Equal(t, b.redirectURI, loc.Scheme+"://"+loc.Host+loc.Path)
	require.Equal(t, state, loc.Query().Get("state"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)
	return code
}

func (b *testBundle) verifier() *oidc.IDTokenVerifier {
	return b.provider.Verifier(&oidc.Config{ClientID: clientID})
}

// identityClaims is what Backdesk reads from either token.
type identityClaims struct {
	Subject       string   `json:"sub"`
	Groups        []string `json:"groups"`
	Name          string   `json:"name"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Username      string   `json:"preferred_username"`
	Nonce         string   `json:"nonce"`
	AuthorizedBy  string   `json:"azp"`
	JWTID         string   `json:"jti"`
}

func (b *testBundle) verify(t *testing.T, raw string) (*oidc.IDToken, identityClaims) {
	t.Helper()
	tok, err := b.verifier().Verify(context.Background(), raw)
	require.NoError(t, err)
	var c identityClaims
	require.NoError(t, tok.Claims(&c))
	return tok, c
}

// keyID reads the kid from a JWT's header.
func keyID(t *testing.T, raw string) string {
	t.Helper()
	header, err := base64.RawURLEncoding.DecodeString(strings.SplitN(raw, ".", 2)[0])
	require.NoError(t, err)
	var h struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	require.NoError(t, json.Unmarshal(header, &h))
	require.Equal(t, "RS256", h.Alg)
	return h.Kid
}
