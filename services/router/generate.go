package router

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/hibiken/asynq"
)

// DailyGeneration is when the scheduler queues every active practice's
// work generation: 05:00 UTC, before the first US office opens.
const DailyGeneration = "0 5 * * *"

// Schedule registers the router's periodic tasks on s.
func Schedule(s *asynq.Scheduler) error {
	if err := queue.Schedule(s, DailyGeneration, imports.GenerateDailyArgs{}); err != nil {
		return err
	}
	if err := queue.Schedule(s, message.CadenceEvery, message.CadenceArgs{}); err != nil {
		return err
	}
	return queue.Schedule(s, clearinghouse.ExchangeEvery, clearinghouse.ExchangeArgs{})
}

// exchange runs every clearinghouse connection's exchange. Two replicas
// running it at once ask about different checks (the store locks what
// it takes), and a file kept twice is applied once.
func (r *Router) exchange(ctx context.Context, _ queue.Task[clearinghouse.ExchangeArgs]) error {
	reps, err := r.clearinghouse.ExchangeAll(ctx)
	for name, rep := range reps {
		if rep.Ask.Asked+rep.Ask.ToAgents+rep.Sent+rep.Overdue > 0 {
			r.log.InfoContext(ctx, "clearinghouse exchange", "connection", name, "asked", rep.Ask.Asked,
				"to_agents", rep.Ask.ToAgents, "sent", rep.Sent, "overdue", rep.Overdue)
		}
	}
	return err
}

// generateDaily queues one generation task per active practice. Several
// router replicas may each run it; generation is idempotent.
func (r *Router) generateDaily(ctx context.Context, _ queue.Task[imports.GenerateDailyArgs]) error {
	n, err := r.imports.QueueDailyGeneration(ctx)
	if err != nil {
		return err
	}
	r.log.InfoContext(ctx, "daily work generation queued", "practices", n)
	return nil
}

func (r *Router) generate(ctx context.Context, t queue.Task[imports.GenerateArgs]) error {
	p := t.Args
	n, err := r.imports.Generate(ctx, p.PracticeID)
	if err != nil {
		return err
	}
	r.log.InfoContext(ctx, "work generated", "practice_id", p.PracticeID, "items", n)
	return nil
}

// RunScheduler runs the periodic tasks until ctx ends.
func (r *Router) RunScheduler(ctx context.Context, opt asynq.RedisConnOpt) {
	s := asynq.NewScheduler(opt, &asynq.SchedulerOpts{Location: time.UTC, LogLevel: asynq.WarnLevel})
	if err := Schedule(s); err != nil {
		r.log.ErrorContext(ctx, "schedule periodic tasks", "error", err.Error())
		return
	}
	if err := s.Start(); err != nil {
		r.log.ErrorContext(ctx, "start the scheduler", "error", err.Error())
		return
	}
	<-ctx.Done()
	s.Shutdown()
}

// cadence sends the automatic text and e-mail steps that are due.
func (r *Router) cadence(ctx context.Context, _ queue.Task[message.CadenceArgs]) error {
	reps, err := r.messages.Sweep(ctx)
	sent, held := 0, 0
	for _, rep := range reps {
		sent, held = sent+rep.Sent, held+rep.Held
	}
	if sent+held > 0 {
		r.log.InfoContext(ctx, "automatic steps", "sent", sent, "held", held, "practices", len(reps))
	}
	return err
}

// deliver hands one patient message to its provider.
func (r *Router) deliver(ctx context.Context, t queue.Task[message.DeliverArgs]) error {
	return r.messages.Deliver(ctx, t.Args.MessageID)
}
