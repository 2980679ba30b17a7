// Package queue wires asynq to Backdesk: Redis connection from
// BACKDESK_REDIS_URL, a server whose lifecycle the caller controls
// (Start/Shutdown inside its own signal handling) over the queues and
// weights the caller names, typed task handlers (Handle), a logger adapter,
// and trace propagation through task headers so one trace runs from an
// HTTP request through the queue to the handler. The queues themselves
// belong to the domains whose work waits in them.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
)

// RedisOpt parses a redis://, rediss://, redis-sentinel:// or
// redis-socket:// URL into asynq's connection option.
func RedisOpt(url string) (asynq.RedisConnOpt, error) {
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		return nil, fmt.Errorf("BACKDESK_REDIS_URL: %w", err)
	}
	return opt, nil
}

// RedisDB is the numbered database opt names (0 for a cluster, which has
// only that one). Pub/sub channels are shared by the whole server, so
// channels carry it: deployments that share a server on different
// databases must not hear each other.
func RedisDB(opt asynq.RedisConnOpt) int {
	switch o := opt.(type) {
	case asynq.RedisClientOpt:
		return o.DB
	case asynq.RedisFailoverClientOpt:
		return o.DB
	}
	return 0
}

// ServerConfig tunes a worker server.
type ServerConfig struct {
	Concurrency int            // workers; default 10
	Weights     map[string]int // the queues served and their shares; required
	Logger      *slog.Logger
	// PollInterval is how often an idle worker looks for a task and how
	// often scheduled tasks are moved to their queue. Default 200ms.
	PollInterval    time.Duration
	ShutdownTimeout time.Duration // default 8s, inside the process's 10s budget
}

// NewServer returns an asynq server that the caller starts with Start and
// stops with Shutdown, alongside its HTTP server.
func NewServer(opt asynq.RedisConnOpt, c ServerConfig) *asynq.Server {
	if len(c.Weights) == 0 {
		// asynq would serve only its "default" queue, where nothing of
		// Backdesk waits: every task would sit unrun.
		panic("queue: NewServer needs the queues to serve (ServerConfig.Weights)")
	}
	if c.Concurrency == 0 {
		c.Concurrency = 10
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
		RetryDelayFunc:           retryDelay,
		IsFailure:                func(err error) bool { return !putOff(err) },
		// Task payloads may carry identifiers of PHI records; only the
		// task type and id are logged.
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			id, _ := asynq.GetTaskID(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			log.WarnContext(ctx, "task failed", "task_type", t.Type(), "task_id", id, "retry", retried, "error", err.Error())
		}),
	})
}

// Later is an error that puts a task off rather than failing it (a rate
// spent for the minute): the task runs again after RetryIn, and the
// retry does not count toward its limit.
type Later interface {
	error
	RetryIn() time.Duration
}

func putOff(err error) bool {
	var l Later
	return errors.As(err, &l)
}

// retryDelay is asynq's backoff, except for a task put off, which waits
// as long as it asked.
func retryDelay(n int, err error, t *asynq.Task) time.Duration {
	var l Later
	if errors.As(err, &l) && l.RetryIn() > 0 {
		return l.RetryIn()
	}
	return asynq.DefaultRetryDelayFunc(n, err, t)
}

// logAdapter lets asynq log through slog.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a logAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a logAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a logAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a logAdapter) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
