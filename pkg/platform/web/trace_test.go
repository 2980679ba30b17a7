package web_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// traced is an engine whose spans land in memory.
func traced(t *testing.T) (bundle, *tracetest.InMemoryExporter) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	var logs bytes.Buffer
	e := web.NewEngine(web.Options{Service: "test", Logger: logging.New(&logs, slog.LevelDebug, "test"),
		Registry: prometheus.NewRegistry(), TracerProvider: tp})
	b := setupOn(e, &logs)
	return b, exp
}

// spanAttrs indexes a span's attributes by key.
func spanAttrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	out := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes {
		out[kv.Key] = kv.Value
	}
	return out
}

// A server span names the route template and the status, and nothing a
// request carries: not the raw path (patient ids), not the query, not the
// client's address or user agent, not the text of a handler's error.
func TestTracesCarryRouteNotPathOrQuery(t *testing.T) {
	t.Parallel()
	b, exp := traced(t)
	leaky := []string{"X-Forwarded-For", "203.0.113.9", "User-Agent", "Jane-Browser/1.0"}
	require.Equal(t, 200, b.do("GET", "/things/1234567?name=Jane+Doe&dob=1970-01-01", "", leaky...).Code)
	require.Equal(t, 500, b.do("GET", "/things/boom?dob=1970-01-01", "", leaky...).Code)
	require.Equal(t, 400, b.do("GET", "/things/bad", "", leaky...).Code)
	require.Equal(t, 404, b.do("GET", "/patients/1234567", "", leaky...).Code)
	require.Equal(t, 500, b.do("GET", "/things/panic", "", leaky...).Code)
	require.Equal(t, 200, b.do("GET", "/healthz", "").Code)

	spans := exp.GetSpans()
	require.Len(t, spans, 5, "one span per request; probes are not traced")
	allowed := map[attribute.Key]bool{"http.request.method": true, "http.route": true, "http.response.status_code": true, "error.type": true}
	for _, s := range spans {
		require.Equal(t, trace.SpanKindServer, s.SpanKind)
		for k := range spanAttrs(s) {
			require.True(t, allowed[k], "span %q has attribute %s", s.Name, k)
		}
		text := testenv.SpanText(s)
		for _, leak := range []string{"1234567", "Jane", "1970", "dob", "192.0.2.1", "203.0.113.9", "driver said", "constraint"} {
			require.NotContains(t, text, leak, "span %q", s.Name)
		}
		require.Empty(t, s.Events, "span %q records events", s.Name)
		require.Empty(t, s.Status.Description, "span %q describes its status", s.Name)
	}

	byStatus := map[int64]tracetest.SpanStub{}
	for _, s := range spans {
		byStatus[spanAttrs(s)["http.response.status_code"].AsInt64()] = s
	}
	ok := byStatus[200]
	require.Equal(t, "GET /things/:id", ok.Name)
	require.Equal(t, "/things/:id", spanAttrs(ok)["http.route"].AsString())
	require.Equal(t, "GET", spanAttrs(ok)["http.request.method"].AsString())
	require.Equal(t, codes.Unset, ok.Status.Code)

	bad := byStatus[400]
	require.Equal(t, codes.Unset, bad.Status.Code, "a client's mistake is not a server error")
	require.Equal(t, "invalid", spanAttrs(bad)["error.type"].AsString())

	unmatched := byStatus[404]
	require.Equal(t, "GET", unmatched.Name)
	_, hasRoute := spanAttrs(unmatched)["http.route"]
	require.False(t, hasRoute)
	require.Equal(t, "not_found", spanAttrs(unmatched)["error.type"].AsString())

	var failed []tracetest.SpanStub
	for _, s := range spans {
		if spanAttrs(s)["http.response.status_code"].AsInt64() == 500 {
			failed = append(failed, s)
		}
	}
	require.Len(t, failed, 2)
	kinds := map[string]bool{}
	for _, s := range failed {
		require.Equal(t, codes.Error, s.Status.Code)
		kinds[spanAttrs(s)["error.type"].AsString()] = true
	}
	require.Equal(t, map[string]bool{"internal": true, "500": true}, kinds, "a handler's error names its kind; a panic only its status")
}

// An incoming W3C trace context is continued, so a trace runs from the
// caller through the service; baggage a client sends is not taken in.
func TestTraceContextIsContinued(t *testing.T) {
	t.Parallel()
	b, exp := traced(t)
	var inHandler trace.SpanContext
	var members int
	b.engine.GET("/ctx", func(c *gin.Context) {
		inHandler = trace.SpanContextFromContext(c.Request.Context())
		members = baggage.FromContext(c.Request.Context()).Len()
		c.Status(http.StatusNoContent)
	})
	req := httptest.NewRequest("GET", "/ctx", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req.Header.Set("baggage", "patient=1234567")
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	require.Equal(t, http.StatusNoContent, w.Code)

	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", spans[0].SpanContext.TraceID().String())
	require.Equal(t, "00f067aa0ba902b7", spans[0].Parent.SpanID().String())
	require.True(t, spans[0].Parent.IsRemote())
	require.Equal(t, spans[0].SpanContext.SpanID(), inHandler.SpanID(), "the handler runs inside the server span")
	require.Zero(t, members, "client baggage stays out")
}

// Metric labels hold the route template and a known method, never what a
// client made up.
func TestMetricLabelsHoldNoRequestValues(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.do("GET", "/things/1234567?name=Jane", "")
	b.do("JANEDOE", "/things/1234567", "")
	b.do("GET", "/patients/1234567", "")
	body := b.do("GET", "/metrics", "").Body.String()
	require.Contains(t, body, `method="_OTHER",route="unmatched"`)
	for _, leak := range []string{"1234567", "Jane", "JANEDOE"} {
		require.False(t, strings.Contains(body, leak), "/metrics holds %q", leak)
	}
}
