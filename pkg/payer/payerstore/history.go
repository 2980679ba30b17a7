package payerstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// History implements payer.Store, within the claim's practice. A stored
// statement that no longer decodes is an error, never a silent gap.
func (s *Store) History(ctx context.Context, practiceID, claimID string, limit int) ([]payer.Response, error) {
	out := []payer.Response{}
	err := s.db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT created_at, payer_name, check_number, payment_date, status_code, charge_cents, paid_cents,
patient_responsibility_cents, payer_claim_control, adjustments, service_lines, remark_codes FROM claim_remittances
WHERE claim_id = $1 AND practice_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`, claimID, practiceID, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r payer.Remittance
			var at time.Time
			var adjs, lines, remarks string
			if err := rows.Scan(&at, &r.PayerName, &r.CheckNumber, &r.PaymentDate, &r.StatusCode, &r.ChargeCents, &r.PaidCents,
				&r.PatientResponsibilityCents, &r.PayerClaimControl, &adjs, &lines, &remarks); err != nil {
				rows.Close()
				return err
			}
			if err := json.Unmarshal([]byte(adjs), &r.Adjustments); err != nil {
				rows.Close()
				return fmt.Errorf("remittance adjustments: %w", err)
			}
			if err := json.Unmarshal([]byte(lines), &r.Lines); err != nil {
				rows.Close()
				return fmt.Errorf("remittance service lines: %w", err)
			}
			if err := json.Unmarshal([]byte(remarks), &r.Remarks); err != nil {
				rows.Close()
				return fmt.Errorf("remittance remark codes: %w", err)
			}
			out = append(out, payer.RemittanceResponse(at.UTC(), r))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT created_at, category, code, entity, effective_date, payer_claim_control, other_statuses,
service_lines, paid_cents, check_number, payment_date FROM claim_status_events
WHERE claim_id = $1 AND practice_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`, claimID, practiceID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s payer.StatusLine
			var at time.Time
			var others, lines string
			if err := rows.Scan(&at, &s.Category, &s.Code, &s.Entity, &s.EffectiveDate, &s.PayerClaimControl, &others, &lines,
				&s.PaidCents, &s.CheckNumber, &s.PaymentDate); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(others), &s.Others); err != nil {
				return fmt.Errorf("claim status: other statuses: %w", err)
			}
			if err := json.Unmarshal([]byte(lines), &s.Lines); err != nil {
				return fmt.Errorf("claim status: service lines: %w", err)
			}
			out = append(out, payer.StatusResponse(at.UTC(), s))
		}
		return rows.Err()
	})
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
