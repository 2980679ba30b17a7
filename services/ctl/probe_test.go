package ctl_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestProbeSucceedsOnlyWhenEveryURLAnswers2xx(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/readyz" {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()

	code, out, _ := run(nil, "probe", srv.URL+"/readyz")
	require.Equal(t, 0, code)
	require.Contains(t, out, "ok   "+srv.URL+"/readyz: 200")

	code, out, errOut := run(nil, "probe", srv.URL+"/readyz", srv.URL+"/down")
	require.Equal(t, 1, code)
	require.Contains(t, out, "FAIL "+srv.URL+"/down: 503 Service Unavailable")
	require.Contains(t, errOut, "1 of 2 failed")

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	code, out, _ = run(nil, "probe", "--timeout", "2s", closed.URL+"/readyz")
	require.Equal(t, 1, code, "an unreachable service fails the probe")
	require.Contains(t, out, "FAIL "+closed.URL+"/readyz")

	code, _, errOut = run(nil, "probe")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "usage: backdeskctl probe")
	code, _, errOut = run(nil, "probe", "backdesk-access/readyz")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "not an http(s) URL")
}
