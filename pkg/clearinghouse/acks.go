package clearinghouse

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/x12/x999"
)

// ack is what one acknowledgment says about one batch of ours.
type ack struct {
	control  string // the batch's ISA13, nine digits
	rejected bool
	words    string // the rejection in words, or what was accepted
}

// acksOf turns TA1s (which name an interchange) and 999s (which name a
// group: Backdesk gives a batch's group the interchange's number) into
// what they say about each batch.
func acksOf(a *x999.Acks) []ack {
	var out []ack
	for _, ic := range a.Interchanges {
		one := &x999.Acks{Interchanges: []x999.Interchange{ic}}
		out = append(out, ack{control: nine(ic.Control), rejected: ic.Rejected(), words: sentence(one.Rejected(), "interchange accepted")})
	}
	for _, g := range a.Groups {
		one := &x999.Acks{Groups: []x999.GroupAck{g}}
		lines := one.Rejected()
		// A group partly accepted has rejected sets: the batch is treated
		// as rejected, so that no check waits for an answer that will not
		// come.
		out = append(out, ack{control: nine(g.Control), rejected: len(lines) > 0,
			words: sentence(lines, fmt.Sprintf("%d of %d transaction sets accepted", g.Accepted, g.Received))})
	}
	return out
}

// nine writes a control number as ISA13 holds it, nine digits.
func nine(control string) string {
	n, err := strconv.ParseInt(strings.TrimSpace(control), 10, 64)
	if err != nil {
		return control
	}
	return fmt.Sprintf("%09d", n)
}

func sentence(lines []string, otherwise string) string {
	if len(lines) == 0 {
		return otherwise
	}
	return strings.Join(lines, "; ")
}

// applyAcks applies a file of acknowledgments to the batches they answer:
// an accepted batch is marked so; a rejected one is marked with the
// reasons in words, and the checks it asked about that are still
// unanswered go to agents with those reasons, since their answers will not
// come. An acknowledgment of a batch that is not ours counts for nothing.
func (s *Service) applyAcks(ctx context.Context, tx *sql.Tx, conn Connection, f File, out *ApplyReport, now time.Time) error {
	acks, err := x999.Read(bytes.NewReader(f.Body))
	if err != nil {
		return err
	}
	changes := map[string]*payer.FollowupChanges{}
	for _, a := range acksOf(acks) {
		batches, err := s.store.ByControl(ctx, tx, conn.ID, a.control)
		if err != nil {
			return err
		}
		for _, b := range batches {
			out.Acks++
			state := Accepted
			if a.rejected {
				state = Rejected
				s.log.WarnContext(ctx, "clearinghouse rejected a batch", "connection", conn.Name, "file_id", b.ID,
					"interchange", b.InterchangeControl, "reason", a.words)
				if err := s.raiseBatch(ctx, tx, conn, b, a.words, changes); err != nil {
					return err
				}
			}
			if err := s.store.SetFileState(ctx, tx, b.ID, state, a.words, now); err != nil {
				return err
			}
		}
	}
	for _, p := range slices.Sorted(maps.Keys(changes)) {
		if err := s.work.ChangeFollowups(ctx, tx, p, *changes[p], now); err != nil {
			return err
		}
	}
	return nil
}

// raiseBatch brings the unanswered checks of a rejected batch to agents.
func (s *Service) raiseBatch(ctx context.Context, tx *sql.Tx, conn Connection, b File, words string, changes map[string]*payer.FollowupChanges) error {
	asked, err := s.store.AskedIn(ctx, tx, b.ID)
	if err != nil {
		return err
	}
	reason := conn.Name + " rejected the batch this item's question went out in: " + words + ". Ask the payer by hand."
	for _, q := range asked {
		if q.Answered || q.ItemState == "resolved" || q.ItemState == "closed" {
			continue
		}
		ch := changes[q.PracticeID]
		if ch == nil {
			ch = &payer.FollowupChanges{}
			changes[q.PracticeID] = ch
		}
		raiseKind(ch, policy.Kind(q.ItemKind), q.WorkItemID, q.PatientID, q.ItemState, q.Owned, reason)
	}
	return nil
}
