package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/hibiken/asynq"
)

// Enqueuer is the part of *asynq.Client the relay uses.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// RelayConfig tunes a Relay.
type RelayConfig struct {
	// Interval between sweeps for unsent rows; default 1s. Notify wakes
	// the relay sooner.
	Interval time.Duration
	// Batch is the most rows one pass takes; default 200.
	Batch int
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
	cfg  RelayConfig
	wake chan struct{}
}

// NewRelay returns a relay from db to q.
func NewRelay(db *sqldb.DB, q Enqueuer, cfg RelayConfig) *Relay {
	if cfg.Interval == 0 {
		cfg.Interval = time.Second
	}
	if cfg.Batch == 0 {
		cfg.Batch = 200
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

const (
	selectUnsent = `SELECT id, task_type, queue, payload, headers, process_at, attempts FROM outbox
WHERE sent_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $2) ORDER BY created_at, id LIMIT $1`
	markSent   = `UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL, next_attempt_at = NULL WHERE id = $1`
	markFailed = `UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3 WHERE id = $1`
)

type row struct {
	id, typ, queue string
	payload        []byte
	headers        string
	processAt      sql.NullTime
	attempts       int
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

// RelayOnce sends one batch of unsent rows and returns how many it sent.
// On PostgreSQL concurrent relays skip each other's rows; either way the
// task id makes a second send of the same row a no-op.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	sent := 0
	err := r.db.Tx(ctx, func(tx *sql.Tx) error {
		sent = 0
		rows, err := r.claim(ctx, tx)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if err := r.send(ctx, row); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				msg := err.Error()
				if len(msg) > 500 {
					msg = msg[:500]
				}
				next := r.cfg.Now().UTC().Add(retryAfter(row.attempts))
				if _, uerr := tx.ExecContext(ctx, markFailed, row.id, msg, next); uerr != nil {
					return uerr
				}
				r.cfg.Logger.WarnContext(ctx, "outbox enqueue failed", "outbox_id", row.id, "task_type", row.typ, "error", msg)
				continue
			}
			if r.cfg.AfterEnqueue != nil {
				r.cfg.AfterEnqueue(row.id)
			}
			if _, err := tx.ExecContext(ctx, markSent, row.id, r.cfg.Now().UTC()); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	return sent, err
}

func (r *Relay) claim(ctx context.Context, tx *sql.Tx) ([]row, error) {
	rs, err := tx.QueryContext(ctx, selectUnsent+r.db.Dialect.SkipLocked(), r.cfg.Batch, r.cfg.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("outbox: select: %w", err)
	}
	defer rs.Close()
	var out []row
	for rs.Next() {
		var x row
		if err := rs.Scan(&x.id, &x.typ, &x.queue, &x.payload, &x.headers, &x.processAt, &x.attempts); err != nil {
			return nil, fmt.Errorf("outbox: scan: %w", err)
		}
		out = append(out, x)
	}
	return out, rs.Err()
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
