package kit

import (
	"bytes"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// Calls go to the service whose path prefix is the longest to match, on
// whole path segments, as the ingress routes them; the rest go to the
// fallback (the public URL).
func TestRoutedSendsEachPathToItsService(t *testing.T) {
	t.Parallel()
	answer := func(name string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name+" "+r.URL.Path) }))
		t.Cleanup(srv.Close)
		return srv
	}
	work, audit, ingress := answer("work"), answer("audit"), answer("ingress")
	routes, err := ParseRoutes(" /api/v1/work=" + work.URL + ", /api/v1/audit/=" + audit.URL + ",")
	require.NoError(t, err)
	fallback, err := Upstream(ingress.URL, nil, nil)
	require.NoError(t, err)
	h, err := Routed(routes, fallback, nil, nil)
	require.NoError(t, err)
	for path, want := range map[string]string{
		"/api/v1/work/queue":    "work /api/v1/work/queue",
		"/api/v1/work":          "work /api/v1/work",
		"/api/v1/workers":       "ingress /api/v1/workers",
		"/api/v1/audit/events":  "audit /api/v1/audit/events",
		"/api/v1/practices/p-1": "ingress /api/v1/practices/p-1",
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, want, w.Body.String(), path)
	}

	for _, bad := range []string{"api/v1/work=http://x", "/api/v1/work", "/api/v1/work="} {
		_, err := ParseRoutes(bad)
		require.Error(t, err, bad)
	}
	_, err = Routed([]Route{{Prefix: "/api", Base: "ftp://x"}}, fallback, nil, nil)
	require.ErrorContains(t, err, "route /api")
}

// An API that cannot be reached is a plain 503 for the person, and its
// cause, the refused dial, is in the log for the operator.
func TestUnreachableAPILogsTheCause(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	var logs bytes.Buffer
	up, err := Upstream("http://"+addr, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	w := httptest.NewRecorder()
	up.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/me", nil))
	require.Equal(t, http.StatusServiceUnavailable, w.Code)
	require.NotContains(t, w.Body.String(), "refused")
	require.Contains(t, logs.String(), "the API cannot be reached")
	require.Contains(t, logs.String(), "connection refused")
	require.Contains(t, logs.String(), addr)
}
