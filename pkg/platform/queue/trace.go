package queue

import (
	"context"

	"github.com/hibiken/asynq"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const tracerName = "github.com/backdesk/backdesk/pkg/platform/queue"

// Tracing is asynq middleware that continues the trace carried in a task's
// headers and records one consumer span per task. Only the task's type, id
// and queue become attributes; payloads never do.
func Tracing(next asynq.Handler) asynq.Handler {
	tracer := otel.Tracer(tracerName)
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		ctx = otel.GetTextMapPropagator().Extract(ctx, propagation.MapCarrier(t.Headers()))
		id, _ := asynq.GetTaskID(ctx)
		q, _ := asynq.GetQueueName(ctx)
		ctx, span := tracer.Start(ctx, "task "+t.Type(),
			trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(
				attribute.String("messaging.system", "asynq"),
				attribute.String("messaging.operation.type", "process"),
				attribute.String("messaging.destination.name", q),
				attribute.String("messaging.message.id", id),
				attribute.String("backdesk.task.type", t.Type()),
			))
		defer span.End()
		err := next.ProcessTask(ctx, t)
		if err != nil {
			span.SetStatus(codes.Error, "task failed")
		}
		return err
	})
}
