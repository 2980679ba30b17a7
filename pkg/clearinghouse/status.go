package clearinghouse

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// AskClaimStatus builds the 276 batches of a connection. Not built yet:
// it asks nothing.
func (s *Service) AskClaimStatus(ctx context.Context, connectionID string) (AskReport, error) {
	return AskReport{}, nil
}

// apply277 applies a file of 277 claim statuses. Not built yet: such a
// file is refused with the reason, and kept.
func (s *Service) apply277(ctx context.Context, tx *sql.Tx, conn Connection, f File, out *ApplyReport, now time.Time) ([]string, error) {
	return nil, &x12.SyntaxError{Msg: "277 answers are imported as claim status files (kind claimstatus277)"}
}
