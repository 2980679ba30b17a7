// Package relay moves committed outbox rows (pkg/platform/outbox) into
// asynq. A pass claims a batch of unsent rows for a short lease in one
// small transaction, enqueues each row's task with the task id set to the
// row id while holding no transaction or row lock, and then marks the
// batch sent (or failed, with a backoff) in a second one. A relay that dies
// between the two leaves its rows to the next pass once the lease ends; the
// task id makes the re-sent ones no-ops in Redis, so a task is never
// created twice.
package relay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/hibiken/asynq"
)

// Enqueuer is the part of *asynq.Client the relay uses.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Config tunes a Relay.
type Config struct {
	// Interval between sweeps for unsent rows; default 1s. Notify wakes
	// the relay sooner.
	Interval time.Duration
	// Batch is the most rows one pass takes; default 200.
	Batch int
	// Lease is how long a claimed row is left to the relay that claimed
	// it before another may send it; default 30s.
	Lease time.Duration
	// Retention keeps a finished task's id reserved in Redis, so a relay
	// that re-sends a row after a crash is refused as a duplicate even when
	// the first task already ran. Default 24h.
	Retention time.Duration
	// AfterEnqueue, when set, is called after a row's task is in Redis and
	// before the row is marked sent: the window a crash can hit. Tests use
	// it to inject that crash.
	AfterEnqueue func(id string)
	Logger       *slog.Logger
	Now          func() time.Time
}

// Relay moves committed outbox rows into asynq.
type Relay struct {
	db   *sqldb.DB
	q    Enqueuer
	cfg  Config
	wake chan struct{}
}

// New returns a relay from db to q.
func New(db *sqldb.DB, q Enqueuer, cfg Config) *Relay {
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Batch == 0 {
		cfg.Batch = 200
	}
	if cfg.Lease == 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.Retention == 0 {
		cfg.Retention = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Relay{db: db, q: q, cfg: cfg, wake: make(chan struct{}, 1)}
}

// Notify asks the relay to look for rows now rather than at the next sweep.
// Writers call it after their transaction commits; it never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run relays until ctx ends. Errors are logged and retried at the next
// sweep: an unreachable Redis or database delays tasks, never loses them.
func (r *Relay) Run(ctx context.Context) {
	t := time.NewTicker(r.cfg.Interval)
	defer t.Stop()
	for {
		for {
			n, err := r.RelayOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.cfg.Logger.WarnContext(ctx, "outbox relay pass failed", "error", err.Error())
				}
				break
			}
			if n < r.cfg.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.wake:
		}
	}
}

// claimRows leases a batch of unsent rows whose time has come. On
// PostgreSQL concurrent relays skip each other's rows while they claim.
const claimRows = `UPDATE outbox SET next_attempt_at = $3 WHERE id IN (
SELECT id FROM outbox WHERE sent_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $2)
ORDER BY created_at, id LIMIT $1%s)
RETURNING id, task_type, queue, payload, headers, process_at, attempts, created_at`

const (
	markSent   = `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL WHERE id IN (%s)`
	markFailed = `UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1`
)

type row struct {
	id, typ, queue string
	payload        []byte
	headers        string
	processAt      sql.NullTime
	attempts       int
	createdAt      time.Time
}

// retryAfter is the wait after the n-th failed enqueue of a row: doubling
// from one second up to ten minutes. A row is never given up on.
func retryAfter(attempts int) time.Duration {
	d := time.Second
	for i := 0; i < attempts && d < 10*time.Minute; i++ {
		d *= 2
	}
	return min(d, 10*time.Minute)
}

// failure is a row whose enqueue failed, with what to record.
type failure struct {
	id, msg string
	next    time.Time
}

// RelayOnce sends one batch of unsent rows and returns how many it sent.
// Talking to Redis happens between two short transactions, never inside
// one, so writers are not held up by a slow or unreachable Redis.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	rows, err := r.claim(ctx)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	var sent []string
	var failed []failure
	for _, x := range rows {
		if err := r.send(ctx, x); err != nil {
			if ctx.Err() != nil {
				break // the lease hands the rest to the next pass
			}
			msg := err.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			failed = append(failed, failure{id: x.id, msg: msg, next: r.cfg.Now().UTC().Add(retryAfter(x.attempts))})
			r.cfg.Logger.WarnContext(ctx, "outbox enqueue failed", "outbox_id", x.id, "task_type", x.typ, "error", msg)
			continue
		}
		if r.cfg.AfterEnqueue != nil {
			r.cfg.AfterEnqueue(x.id)
		}
		sent = append(sent, x.id)
	}
	if err := r.settle(context.WithoutCancel(ctx), sent, failed); err != nil {
		return 0, err
	}
	return len(sent), ctx.Err()
}

func (r *Relay) claim(ctx context.Context) ([]row, error) {
	now := r.cfg.Now().UTC()
	var out []row
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rs, err := tx.QueryContext(ctx, fmt.Sprintf(claimRows, r.db.Dialect.SkipLocked()), r.cfg.Batch, now, now.Add(r.cfg.Lease))
		if err != nil {
			return fmt.Errorf("outbox: claim: %w", err)
		}
		defer rs.Close()
		for rs.Next() {
			var x row
			if err := rs.Scan(&x.id, &x.typ, &x.queue, &x.payload, &x.headers, &x.processAt, &x.attempts, &x.createdAt); err != nil {
				return fmt.Errorf("outbox: scan: %w", err)
			}
			out = append(out, x)
		}
		return rs.Err()
	})
	// RETURNING keeps no order; tasks go out in the order they were written.
	slices.SortFunc(out, func(a, b row) int {
		if c := a.createdAt.Compare(b.createdAt); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return out, err
}

// settle records the pass's results in one transaction.
func (r *Relay) settle(ctx context.Context, sent []string, failed []failure) error {
	if len(sent) == 0 && len(failed) == 0 {
		return nil
	}
	return r.db.Tx(ctx, func(tx *sql.Tx) error {
		if len(sent) > 0 {
			args := make([]any, 0, len(sent)+1)
			args = append(args, r.cfg.Now().UTC())
			for _, id := range sent {
				args = append(args, id)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(markSent, sqldb.Numbered(2, len(sent))), args...); err != nil {
				return fmt.Errorf("outbox: mark sent: %w", err)
			}
		}
		for _, f := range failed {
			if _, err := tx.ExecContext(ctx, markFailed, f.id, f.msg, f.next); err != nil {
				return fmt.Errorf("outbox: mark failed: %w", err)
			}
		}
		return nil
	})
}

func (r *Relay) send(ctx context.Context, x row) error {
	var headers map[string]string
	if err := json.Unmarshal([]byte(x.headers), &headers); err != nil {
		headers = nil
	}
	opts := []asynq.Option{asynq.TaskID(x.id), asynq.Queue(x.queue), asynq.Retention(r.cfg.Retention)}
	if x.processAt.Valid {
		opts = append(opts, asynq.ProcessAt(x.processAt.Time))
	}
	_, err := r.q.EnqueueContext(ctx, asynq.NewTaskWithHeaders(x.typ, x.payload, headers), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil // already sent by an earlier attempt
	}
	return err
}
