package devstack_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/authn"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

// claimsFor are the claims of a good access token for alice at issuer.
func claimsFor(issuer string, now time.Time) map[string]any {
	return map[string]any{
		"iss": issuer, "sub": "dev-alice", "aud": []string{"backdesk-dev"},
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"name": "Alice Agent", "groups": []string{"backdesk-agents"},
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for mk, mv := range m {
		out[mk] = mv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func unsigned(claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT"})
	p, _ := json.Marshal(claims)
	return b64(h) + "." + b64(p) + "."
}

func hmacSigned(claims map[string]any, secret []byte, kid string) string {
	h, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT", "kid": kid})
	p, _ := json.Marshal(claims)
	in := b64(h) + "." + b64(p)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(in))
	return in + "." + b64(m.Sum(nil))
}

func foreignSigned(t *testing.T, claims map[string]any, kid string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
	require.NoError(t, err)
	p, _ := json.Marshal(claims)
	jws, err := signer.Sign(p)
	require.NoError(t, err)
	s, err := jws.CompactSerialize()
	require.NoError(t, err)
	return s
}

// TestBearerTokensAreCheckedAgainstTheProvider sends every known kind of bad
// token to a real route of the running platform.
func TestBearerTokensAreCheckedAgainstTheProvider(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	other := newIssuer(t) // a second, unrelated provider
	iss := b.baseURL + "/dev/oidc"
	now := time.Now()
	good := claimsFor(iss, now)
	sign := func(c map[string]any) string {
		tok, err := b.issuer(t).SignClaims(c)
		require.NoError(t, err)
		return tok
	}
	valid := b.token(t, "alice")
	otherTok, _, err := other.Mint("alice", mintOpts())
	require.NoError(t, err)

	tests := []struct {
		name   string
		header string
		status int
	}{
		{"valid token", "Bearer " + valid, 200},
		{"valid claims signed by us", "Bearer " + sign(good), 200},
		{"nbf within leeway", "Bearer " + sign(with(good, "nbf", now.Add(30*time.Second).Unix())), 200},
		{"bad signature", "Bearer " + valid[:len(valid)-6] + "AAAAAA", 401},
		{"alg none", "Bearer " + unsigned(good), 401},
		{"HS256 keyed with the provider's public key", "Bearer " + hmacSigned(good, b.issuer(t).PublicKeyBytes(), ""), 401},
		{"wrong issuer", "Bearer " + sign(with(good, "iss", "https://evil.example.com")), 401},
		{"wrong audience", "Bearer " + sign(with(good, "aud", []string{"someone-else"})), 401},
		{"expired", "Bearer " + sign(with(with(good, "exp", now.Add(-2*time.Hour).Unix()), "iat", now.Add(-3*time.Hour).Unix())), 401},
		{"nbf beyond leeway", "Bearer " + sign(with(good, "nbf", now.Add(10*time.Minute).Unix())), 401},
		{"iat missing", "Bearer " + sign(with(good, "iat", nil)), 401},
		{"iat in the future", "Bearer " + sign(with(good, "iat", now.Add(10*time.Minute).Unix())), 401},
		{"exp missing", "Bearer " + sign(with(good, "exp", nil)), 401},
		{"sub missing", "Bearer " + sign(with(good, "sub", nil)), 401},
		{"unknown kid", "Bearer " + foreignSigned(t, good, "no-such-key"), 401},
		{"token from another provider", "Bearer " + otherTok, 401},
		{"garbage", "Bearer not-a-token", 401},
		{"three garbage parts", "Bearer a.b.c", 401},
		{"empty bearer", "Bearer ", 401},
		{"basic scheme", "Basic YWxpY2U6c2VjcmV0", 401},
		{"oversized", "Bearer " + strings.Repeat("a", 20000) + "." + strings.Repeat("b", 100) + ".c", 401},
		{"binary junk", "Bearer \x00\x01\x02.\xff\xfe.\x7f", 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := b.api.Do("GET", "/api/v1/me", "", "Authorization", tc.header)
			require.Equal(t, tc.status, res.Code, string(res.Body))
			if tc.status == 401 {
				require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
				require.NotContains(t, string(res.Body), "dev-alice")
			}
		})
	}
	require.NotContains(t, b.logs.String(), "panic")
	require.NotContains(t, b.logs.String(), valid[:40], "tokens are never logged")
}

// TestEveryRouteRequiresAuthentication walks the route table.
func TestEveryRouteRequiresAuthentication(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	public := map[string]bool{
		"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
		"GET /auth/login": true, "GET /auth/callback": true, "GET /auth/logged-out": true,
	}
	param := regexp.MustCompile(`[:*][A-Za-z_]+`)
	checked := 0
	for _, r := range b.routes() {
		key := r.Method + " " + r.Path
		if public[key] || strings.HasPrefix(r.Path, "/dev/oidc/") || patientFacing(r.Path) {
			continue
		}
		path := param.ReplaceAllString(r.Path, "01890000-0000-7000-8000-000000000000")
		req, err := http.NewRequest(r.Method, b.baseURL+path, strings.NewReader("{}"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		res, err := noRedirect().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		if authn.IsAPI(r.Path) || r.Method != http.MethodGet {
			require.Equal(t, http.StatusUnauthorized, res.StatusCode, key)
		} else {
			require.Equal(t, http.StatusSeeOther, res.StatusCode, key)
			require.True(t, strings.HasPrefix(res.Header.Get("Location"), "/auth/login?return_to="), key)
		}
		checked++
	}
	require.Greater(t, checked, 3)
}

func noRedirect() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// browser is an HTTP client with cookies that stops at Backdesk's callback,
// so the test can replay or tamper with it.
type browser struct {
	t      *testing.T
	c      *http.Client
	base   string
	lastCB *url.URL
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	br := &browser{t: t, base: base}
	br.c = &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Path == "/auth/callback" {
			br.lastCB = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return br
}

func (br *browser) get(u string) (*http.Response, string) {
	br.t.Helper()
	res, err := br.c.Get(u)
	require.NoError(br.t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

// pickUser starts a login and picks user on the provider's page; it returns
// Backdesk's callback URL without visiting it.
func (br *browser) pickUser(user string) *url.URL {
	br.t.Helper()
	res, body := br.get(br.base + "/auth/login?return_to=/api/v1/me")
	require.Equal(br.t, 200, res.StatusCode, body)
	require.Contains(br.t, body, "development identity provider")
	id := res.Request.URL.Query().Get("authRequestID")
	require.NotEmpty(br.t, id)
	br.lastCB = nil
	res, err := br.c.PostForm(res.Request.URL.String(), url.Values{"authRequestID": {id}, "user": {user}})
	require.NoError(br.t, err)
	res.Body.Close()
	require.NotNil(br.t, br.lastCB, "the provider must send the browser back to /auth/callback")
	return br.lastCB
}

func TestBrowserLoginSessionAndLogout(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	br := newBrowser(t, b.baseURL)

	cb := br.pickUser("pat")
	res, body := br.get(cb.String())
	require.Equal(t, 200, res.StatusCode, body)
	require.Equal(t, "/api/v1/me", res.Request.URL.Path, "the login returns to where it started")
	var me struct {
		Subject     string `json:"subject"`
		AuthMethod  string `json:"auth_method"`
		Roles       []string
		Memberships []map[string]string
	}
	require.NoError(t, json.Unmarshal([]byte(body), &me))
	require.Equal(t, "dev-pat", me.Subject)
	require.Equal(t, "session", me.AuthMethod)
	require.Len(t, me.Memberships, 1, "pat's invitation to the demo practice binds at first sign-in")

	var session *http.Cookie
	for _, c := range br.c.Jar.Cookies(res.Request.URL) {
		if c.Name == authn.SessionCookie {
			session = c
		}
	}
	require.NotNil(t, session)

	// The same callback again (a replayed code) is refused.
	res, _ = br.get(cb.String())
	require.Equal(t, 400, res.StatusCode)

	// A callback whose state was tampered with is refused.
	cb2 := br.pickUser("alice")
	q := cb2.Query()
	q.Set("state", "forged-state")
	cb2.RawQuery = q.Encode()
	res, _ = br.get(cb2.String())
	require.Equal(t, 400, res.StatusCode)

	// The home page shows who is signed in and carries the CSRF token.
	res, body = br.get(b.baseURL + "/")
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, body, "Pat Practice")
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	require.Len(t, m, 2)

	// Logout without the CSRF token is refused; with it, the session dies
	// server-side and the old cookie is worthless.
	res, err := br.c.PostForm(b.baseURL+"/auth/logout", url.Values{})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 403, res.StatusCode)
	res, err = br.c.PostForm(b.baseURL+"/auth/logout", url.Values{"csrf_token": {m[1]}})
	require.NoError(t, err)
	body2, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, 200, res.StatusCode)
	require.Contains(t, string(body2), "signed out")

	var logins, logouts int
	db := b.stack.DB
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE action = 'login' AND outcome = 'allow' AND actor_subject = 'dev-pat'`).Scan(&logins))
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE action = 'logout' AND actor_subject = 'dev-pat'`).Scan(&logouts))
	require.Equal(t, 1, logins, "the sign-in is in the audit trail")
	require.Equal(t, 1, logouts, "and so is the sign-out")

	req, _ := http.NewRequest("GET", b.baseURL+"/api/v1/me", nil)
	req.AddCookie(session)
	res, err = noRedirect().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, 401, res.StatusCode)
}

func TestLoginReturnStaysOnSite(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	for _, target := range []string{"https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com", "/\t/evil.example.com", "/\x00/evil.example.com", "/a\\b"} {
		br := newBrowser(t, b.baseURL)
		res, err := br.c.Get(b.baseURL + "/auth/login?return_to=" + url.QueryEscape(target))
		require.NoError(t, err)
		res.Body.Close()
		id := res.Request.URL.Query().Get("authRequestID")
		res, err = br.c.PostForm(res.Request.URL.String(), url.Values{"authRequestID": {id}, "user": {"bob"}})
		require.NoError(t, err)
		res.Body.Close()
		res, err = noRedirectWithJar(br.c.Jar).Get(br.lastCB.String())
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, http.StatusSeeOther, res.StatusCode)
		require.Equal(t, "/", res.Header.Get("Location"), target)
	}
}

func noRedirectWithJar(jar http.CookieJar) *http.Client {
	c := noRedirect()
	c.Jar = jar
	return c
}
