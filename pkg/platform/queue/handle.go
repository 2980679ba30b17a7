package queue

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/hibiken/asynq"
)

// Validator is implemented by task arguments that can tell a payload that
// decoded but cannot be acted on (a missing id, say).
type Validator interface {
	Validate() error
}

// Task is one delivery of a task: its id (the outbox row id, or asynq's
// for scheduled tasks), which handlers pass to outbox.Once, and its
// decoded arguments.
type Task[T outbox.Args] struct {
	ID   string
	Args T
}

// Handle registers fn on mux as the handler of T's task type. The payload
// is decoded into T and validated when T says how; a payload that cannot be
// decoded or is invalid is refused with asynq.SkipRetry, because retrying
// cannot mend it. An empty payload decodes as T's zero value.
func Handle[T outbox.Args](mux *asynq.ServeMux, fn func(ctx context.Context, t Task[T]) error) {
	var zero T
	kind := zero.Kind()
	mux.HandleFunc(kind, func(ctx context.Context, at *asynq.Task) error {
		var args T
		if p := at.Payload(); len(p) > 0 {
			if err := json.Unmarshal(p, &args); err != nil {
				return fmt.Errorf("%s: payload does not decode: %w", kind, asynq.SkipRetry)
			}
		}
		if v, ok := any(args).(Validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("%s: bad payload (%s): %w", kind, err.Error(), asynq.SkipRetry)
			}
		}
		id, _ := asynq.GetTaskID(ctx)
		return fn(ctx, Task[T]{ID: id, Args: args})
	})
}

// Schedule registers args as a periodic task on s, at cron spec, in its
// own queue.
func Schedule(s *asynq.Scheduler, spec string, args outbox.Args) error {
	payload, err := json.Marshal(args)
	if err != nil {
		return err
	}
	_, err = s.Register(spec, asynq.NewTask(args.Kind(), payload), asynq.Queue(args.Queue()))
	return err
}
