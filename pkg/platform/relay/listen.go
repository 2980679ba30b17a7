package relay

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Channel is the PostgreSQL notification channel the outbox trigger
// signals on every committed insert.
const Channel = "backdesk_outbox"

// Listen wakes r whenever outbox rows commit in any process, by listening
// on PostgreSQL's notification channel over its own connection to url. It
// reconnects after failures and returns when ctx ends. Without it a relay
// still finds rows on its periodic sweep, only later.
func (r *Relay) Listen(ctx context.Context, url string, log *slog.Logger) {
	for ctx.Err() == nil {
		err := r.listenOnce(ctx, url)
		if ctx.Err() != nil {
			return
		}
		log.WarnContext(ctx, "outbox notifications interrupted; reconnecting", "error", err.Error())
		select {
		case <-ctx.Done():
			return
		case <-time.After(2 * time.Second):
		}
	}
}

func (r *Relay) listenOnce(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	r.Notify() // rows may have committed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		r.Notify()
	}
}
