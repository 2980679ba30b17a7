package clearinghouse

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Hold keeps new eligibility checks of a practice linked to a connection
// away from agents until the clearinghouse has been asked: they wait in
// StageToAsk for the next exchange, and should no exchange ask them in
// the connection's answer window, their timers bring them to agents all
// the same. A practice with no connection keeps its checks as they are.
// The daily generation calls it in its own transaction.
func (s *Service) Hold(ctx context.Context, tx *sql.Tx, practiceID string, itemIDs []string, now time.Time) error {
	if len(itemIDs) == 0 {
		return nil
	}
	conn, linked, err := s.store.Linked(ctx, tx, practiceID)
	if err != nil || !linked {
		return err
	}
	reason := fmt.Sprintf("To be asked of %s in its next batch.", conn.Name)
	return s.store.AwaitAnswers(ctx, tx, itemIDs, StageToAsk, reason, now.Add(conn.AnswerWithin), now)
}
