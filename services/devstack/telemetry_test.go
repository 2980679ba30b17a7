package devstack_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// recordSpans keeps every span the stack ends from now on in memory, as
// an OTLP exporter would send them.
func recordSpans(b bundle) *tracetest.InMemoryExporter {
	exp := tracetest.NewInMemoryExporter()
	b.stack.Telemetry.TracerProvider.RegisterSpanProcessor(sdktrace.NewSimpleSpanProcessor(exp))
	return exp
}

// requireTelemetryClean fails if any span (name, attribute, event, status
// description) or any line of /metrics holds one of leaks. It also
// requires that a span and a metric of route exist, so a silent exporter
// cannot pass for a clean one.
func requireTelemetryClean(t *testing.T, b bundle, spans *tracetest.InMemoryExporter, route string, leaks ...string) {
	t.Helper()
	recorded := spans.GetSpans()
	sawRoute := false
	for _, s := range recorded {
		text := testenv.SpanText(s)
		for _, leak := range leaks {
			require.False(t, strings.Contains(text, leak), "span %q holds %q: %s", s.Name, leak, text)
		}
		sawRoute = sawRoute || strings.HasSuffix(s.Name, " "+route)
	}
	require.True(t, sawRoute, "no span for %s among %d", route, len(recorded))

	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	require.Equal(t, 200, w.Code)
	metrics := w.Body.String()
	require.Contains(t, metrics, `route="`+route+`"`)
	for _, line := range strings.Split(metrics, "\n") {
		for _, leak := range leaks {
			require.False(t, strings.Contains(line, leak), "/metrics holds %q: %s", leak, line)
		}
	}
}
