package payerstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const (
	insertRemittances = `INSERT INTO claim_remittances (id, practice_id, claim_id, import_id, fingerprint, payer_name, check_number,
payment_date, status_code, charge_cents, paid_cents, patient_responsibility_cents, payer_claim_control, adjustments, service_lines, remark_codes,
created_at) `
	remittanceColumns = 17
	// recordedOnly leaves a statement already recorded (same
	// fingerprint) as it is, and names those recorded now.
	recordedOnly = ` ON CONFLICT (practice_id, fingerprint) DO NOTHING RETURNING fingerprint`

	// setClaims reads the claims' new figures from v; a reversal (added
	// 1) adds its negative amount to what was paid.
	setClaims = `UPDATE claims SET status = v.status,
paid_cents = CASE WHEN v.added = 1 THEN claims.paid_cents + v.paid ELSE v.paid END,
patient_responsibility_cents = v.patient, updated_at = %s FROM v WHERE claims.id = v.id`
)

// AddRemittances implements payer.Store: one statement per batchRows
// payments. A payment whose fingerprint an earlier one in ps has is a
// duplicate of it, and is not sent.
func (s *Store) AddRemittances(ctx context.Context, tx *sql.Tx, practiceID, importID string, ps []payer.Payment, now time.Time) ([]bool, error) {
	added := make([]bool, len(ps))
	first := make(map[string]int, len(ps)) // fingerprint: the payment that records it
	args := make([]any, 0, min(len(ps), batchRows)*remittanceColumns)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q, qargs, err := s.db.Dialect.InsertRows(insertRemittances, remittanceColumns, args, recordedOnly)
		if err != nil {
			return err
		}
		fps, err := sqldb.List(ctx, tx, func(r sqldb.Scanner) (string, error) {
			var fp string
			return fp, r.Scan(&fp)
		}, q, qargs...)
		args = args[:0]
		if err != nil {
			return fmt.Errorf("record remittances: %w", err)
		}
		for _, fp := range fps {
			added[first[fp]] = true
		}
		return nil
	}
	for i, p := range ps {
		fp := p.Fingerprint()
		if _, dup := first[fp]; dup {
			continue
		}
		first[fp] = i
		adjs, err := json.Marshal(nonNil(p.Adjustments))
		if err != nil {
			return nil, err
		}
		lines, err := json.Marshal(nonNil(p.Lines))
		if err != nil {
			return nil, err
		}
		remarks, err := json.Marshal(nonNil(p.Remarks))
		if err != nil {
			return nil, err
		}
		args = append(args, newID(), practiceID, p.ClaimID, importID, fp, p.PayerName, p.CheckNumber, p.PaymentDate, p.StatusCode,
			p.ChargeCents, p.PaidCents, p.PatientResponsibilityCents, p.PayerClaimControl, string(adjs), string(lines), string(remarks), now.UTC())
		if len(args) == batchRows*remittanceColumns {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return added, flush()
}

// SetClaims implements payer.Store: one statement per batchRows claims.
func (s *Store) SetClaims(ctx context.Context, tx *sql.Tx, cs []payer.ClaimChange, now time.Time) error {
	for start := 0; start < len(cs); start += batchRows {
		part := cs[start:min(start+batchRows, len(cs))]
		args := make([]any, 0, len(part)*5)
		for _, c := range part {
			var added int64
			if c.Add {
				added = 1
			}
			args = append(args, c.ClaimID, string(c.Status), c.Paid, c.Patient, added)
		}
		q, qargs, err := withRows(s.db.Dialect, "id, status, paid, patient, added", 5, args, setClaims, now.UTC())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, q, qargs...); err != nil {
			return fmt.Errorf("set claims: %w", sqldb.MapError(err))
		}
	}
	return nil
}
