package clearinghouse

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// HoldClaims keeps new claim follow-ups of a practice linked to a
// connection away from agents until the clearinghouse has been asked
// about their claims: those whose claim's payer the connection lists as
// answering claim status requests wait in StageToAsk for the next
// exchange, and should none ask them in the connection's answer window,
// their timers bring them to agents all the same. The others, and every
// follow-up of a practice with no connection, go to agents as before.
// The generation and the claims import call it in their transaction with
// the items they made; items of other kinds are left alone. It costs a
// read for a practice with no connection, and three reads and a write
// for one with.
func (s *Service) HoldClaims(ctx context.Context, tx *sql.Tx, practiceID string, itemIDs []string, now time.Time) error {
	cs, on := s.claimStatus()
	if !on || len(itemIDs) == 0 {
		return nil
	}
	conn, linked, err := s.store.Linked(ctx, tx, practiceID)
	if err != nil || !linked {
		return err
	}
	payers, err := s.store.Payers(ctx, tx, conn.ID)
	if err != nil {
		return err
	}
	answers := map[string]bool{}
	for _, p := range payers {
		if p.ClaimStatus {
			answers[payerKey(p.Name)] = true
		}
	}
	if len(answers) == 0 {
		return nil
	}
	claims, err := cs.ClaimPayers(ctx, tx, itemIDs)
	if err != nil {
		return err
	}
	var held []string
	for _, id := range itemIDs {
		if name, ok := claims[id]; ok && answers[payerKey(name)] {
			held = append(held, id)
		}
	}
	if len(held) == 0 {
		return nil
	}
	reason := fmt.Sprintf("To be asked of %s about the claim's status (276) in its next batch.", conn.Name)
	return s.store.AwaitAnswers(ctx, tx, held, StageToAsk, reason, now.Add(conn.AnswerWithin), now)
}
