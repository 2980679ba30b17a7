package clearinghouse

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/work"
)

// TaskExchange is the router's periodic task that runs every
// connection's exchange (Exchange).
const TaskExchange = "clearinghouse:exchange"

// ExchangeEvery is how often the router's scheduler queues TaskExchange:
// checks made by the morning's generation go out within minutes.
const ExchangeEvery = "*/5 * * * *"

// PollEvery is how often each SFTP connection's inbound folder is
// polled for answers.
const PollEvery = time.Minute

// ExchangeArgs is TaskExchange's payload: every connection.
type ExchangeArgs struct{}

// Kind implements outbox.Args.
func (ExchangeArgs) Kind() string { return TaskExchange }

// Queue implements outbox.Args: timers and periodic work wait in the
// system queue.
func (ExchangeArgs) Queue() string { return work.QueueSystem }

// ExchangeAll runs every connection's exchange and applies any file kept
// but not applied. One connection failing (its server down) does not
// keep the others from theirs; the errors come back together, each
// naming its connection.
func (s *Service) ExchangeAll(ctx context.Context) (map[string]ExchangeReport, error) {
	conns, err := s.store.Connections(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]ExchangeReport, len(conns))
	var errs []error
	for _, c := range conns {
		rep, err := s.Exchange(ctx, c.ID)
		out[c.Name] = rep
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
		}
		if err := s.applyPending(ctx, c.ID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Name, err))
		}
	}
	return out, errors.Join(errs...)
}

// applyPending applies the connection's files kept but not applied.
func (s *Service) applyPending(ctx context.Context, connectionID string) error {
	ids, err := s.store.Pending(platform(ctx), connectionID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := s.Apply(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
