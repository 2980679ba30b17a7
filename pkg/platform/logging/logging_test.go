package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/trace"
)

func TestRecordsCarryRequestAndTraceIDs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := logging.New(&buf, slog.LevelInfo, "onboarding").With("component", "test")

	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	ctx := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled}))
	ctx = logging.WithRequestID(ctx, "req-1")
	log.InfoContext(ctx, "hello")
	log.DebugContext(ctx, "hidden below level")

	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec), buf.String())
	require.Equal(t, "req-1", rec["request_id"])
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", rec["trace_id"])
	require.Equal(t, "00f067aa0ba902b7", rec["span_id"])
	require.Equal(t, "onboarding", rec["service"])
	require.Equal(t, "test", rec["component"])
	require.Equal(t, 1, bytes.Count(buf.Bytes(), []byte("\n")))
}
