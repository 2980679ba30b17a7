package payerstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

const (
	claimColumns = `SELECT id, patient_id, status, external_id, payer_name, date_of_service, submitted_date, billed_cents, paid_cents FROM claims`
	claimsAny    = claimColumns + ` WHERE practice_id = $1 AND external_id = ANY($2::text[])`
	claimsIn     = claimColumns + ` WHERE practice_id = %s AND external_id IN (%s)`
	// claimsChunk bounds one lookup's list, under SQLite's limit on
	// parameters.
	claimsChunk = 2000
)

// Claims implements payer.Store: one query per chunk of numbers, not one
// per claim.
func (s *Store) Claims(ctx context.Context, tx *sql.Tx, practiceID string, numbers []string) (map[string]payer.ClaimRef, error) {
	out := make(map[string]payer.ClaimRef, len(numbers))
	for start := 0; start < len(numbers); start += claimsChunk {
		chunk := numbers[start:min(start+claimsChunk, len(numbers))]
		var rows *sql.Rows
		var err error
		if s.db.Dialect == sqldb.Postgres {
			rows, err = tx.QueryContext(ctx, claimsAny, practiceID, chunk)
		} else {
			d := s.db.Dialect
			args := []any{practiceID}
			marks := make([]string, len(chunk))
			for i, n := range chunk {
				args = append(args, n)
				marks[i] = d.Param(i + 2)
			}
			rows, err = tx.QueryContext(ctx, fmt.Sprintf(claimsIn, d.Param(1), strings.Join(marks, ", ")), args...)
		}
		if err != nil {
			return nil, fmt.Errorf("look up claims: %w", sqldb.MapError(err))
		}
		for rows.Next() {
			var c payer.ClaimRef
			var status, dos, submitted string
			if err := rows.Scan(&c.ID, &c.PatientID, &status, &c.Claim.ExternalID, &c.Claim.PayerName, &dos, &submitted,
				&c.Claim.BilledCents, &c.Claim.PaidCents); err != nil {
				rows.Close()
				return nil, err
			}
			c.Status = records.ClaimStatus(status)
			c.Claim.DateOfService, c.Claim.SubmittedDate = records.ParseDate(dos), records.ParseDate(submitted)
			out[c.Claim.ExternalID] = c
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
