package clearinghouse

import (
	"context"
	"database/sql"
	"time"
)

// applyAcks applies a file of acknowledgments (TA1, 999) to the batches
// they answer.
func (s *Service) applyAcks(ctx context.Context, tx *sql.Tx, conn Connection, f File, out *ApplyReport, now time.Time) error {
	return nil
}
