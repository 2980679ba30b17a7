package telemetry_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/telemetry"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
)

// These tests change process-wide OpenTelemetry state and environment
// variables, so they do not run in parallel.

func TestNoEndpointMeansNoExport(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	tel, err := telemetry.Setup(context.Background(), "test")
	require.NoError(t, err)
	require.False(t, tel.Exporting)
	_, span := otel.Tracer("t").Start(context.Background(), "work")
	require.True(t, span.SpanContext().IsValid(), "spans still get ids, so logs can carry them")
	span.End()
	require.NoError(t, tel.Shutdown(context.Background()))
}

func TestSpansReachTheOTLPEndpoint(t *testing.T) {
	var traces atomic.Int32
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if r.URL.Path == "/v1/traces" {
			traces.Add(1)
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "")

	tel, err := telemetry.Setup(context.Background(), "test")
	require.NoError(t, err)
	require.True(t, tel.Exporting)
	_, span := otel.Tracer("t").Start(context.Background(), "work")
	span.End()
	require.NoError(t, tel.Shutdown(context.Background()), "shutdown flushes the batch")
	require.Positive(t, traces.Load())
}
