package ctl_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/ctl"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

func run(env map[string]string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := ctl.Main(context.Background(), args, func(k string) string { return env[k] }, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			_, url := testenv.NewEmptyDB(t, d)
			env := map[string]string{"BACKDESK_DATABASE_URL": url}
			code, out, errOut := run(env, "migrate")
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, "applied 0001_foundation.sql")

			code, out, errOut = run(env, "migrate")
			require.Equal(t, 0, code, errOut)
			require.Equal(t, "database is up to date\n", out)
		})
	}
}

func TestBadDatabaseURLNamesTheVariable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unset":       "",
		"bad scheme":  "mysql://db/x",
		"not a URL":   "backdesk.db",
		"unreachable": "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=2",
	}
	for name, url := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, _, errOut := run(map[string]string{"BACKDESK_DATABASE_URL": url}, "migrate")
			require.NotZero(t, code)
			require.Contains(t, errOut, "BACKDESK_DATABASE_URL")
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	code, _, errOut := run(nil, "frobnicate")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown command "frobnicate"`)
	code, out, _ := run(nil, "version")
	require.Equal(t, 0, code)
	require.Contains(t, out, "backdeskctl ")
}

func TestDevTokenFromTheBuiltInProvider(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	iss, err := devissuer.New(devissuer.Config{Issuer: base + "/dev/oidc", ClientID: "backdesk-dev", ClientSecret: "s", RedirectURIs: []string{base + "/auth/callback"}})
	require.NoError(t, err)
	srv := &http.Server{Handler: iss.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	env := map[string]string{"BACKDESK_PUBLIC_URL": base}
	code, out, errOut := run(env, "dev", "token", "alice")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 2, strings.Count(strings.TrimSpace(out), "."), "prints one JWT")

	code, _, errOut = run(env, "dev", "token", "mallory")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "mallory")

	code, _, errOut = run(map[string]string{"BACKDESK_PUBLIC_URL": "http://127.0.0.1:1"}, "dev", "token", "alice")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "make run")
}

func TestSessionsRevokeAllEndsEveryBrowserSession(t *testing.T) {
	t.Parallel()
	url := testenv.Redis(t)
	opt, err := redis.ParseURL(url)
	require.NoError(t, err)
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	store := session.NewStore(rdb, session.Config{})
	ctx := context.Background()
	var ids []string
	for i := 0; i < 3; i++ {
		id, _, err := store.Create(ctx, session.Session{Subject: "dev-alice"}, session.Secrets{})
		require.NoError(t, err)
		ids = append(ids, id)
	}

	code, out, errOut := run(map[string]string{"BACKDESK_REDIS_URL": url}, "sessions", "revoke-all")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "ended 3 browser sessions")
	for _, id := range ids {
		_, err := store.Get(ctx, id)
		require.ErrorIs(t, err, session.ErrNoSession)
	}

	code, _, errOut = run(map[string]string{}, "sessions", "revoke-all")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "BACKDESK_REDIS_URL")
	code, _, _ = run(map[string]string{"BACKDESK_REDIS_URL": url}, "sessions")
	require.Equal(t, 2, code)
}

func TestAdminBootstrapIsRefusedOnceThereIsAnAdmin(t *testing.T) {
	t.Parallel()
	_, url := testenv.NewEmptyDB(t, sqldb.SQLite)
	env := map[string]string{"BACKDESK_DATABASE_URL": url}
	code, _, errOut := run(env, "migrate")
	require.Equal(t, 0, code, errOut)

	code, _, errOut = run(env, "admin", "bootstrap")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--email is required")

	code, out, errOut := run(env, "admin", "bootstrap", "--email", "root@example.com", "--by", "ops")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "root@example.com is platform admin at their next sign-in")

	code, _, errOut = run(env, "admin", "bootstrap", "--email", "second@example.com")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "a platform admin already exists (root@example.com)")

	code, out, errOut = run(env, "admin", "bootstrap", "--remove", "--email", "root@example.com")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "withdrawn")
}
