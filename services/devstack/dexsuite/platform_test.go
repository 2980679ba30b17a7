package dexsuite_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/testenv/dex"
	"github.com/backdesk/backdesk/services/ctl"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/stretchr/testify/require"
)

const (
	clientID     = "backdesk"
	clientSecret = "backdesk-dex-client-secret"
	// scopes is what Backdesk asks Dex for: groups for the roles,
	// offline_access for the refresh tokens of session re-checks.
	scopes = "openid profile email groups offline_access"
)

// people are Dex's static users, in the groups roleMap maps to roles;
// root has no group at all.
var people = []dex.User{
	{Email: "agent@dex.test", Username: "Ada Agent", ID: "u-agent", Groups: []string{"backdesk-agents"}},
	{Email: "manager@dex.test", Username: "Max Manager", ID: "u-manager", Groups: []string{"backdesk-billing-managers"}},
	{Email: "compliance@dex.test", Username: "Cora Compliance", ID: "u-compliance", Groups: []string{"backdesk-compliance"}},
	{Email: "admin@dex.test", Username: "Abe Admin", ID: "u-admin", Groups: []string{"backdesk-platform-admins"}},
	{Email: "root@dex.test", Username: "Ruth Root", ID: "u-root"},
}

// roleMap is BACKDESK_OIDC_ROLE_MAP, as deploy/dev/values.yaml sets it.
const roleMap = "backdesk-agents=agent,backdesk-billing-managers=billing_manager," +
	"backdesk-compliance=compliance,backdesk-platform-admins=platform_admin"

// platform is Backdesk (the dev binary's one process, with no demo
// data) signing people in through one Dex.
type platform struct {
	dex   *dex.Dex
	stack *devstack.Stack
	base  string
	dbURL string
	// redisURL is the platform's Redis, through which backdeskctl tells
	// it that people changed.
	redisURL string
	logs     *testenv.Buffer
	// skew moves Backdesk's re-check clock ahead of the real one.
	skew atomic.Int64
}

// setup starts a Dex that knows Backdesk's redirect URIs, then Backdesk
// with env on top of its Dex settings.
func setup(t *testing.T, opts dex.Options, env map[string]string) *platform {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	if opts.Users == nil {
		opts.Users = people
	}
	opts.Clients = append(opts.Clients,
		dex.Client{ID: clientID, Secret: clientSecret, RedirectURIs: []string{base + "/auth/callback"}},
		dex.Client{ID: "other-app", Secret: "other-app-secret", RedirectURIs: []string{"http://127.0.0.1:9/cb"}})
	d := dex.Start(t, opts)
	_, dbURL := testenv.NewEmptyDB(t, sqldb.SQLite)
	all := map[string]string{
		"BACKDESK_DATABASE_URL":          dbURL,
		"BACKDESK_REDIS_URL":             testenv.Redis(t),
		"BACKDESK_ADDR":                  ln.Addr().String(),
		"BACKDESK_PUBLIC_URL":            base,
		"BACKDESK_OIDC_ISSUER":           d.Issuer(),
		"BACKDESK_OIDC_CLIENT_ID":        clientID,
		"BACKDESK_OIDC_CLIENT_SECRET":    clientSecret,
		"BACKDESK_OIDC_SCOPES":           scopes,
		"BACKDESK_OIDC_ROLE_MAP":         roleMap,
		"BACKDESK_OIDC_RECHECK_INTERVAL": "10m",
		// Dex mints access tokens like ID tokens (at_hash, nonce).
		"BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS": "true",
	}
	for k, v := range env {
		all[k] = v
	}
	cfg, err := devstack.ReadConfig(func(k string) string { return all[k] })
	require.NoError(t, err)
	p := &platform{dex: d, base: base, dbURL: dbURL, redisURL: all["BACKDESK_REDIS_URL"], logs: &testenv.Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	p.stack, err = devstack.Build(ctx, cfg, p.logs)
	require.NoError(t, err)
	p.stack.Auth.Now = func() time.Time { return time.Now().Add(time.Duration(p.skew.Load())) }
	done := make(chan error, 1)
	go func() { done <- p.stack.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("Backdesk's log:\n%s\nDex's log:\n%s", p.logs.String(), d.Log())
		}
	})
	return p
}

// token is an access token from Dex's password grant.
func (p *platform) token(t *testing.T, email, scope string) string {
	t.Helper()
	tok, err := p.dex.PasswordGrant(context.Background(), clientID, clientSecret, email, scope)
	require.NoError(t, err)
	return tok.Access
}

// subject is the subject Dex gives the person with email.
func (p *platform) subject(t *testing.T, email string) string {
	t.Helper()
	tok, err := p.dex.PasswordGrant(context.Background(), clientID, clientSecret, email, "openid")
	require.NoError(t, err)
	parts := strings.Split(tok.ID, ".")
	require.Len(t, parts, 3)
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var c struct {
		Sub string `json:"sub"`
	}
	require.NoError(t, json.Unmarshal(raw, &c))
	return c.Sub
}

// call sends one API request with the client (a browser's cookies) or a
// bearer token, and returns the status and body.
func (p *platform) call(t *testing.T, c *http.Client, method, path, bearer string, body ...string) (int, string) {
	t.Helper()
	var rd io.Reader
	if len(body) > 0 {
		rd = strings.NewReader(body[0])
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	require.NoError(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// me is /api/v1/me as the caller sees it.
type me struct {
	Name       string   `json:"name"`
	Email      string   `json:"email"`
	Roles      []string `json:"roles"`
	AuthMethod string   `json:"auth_method"`
}

func (p *platform) me(t *testing.T, c *http.Client, bearer string) me {
	t.Helper()
	code, body := p.call(t, c, http.MethodGet, "/api/v1/me", bearer)
	require.Equal(t, http.StatusOK, code, body)
	var m me
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	return m
}

// signIn runs the browser's sign-in without a browser: Backdesk's login
// redirects to Dex, Dex's own login form is posted, and Dex redirects
// back to Backdesk's callback. It returns the client holding the session
// cookie and the last response's status and body.
func (p *platform) signIn(t *testing.T, email string) (*http.Client, int, string) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(p.base + "/auth/login?return_to=/api/v1/me")
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.True(t, strings.HasPrefix(resp.Request.URL.String(), p.dex.Issuer()+"/auth/local"), "Dex's login form, not %s", resp.Request.URL)
	resp, err = c.PostForm(resp.Request.URL.String(), url.Values{"login": {email}, "password": {dex.Password}})
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return c, resp.StatusCode, string(body)
}

// runCtl runs backdeskctl on the platform's database and Redis.
func (p *platform) runCtl(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	env := map[string]string{"BACKDESK_DATABASE_URL": p.dbURL, "BACKDESK_REDIS_URL": p.redisURL}
	code := ctl.Main(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}
