// Package queue wires asynq to Backdesk: Redis connection from
// BACKDESK_REDIS_URL, the named queues and their weights, a server whose
// lifecycle the caller controls (Start/Shutdown inside its own signal
// handling), a logger adapter, and trace propagation through task headers so
// one trace runs from an HTTP request through the queue to the handler.
package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// The queues. Work kinds each have one so a flood of one kind cannot starve
// the others; system carries housekeeping and critical what must not wait.
const (
	Critical    = "critical"
	System      = "system"
	Claims      = "claims"
	Balances    = "balances"
	Recare      = "recare"
	Treatment   = "treatment"
	Eligibility = "eligibility"
)

// DefaultWeights gives each queue its share of workers; asynq picks a queue
// with probability proportional to its weight.
func DefaultWeights() map[string]int {
	return map[string]int{
		Critical: 10, System: 5,
		Claims: 3, Balances: 3,
		Recare: 2, Treatment: 2, Eligibility: 1,
	}
}

// RedisOpt parses a redis://, rediss://, redis-sentinel:// or
// redis-socket:// URL into asynq's connection option.
func RedisOpt(url string) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		return nil, fmt.Errorf("BACKDESK_REDIS_URL: %w", err)
	}
	return opt, nil
}

// ServerConfig tunes a worker server.
type ServerConfig struct {
	Concurrency int            // workers; default 10
	Weights     map[string]int // default DefaultWeights()
	Logger      *slog.Logger
	// PollInterval is how often an idle worker looks for a task and how
	// often scheduled tasks are moved to their queue. Default 200ms.
	PollInterval    time.Duration
	ShutdownTimeout time.Duration // default 8s, inside the process's 10s budget
}

// NewServer returns an asynq server that the caller starts with Start and
// stops with Shutdown, alongside its HTTP server.
func NewServer(opt asynq.RedisConnOpt, c ServerConfig) *asynq.Server {
	if c.Concurrency == 0 {
		c.Concurrency = 10
	}
	if c.Weights == nil {
		c.Weights = DefaultWeights()
	}
	if c.PollInterval == 0 {
		c.PollInterval = 200 * time.Millisecond
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 8 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	log := c.Logger.With("component", "asynq")
	return asynq.NewServer(opt, asynq.Config{
		Concurrency:              c.Concurrency,
		Queues:                   c.Weights,
		Logger:                   logAdapter{log},
		LogLevel:                 asynq.WarnLevel,
		TaskCheckInterval:        c.PollInterval,
		DelayedTaskCheckInterval: c.PollInterval,
		ShutdownTimeout:          c.ShutdownTimeout,
		// Task payloads may carry identifiers of PHI records; only the
		// task type and id are logged.
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			log.WarnContext(ctx, "task failed", "task_type", t.Type(), "task_id", id, "retry", retried, "error", err.Error())
		}),
	})
}

// logAdapter lets asynq log through slog.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a logAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a logAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a logAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a logAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
