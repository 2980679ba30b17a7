package devstack_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/backdesk/backdesk/services/internal/apitest"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

func TestMain(m *testing.M) {
	if os.Getenv("DEVSTACK_CHILD") == "1" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

// child behaves like the backdesk-dev binary.
func child() int {
	ctx, stop := signalContext()
	defer stop()
	cfg, err := devstack.ReadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := devstack.Run(ctx, cfg, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type bundle struct {
	stack   *devstack.Stack
	api     *apitest.Client
	engine  http.Handler
	baseURL string // the running server, for flows that need real HTTP
	logs    *testenv.Buffer
	stop    func() error
}

// setup runs the dev platform on a real loopback listener, since the
// built-in identity provider must be reachable at its issuer URL.
func setup(t *testing.T, dbURL string) bundle {
	t.Helper()
	return setupWith(t, dbURL, nil)
}

// setupWith is setup with a chance to change the configuration first.
func setupWith(t *testing.T, dbURL string, adjust func(*devstack.Config)) bundle {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	env := map[string]string{
		"BACKDESK_DATABASE_URL": dbURL,
		"BACKDESK_REDIS_URL":    testenv.Redis(t),
		"BACKDESK_ADDR":         ln.Addr().String(),
		"BACKDESK_PUBLIC_URL":   base,
	}
	cfg, err := devstack.ReadConfig(func(k string) string { return env[k] })
	require.NoError(t, err)
	if adjust != nil {
		adjust(&cfg)
	}
	logs := &testenv.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	p, err := devstack.Build(ctx, cfg, logs)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln) }()
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { _ = stop() })
	return bundle{stack: p, api: apitest.New(t, p.Engine), engine: p.Engine, baseURL: base, logs: logs, stop: stop}
}

func (b bundle) issuer(t *testing.T) *devissuer.Issuer {
	t.Helper()
	require.NotNil(t, b.stack.Issuer)
	return b.stack.Issuer
}

func (b bundle) routes() gin.RoutesInfo { return b.stack.Engine.Routes() }

// token returns an access token for a demo user from the built-in issuer.
func (b bundle) token(t *testing.T, user string) string {
	t.Helper()
	req := httptest.NewRequest("POST", "/dev/oidc/dev-token", strings.NewReader("user="+user))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	require.Equal(t, 200, w.Code, w.Body.String())
	var out struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &out))
	return out.AccessToken
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

func TestPlatformEndToEnd(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			_, dbURL := testenv.NewEmptyDB(t, d) // the dev binary migrates at start
			b := setup(t, dbURL)

			res := b.api.Do("GET", "/readyz", "")
			require.Equal(t, 200, res.Code, string(res.Body))
			admin := bearer(b.token(t, "admin"))

			res = b.api.Do("POST", "/api/v1/practices", `{"name":"Lakeside Dental North","npi":"1234567893","timezone":"America/Chicago"}`, admin...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var created struct {
				ID            string  `json:"id"`
				Status        string  `json:"status"`
				ProvisionedAt *string `json:"provisioned_at"`
			}
			res.JSON(t, &created)
			require.Equal(t, "/api/v1/practices/"+created.ID, res.Header.Get("Location"))
			require.Equal(t, "draft", created.Status)

			// The outbox row reaches the router through asynq, which
			// provisions the practice.
			require.Eventually(t, func() bool {
				var got struct {
					ProvisionedAt *string `json:"provisioned_at"`
				}
				r := b.api.Do("GET", "/api/v1/practices/"+created.ID, "", admin...)
				r.JSON(t, &got)
				return r.Code == 200 && got.ProvisionedAt != nil
			}, 2*time.Minute, 50*time.Millisecond) // a hang guard: the stack is also routing the demo's work

			require.NoError(t, b.stop())
			logs := b.logs.String()
			require.Contains(t, logs, `"msg":"stopped"`)
			require.NotContains(t, logs, `"level":"ERROR"`)
		})
	}
}

func TestPracticeAPIErrors(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	admin := bearer(b.token(t, "admin"))
	res := b.api.Do("POST", "/api/v1/practices", `{"name":"A","npi":"1234567893","timezone":"UTC"}`, admin...)
	require.Equal(t, 201, res.Code)

	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"bad npi", "POST", "/api/v1/practices", `{"name":"A","npi":"1234567890","timezone":"UTC"}`, 400, "invalid_npi", "npi"},
		{"missing name", "POST", "/api/v1/practices", `{"npi":"1234567893","timezone":"UTC"}`, 400, "required", "name"},
		{"bad timezone", "POST", "/api/v1/practices", `{"name":"A","npi":"1245319599","timezone":"Nowhere/Town"}`, 400, "invalid_timezone", "timezone"},
		{"unknown field", "POST", "/api/v1/practices", `{"name":"A","npi":"1245319599","timezone":"UTC","owner":"x"}`, 400, "unknown_field", "owner"},
		{"not json", "POST", "/api/v1/practices", `name=A`, 400, "invalid_json", "body"},
		{"duplicate npi", "POST", "/api/v1/practices", `{"name":"B","npi":"1234567893","timezone":"UTC"}`, 409, "duplicate_npi", "npi"},
		{"unknown id", "GET", "/api/v1/practices/01890000-0000-7000-8000-000000000000", "", 404, "not_found", ""},
		{"malformed id", "GET", "/api/v1/practices/not-an-id", "", 404, "not_found", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := b.api.Do(tc.method, tc.path, tc.body, admin...)
			require.Equal(t, tc.status, res.Code, string(res.Body))
			var e struct {
				Error struct{ Code, Field string } `json:"error"`
			}
			res.JSON(t, &e)
			require.Equal(t, tc.code, e.Error.Code)
			require.Equal(t, tc.field, e.Error.Field)
		})
	}
}

func TestRouteTableMatchesOpenAPI(t *testing.T) {
	t.Parallel()
	env := map[string]string{"BACKDESK_DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "db"), "BACKDESK_REDIS_URL": testenv.Redis(t)}
	cfg, err := devstack.ReadConfig(func(k string) string { return env[k] })
	require.NoError(t, err)
	p, err := devstack.Build(context.Background(), cfg, &bytes.Buffer{})
	require.NoError(t, err)
	defer p.Close()
	apitest.RequireRoutesDocumented(t, p.Engine.Routes(), notJSON...)
}

// notJSON are the routes that serve pages or belong to the development
// identity provider; the OpenAPI document describes JSON endpoints only.
var notJSON = []string{
	"GET /ops/queues", "GET /ops/queues/{path}", "POST /ops/queues/{path}", "DELETE /ops/queues/{path}",
	"GET /auth/login", "GET /auth/callback", "GET /auth/logged-out", "POST /auth/logout",
	// Patients' pages behind a message's links.
	"GET /m/unsubscribe/{token}", "POST /m/unsubscribe/{token}", "GET /m/{token}", "POST /m/{token}",
	"GET /m/pay/{token}", "POST /m/pay/{token}", "POST /m/pay/{token}/checkout",
	// The dev binary's stand-in for the payment company's checkout page.
	"GET /dev/pay/{session}", "POST /dev/pay/{session}/{outcome}",
	// The web console (services/console).
	"GET /", "GET /static/{filepath}", "POST /presence", "GET /queue", "POST /next",
	"GET /items/{itemID}", "POST /items/{itemID}/outcome", "POST /items/{itemID}/handoff",
	"POST /items/{itemID}/release", "POST /items/{itemID}/notes", "POST /items/{itemID}/messages", "GET /board", "GET /agents",
	"POST /agents/teams/{teamID}/members", "POST /agents/teams/{teamID}/members/{userID}/remove",
	"POST /agents/teams", "GET /agents/{userID}", "POST /agents/{userID}",
	"GET /practices/{practiceID}/setup", "POST /practices/{practiceID}/setup/timezone", "POST /practices/{practiceID}/setup/baa",
	"POST /practices/{practiceID}/setup/locations", "POST /practices/{practiceID}/setup/invitations", "POST /practices/{practiceID}/setup/contact",
	"GET /access-requests", "POST /access-requests", "GET /access-requests/{requestID}",
	"GET /clearinghouses", "POST /clearinghouses", "GET /clearinghouses/{connectionID}", "POST /clearinghouses/{connectionID}",
	"POST /clearinghouses/{connectionID}/payers", "POST /clearinghouses/{connectionID}/files", "POST /clearinghouses/{connectionID}/exchange",
	"GET /clearinghouses/{connectionID}/files/{fileID}/export",
	"GET /practices/{practiceID}", "GET /practices/{practiceID}/checklist", "GET /practices/{practiceID}/imports",
	"POST /practices/{practiceID}/imports", "GET /imports/{importID}", "GET /imports/{importID}/status",
	"GET /imports/{importID}/errors.csv", "GET /practices/{practiceID}/access", "POST /practices/{practiceID}/grants",
	"POST /practices/{practiceID}/grants/{grantID}/revoke", "POST /practices/{practiceID}/grants/{grantID}/recertify",
	"POST /practices/{practiceID}/access-requests/{requestID}/approve", "POST /practices/{practiceID}/access-requests/{requestID}/deny",
	"GET /practices/{practiceID}/messages", "POST /practices/{practiceID}/messages/settings", "GET /practices/{practiceID}/messages/problems",
	"GET /practices/{practiceID}/messages/templates/{channel}/{key}", "POST /practices/{practiceID}/messages/templates/{channel}/{key}",
	"POST /practices/{practiceID}/messages/templates/{channel}/{key}/reset",
	"GET /practices/{practiceID}/statements", "POST /practices/{practiceID}/statements", "GET /practices/{practiceID}/statements/runs/{runID}/skips",
	"GET /practices/{practiceID}/statements/runs/{runID}/export/pdf", "GET /practices/{practiceID}/statements/runs/{runID}/export/zip",
	"POST /items/{itemID}/payment-link", "GET /items/{itemID}/statement/export",
	"GET /audit", "GET /audit/export", "GET /audit/events/{eventID}", "GET /audit/reviews", "POST /audit/reviews",
	"POST /audit/break-glass/{sessionID}/review", "GET /audit/access-reviews", "GET /audit/integrity", "POST /audit/verifications",
	"GET /outbox", "POST /outbox/{messageID}/reply",
	"GET /dev/oidc/{path}", "POST /dev/oidc/{path}", "PUT /dev/oidc/{path}", "PATCH /dev/oidc/{path}",
	"DELETE /dev/oidc/{path}", "OPTIONS /dev/oidc/{path}", "CONNECT /dev/oidc/{path}", "TRACE /dev/oidc/{path}",
}

func TestDevBinaryStaysOnLoopback(t *testing.T) {
	t.Parallel()
	get := func(m map[string]string) config.Getenv { return func(k string) string { return m[k] } }
	_, err := devstack.ReadConfig(get(map[string]string{"BACKDESK_ADDR": "0.0.0.0:8080"}))
	require.ErrorContains(t, err, "BACKDESK_ADDR")
	_, err = devstack.ReadConfig(get(map[string]string{"BACKDESK_ADDR": "0.0.0.0:8080", "BACKDESK_DEV_ALLOW_REMOTE": "true"}))
	require.NoError(t, err)
	c, err := devstack.ReadConfig(get(nil))
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.Addr)
	require.Equal(t, "http://localhost:8080", c.PublicURL, "the address the README gives")
	require.Equal(t, "sqlite://.backdesk/backdesk.db", c.DatabaseURL)
	require.Empty(t, c.RedisURL, "no Redis URL means the in-process Redis")
}

// TestInterruptStopsCleanly runs the dev binary as a real process with its
// defaults (SQLite, in-process Redis), waits for /readyz, sends SIGINT and
// expects a clean exit with nothing logged at error level.
func TestInterruptStopsCleanly(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DEVSTACK_CHILD=1", "BACKDESK_ADDR="+addr, "BACKDESK_REDIS_URL=", "BACKDESK_DATABASE_URL=")
	var out testenv.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	require.Eventually(t, func() bool {
		res, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 60*time.Second, 50*time.Millisecond, "dev binary never became ready: %s", &out)
	_, err = os.Stat(filepath.Join(dir, ".backdesk", "backdesk.db"))
	require.NoError(t, err, "the dev binary keeps its SQLite database under ./.backdesk/")

	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-exited:
		require.NoError(t, err, "exit status: %s", &out)
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("dev binary did not exit after SIGINT: %s", &out)
	}
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		require.NotContains(t, sc.Text(), `"level":"ERROR"`)
		require.NotContains(t, sc.Text(), "deadline passed")
	}
	require.Contains(t, out.String(), `"msg":"stopped"`)
}

func TestInvitationsAPI(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, "sqlite")
	b := setup(t, dbURL)
	pat := bearer(b.token(t, "pat"))
	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
	require.Len(t, me.Memberships, 1, "pat administers the demo practice")
	demo := me.Memberships[0].PracticeID
	other := b.api.Do("POST", "/api/v1/practices", `{"name":"Elsewhere Dental","npi":"1245319599","timezone":"UTC"}`, bearer(b.token(t, "admin"))...)
	require.Equal(t, 201, other.Code)
	var otherP struct{ ID string }
	other.JSON(t, &otherP)

	tests := []struct {
		name, user, practice, body string
		status                     int
	}{
		{"practice admin invites", "pat", demo, `{"email":"frontdesk@lakeside.example"}`, 201},
		{"platform admin invites", "admin", demo, `{"email":"billing@lakeside.example"}`, 201},
		{"agent may not", "alice", demo, `{"email":"x@example.com"}`, 403},
		{"admin of another practice may not", "pat", otherP.ID, `{"email":"x@example.com"}`, 403},
		{"bad email", "pat", demo, `{"email":"not an email"}`, 400},
		{"unknown practice", "admin", "01890000-0000-7000-8000-000000000000", `{"email":"x@example.com"}`, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := b.api.Do("POST", "/api/v1/practices/"+tc.practice+"/invitations", tc.body, bearer(b.token(t, tc.user))...)
			require.Equal(t, tc.status, res.Code, string(res.Body))
		})
	}
	res := b.api.Do("GET", "/api/v1/practices/"+otherP.ID, "", pat...)
	require.Equal(t, 403, res.Code, "a practice admin sees only their own practice")
}

// waitRouted waits until the router has given every demo item an owner.
func waitRouted(t *testing.T, b bundle) {
	t.Helper()
	ctx := context.Background()
	require.Eventually(t, func() bool {
		var open int
		require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE state = 'open'`).Scan(&open)
		}))
		return open == 0
	}, 2*time.Minute, 50*time.Millisecond, "the demo work is routed")
}

// With an outside identity provider the dev binary does not make the demo
// practice, whose people would be made-up subjects of that provider that
// nobody can sign in as; it says so in the log.
func TestOutsideIssuerSkipsTheDemoPeople(t *testing.T) {
	t.Parallel()
	_, dbURL := testenv.NewEmptyDB(t, sqldb.SQLite)
	b := setupWith(t, dbURL, func(c *devstack.Config) {
		c.DevIssuer = false
		c.OIDCIssuer = "http://127.0.0.1:9/outside"
	})
	require.Nil(t, b.stack.Issuer)
	_, err := b.stack.DB.ExecContext(context.Background(), `SELECT 1`)
	require.NoError(t, err)
	var n int
	require.NoError(t, b.stack.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM practices`).Scan(&n))
	require.Zero(t, n, "no demo practice")
	require.Contains(t, b.logs.String(), "demo data not created")
}
