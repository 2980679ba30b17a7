package payerstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

const (
	claimColumns = `SELECT id, patient_id, status, external_id, payer_name, date_of_service, submitted_date, billed_cents, paid_cents FROM claims`
	selectClaim  = claimColumns + ` WHERE practice_id = $1 AND external_id = $2`
	// claimsOf reads claims by number; the numbers' condition
	// (Dialect.In) follows it.
	claimsOf = claimColumns + ` WHERE practice_id = %s AND %s`
	// claimsChunk bounds one lookup's list, under SQLite's limit on
	// parameters.
	claimsChunk = 2000
)

func scanClaim(r sqldb.Scanner) (payer.ClaimRef, error) {
	var c payer.ClaimRef
	var status, dos, submitted string
	err := r.Scan(&c.ID, &c.PatientID, &status, &c.Claim.ExternalID, &c.Claim.PayerName, &dos, &submitted,
		&c.Claim.BilledCents, &c.Claim.PaidCents)
	c.Status = records.ClaimStatus(status)
	c.Claim.DateOfService, c.Claim.SubmittedDate = records.ParseDate(dos), records.ParseDate(submitted)
	return c, err
}

// Claim implements payer.Store.
func (s *Store) Claim(ctx context.Context, tx *sql.Tx, practiceID, number string) (payer.ClaimRef, bool, error) {
	return sqldb.One(ctx, tx, scanClaim, selectClaim, practiceID, number)
}

// Claims implements payer.Store: one query per chunk of numbers, not one
// per claim.
func (s *Store) Claims(ctx context.Context, tx *sql.Tx, practiceID string, numbers []string) (map[string]payer.ClaimRef, error) {
	d := s.db.Dialect
	out := make(map[string]payer.ClaimRef, len(numbers))
	for start := 0; start < len(numbers); start += claimsChunk {
		in, args := d.In("external_id", 2, numbers[start:min(start+claimsChunk, len(numbers))])
		cs, err := sqldb.List(ctx, tx, scanClaim, fmt.Sprintf(claimsOf, d.Param(1), in), append([]any{practiceID}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("look up claims: %w", err)
		}
		for _, c := range cs {
			out[c.Claim.ExternalID] = c
		}
	}
	return out, nil
}
