package queue_test

import (
	"context"
	"errors"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/hibiken/asynq"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// A task's span continues the trace from its headers and names the task's
// type, never its payload, nor the text of the error its handler returned.
// Tracing reads the global provider, so this is the package's only test
// that installs one.
func TestTaskSpansCarryNoPayload(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })

	task := asynq.NewTaskWithHeaders("patient:remind", []byte(`{"patient_id":"pat-1234567","name":"Jane Doe"}`),
		map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"})
	h := queue.Tracing(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		return errors.New("remind pat-1234567 (Jane Doe): phone rejected")
	}))
	require.Error(t, h.ProcessTask(context.Background(), task))

	spans := exp.GetSpans()
	require.Len(t, spans, 1)
	s := spans[0]
	require.Equal(t, "task patient:remind", s.Name)
	require.Equal(t, "4bf92f3577b34da6a3ce929d0e0e4736", s.SpanContext.TraceID().String())
	require.Equal(t, codes.Error, s.Status.Code)
	require.Empty(t, s.Events)
	text := testenv.SpanText(s)
	for _, leak := range []string{"1234567", "Jane", "phone", "rejected"} {
		require.NotContains(t, text, leak)
	}
}
