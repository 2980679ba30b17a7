package kit

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestUpstreamSendsTheCallOverHTTP(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		got, body = r, string(raw)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `{"error":{"code":"stale","message":"changed"}}`)
	}))
	t.Cleanup(srv.Close)
	up, err := Upstream(srv.URL+"/", nil, nil)
	require.NoError(t, err)

	req := httptest.NewRequest(http.MethodPost, "/api/v1/work/next?x=1", strings.NewReader(`{"a":1}`))
	req.Header.Set("Cookie", "backdesk_session=s")
	req.Header.Set("X-CSRF-Token", "t")
	w := httptest.NewRecorder()
	up.ServeHTTP(w, req)
	require.Equal(t, http.StatusConflict, w.Code)
	require.JSONEq(t, `{"error":{"code":"stale","message":"changed"}}`, w.Body.String())
	require.Equal(t, "/api/v1/work/next", got.URL.Path)
	require.Equal(t, "x=1", got.URL.RawQuery)
	require.Equal(t, "backdesk_session=s", got.Header.Get("Cookie"))
	require.Equal(t, "t", got.Header.Get("X-CSRF-Token"))
	require.Equal(t, `{"a":1}`, body)

	srv.Close()
	w = httptest.NewRecorder()
	up.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/work/queue", nil))
	require.Equal(t, http.StatusServiceUnavailable, w.Code, "an unreachable API is a 503 in the API's shape")
	require.Contains(t, w.Body.String(), `"code":"unavailable"`)

	_, err = Upstream("ftp://example.com", nil, nil)
	require.Error(t, err)
}
