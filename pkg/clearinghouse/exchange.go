package clearinghouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// ExchangeReport is what one exchange with a connection did.
type ExchangeReport struct {
	Ask     AskReport
	Status  AskReport // 276 claim status inquiries
	Sent    int       // batches handed over
	Overdue int       // batches flagged for a missing acknowledgment
}

// Exchange does a connection's outbound round: asks about the checks
// waiting for it, hands over every batch not yet sent (over SFTP; a
// manual connection's batches wait for a billing manager to download
// them) and flags the batches whose acknowledgment is late. A batch that
// could not be handed over stays built and goes with the next exchange.
func (s *Service) Exchange(ctx context.Context, connectionID string) (ExchangeReport, error) {
	var rep ExchangeReport
	var err error
	if rep.Ask, err = s.AskEligibility(ctx, connectionID); err != nil {
		return rep, err
	}
	if rep.Status, err = s.AskClaimStatus(ctx, connectionID); err != nil {
		return rep, err
	}
	conn, err := s.store.Connection(platform(ctx), connectionID)
	if err != nil {
		return rep, err
	}
	sent, sendErr := s.Send(ctx, conn)
	rep.Sent = sent
	rep.Overdue, err = s.flagOverdue(ctx, conn)
	return rep, errors.Join(sendErr, err)
}

// Send hands a connection's built batches to its clearinghouse over SFTP,
// each marked sent as it is claimed; a batch whose put fails is built
// again for the next exchange. A manual connection sends nothing here.
func (s *Service) Send(ctx context.Context, conn Connection) (int, error) {
	if conn.Mode != ModeSFTP || s.dial == nil {
		return 0, nil
	}
	files, err := s.store.Unsent(ctx, conn.ID)
	if err != nil || len(files) == 0 {
		return 0, err
	}
	t, err := s.dial(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("connect to %s: %w", conn.Name, err)
	}
	defer t.Close()
	sent := 0
	for _, f := range files {
		// Claimed before the put, in the platform's scope (outbound
		// batches are a practice's rows, which row-level security hides
		// from an unscoped statement): of two exchanges running at once,
		// one hands each batch over, and an acknowledgment that comes
		// back at once finds the batch sent.
		var took bool
		err := s.db.Scoped(platform(ctx), func(q sqldb.Querier) error {
			var err error
			took, err = s.store.ClaimSend(platform(ctx), q, f.ID, s.clock())
			return err
		})
		if err != nil {
			return sent, err
		}
		if !took {
			continue
		}
		if err := t.Put(ctx, f.Name, f.Body); err != nil {
			// Built again, for the next exchange to hand over.
			release := s.db.Scoped(platform(ctx), func(q sqldb.Querier) error { return s.store.ReleaseSend(platform(ctx), q, f.ID) })
			return sent, errors.Join(fmt.Errorf("send %s to %s: %w", f.Name, conn.Name, err), release)
		}
		sent++
	}
	return sent, nil
}

// flagOverdue marks the connection's batches sent longer ago than its
// acknowledgment window with none come back.
func (s *Service) flagOverdue(ctx context.Context, conn Connection) (int, error) {
	ctx = platform(ctx)
	n := 0
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		n = 0
		now := s.clock()
		late, err := s.store.Unacknowledged(ctx, tx, conn.ID, now.Add(-conn.AckWithin))
		if err != nil {
			return err
		}
		for _, f := range late {
			note := fmt.Sprintf("no acknowledgment from %s within %s of sending", conn.Name, conn.AckWithin)
			if err := s.store.SetFileState(ctx, tx, f.ID, Overdue, note, now); err != nil {
				return err
			}
			s.log.WarnContext(ctx, "clearinghouse batch not acknowledged", "connection", conn.Name, "file_id", f.ID,
				"interchange", f.InterchangeControl)
			n++
		}
		return nil
	})
	return n, err
}
