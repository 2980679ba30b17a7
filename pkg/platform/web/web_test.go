package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

type bundle struct {
	engine *gin.Engine
	logs   *bytes.Buffer
}

func setup(t *testing.T, checks ...web.Check) bundle {
	t.Helper()
	var logs bytes.Buffer
	e := web.NewEngine(web.Options{
		Service:  "test",
		Logger:   logging.New(&logs, slog.LevelDebug, "test"),
		Registry: prometheus.NewRegistry(),
		Ready:    checks,
	})
	return setupOn(e, &logs)
}

// setupOn mounts the test routes on e.
func setupOn(e *gin.Engine, logs *bytes.Buffer) bundle {
	e.GET("/things/:id", func(c *gin.Context) {
		switch c.Param("id") {
		case "missing":
			web.Fail(c, apperr.NotFound("thing"))
		case "bad":
			web.Fail(c, apperr.Invalid("npi", "invalid_npi", "must be 10 digits"))
		case "boom":
			web.Fail(c, errors.New("driver said: patient Jane Doe violates constraint"))
		case "panic":
			panic("Jane Doe")
		default:
			c.JSON(http.StatusOK, gin.H{"id": c.Param("id")})
		}
	})
	e.POST("/things", func(c *gin.Context) {
		var in struct {
			Name string `json:"name"`
			Age  int    `json:"age"`
		}
		if err := web.DecodeJSON(c, &in); err != nil {
			web.Fail(c, err)
			return
		}
		c.JSON(http.StatusCreated, in)
	})
	return bundle{engine: e, logs: logs}
}

func (b bundle) do(method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	return w
}

func errBody(t *testing.T, w *httptest.ResponseRecorder) web.ErrorDetail {
	t.Helper()
	var b web.ErrorBody
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &b), w.Body.String())
	return b.Error
}

func TestErrorsHaveOneShape(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{name: "not found", method: "GET", path: "/things/missing", status: 404, code: "not_found"},
		{name: "invalid", method: "GET", path: "/things/bad", status: 400, code: "invalid_npi", field: "npi"},
		{name: "internal", method: "GET", path: "/things/boom", status: 500, code: "internal"},
		{name: "panic", method: "GET", path: "/things/panic", status: 500, code: "internal"},
		{name: "no route", method: "GET", path: "/nowhere", status: 404, code: "not_found"},
		{name: "wrong method", method: "DELETE", path: "/things/1", status: 405, code: "method_not_allowed"},
		{name: "malformed json", method: "POST", path: "/things", body: `{"name":`, status: 400, code: "invalid_json", field: "body"},
		{name: "unknown field", method: "POST", path: "/things", body: `{"nmae":"x"}`, status: 400, code: "unknown_field", field: "nmae"},
		{name: "wrong type", method: "POST", path: "/things", body: `{"age":"old"}`, status: 400, code: "invalid_type", field: "age"},
		{name: "trailing data", method: "POST", path: "/things", body: `{"age":1} {}`, status: 400, code: "invalid_json", field: "body"},
		{name: "too large", method: "POST", path: "/things", body: `{"name":"` + strings.Repeat("a", web.MaxJSONBody) + `"}`, status: 413, code: "body_too_large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := b.do(tc.method, tc.path, tc.body)
			require.Equal(t, tc.status, w.Code, w.Body.String())
			d := errBody(t, w)
			require.Equal(t, tc.code, d.Code)
			require.Equal(t, tc.field, d.Field)
			require.NotContains(t, w.Body.String(), "Jane")
		})
	}
	require.NotContains(t, b.logs.String(), "Jane Doe\"", "a panic value must not be logged")
}

func TestRequestIDRunsThrough(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.do("GET", "/things/1", "", web.RequestIDHeader, "abc-123")
	require.Equal(t, "abc-123", w.Header().Get(web.RequestIDHeader))
	require.Contains(t, b.logs.String(), `"request_id":"abc-123"`)

	w = b.do("GET", "/things/1", "", web.RequestIDHeader, "bad id with spaces")
	require.NotEqual(t, "bad id with spaces", w.Header().Get(web.RequestIDHeader))
	require.Len(t, w.Header().Get(web.RequestIDHeader), 36)
}

func TestAccessLogHasRouteNotPathOrQuery(t *testing.T) {
	t.Parallel()
	b := setup(t)
	w := b.do("GET", "/things/1234567?name=Jane+Doe&dob=1970-01-01", "")
	require.Equal(t, 200, w.Code)
	w = b.do("POST", "/things", `{"name":"Jane Doe"}`)
	require.Equal(t, 201, w.Code)
	logs := b.logs.String()
	require.Contains(t, logs, `"route":"/things/:id"`)
	for _, leak := range []string{"1234567", "Jane", "1970"} {
		require.NotContains(t, logs, leak)
	}
}

func TestReadyz(t *testing.T) {
	t.Parallel()
	ok := web.Check{Name: "database", Check: func(context.Context) error { return nil }}
	down := web.Check{Name: "redis", Check: func(context.Context) error { return errors.New("dial tcp 10.0.0.1:6379: refused") }}

	w := setup(t, ok).do("GET", "/readyz", "")
	require.Equal(t, 200, w.Code)
	require.JSONEq(t, `{"status":"ready","checks":{"database":"ok"}}`, w.Body.String())

	w = setup(t, ok, down).do("GET", "/readyz", "")
	require.Equal(t, 503, w.Code)
	require.JSONEq(t, `{"status":"not ready","checks":{"database":"ok","redis":"unavailable"}}`, w.Body.String())

	// A dependency that goes down after the start makes the pod say so at
	// once, naming it, and ready again as soon as it is back: the probe's
	// failure threshold, not the handler, decides when traffic moves.
	var fail atomic.Bool
	flaky := web.Check{Name: "redis", Check: func(context.Context) error {
		if fail.Load() {
			return errors.New("dial tcp 10.0.0.1:6379: refused")
		}
		return nil
	}}
	b := setup(t, ok, flaky)
	require.Equal(t, 200, b.do("GET", "/readyz", "").Code)
	fail.Store(true)
	w = b.do("GET", "/readyz", "")
	require.Equal(t, 503, w.Code)
	require.JSONEq(t, `{"status":"not ready","checks":{"database":"ok","redis":"unavailable"}}`, w.Body.String())
	require.NotContains(t, w.Body.String(), "10.0.0.1", "the body never names a host")
	fail.Store(false)
	require.Equal(t, 200, b.do("GET", "/readyz", "").Code)

	w = setup(t).do("GET", "/healthz", "")
	require.Equal(t, 200, w.Code)
}

func TestMetricsExposeRouteTemplates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.do("GET", "/things/42", "")
	w := b.do("GET", "/metrics", "")
	require.Equal(t, 200, w.Code)
	require.Contains(t, w.Body.String(), `backdesk_http_server_duration_seconds_count{method="GET",route="/things/:id",service="test",status="200"} 1`)
	require.NotContains(t, w.Body.String(), "/things/42")
}
