package payerstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"sort"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Response is one thing the payer said about a claim, for the agent.
type Response struct {
	At                time.Time // when it was imported
	Source            string
	Summary           string
	StatusCode        string // CLP02, or the STC category
	Code              string
	PaidCents         *int64
	PatientCents      *int64
	CheckNumber       string
	PaymentDate       string
	EffectiveDate     string
	PayerClaimControl string
	Adjustments       []payer.Adjustment
	Lines             []payer.Line
	Reasons           string
}

// The sources of payer responses.
const (
	SourceRemittance = "remittance_835"
	SourceStatus     = "claim_status_277"
)

// History reads what payers said about a claim, newest first, at most
// limit entries, within the claim's practice.
func History(ctx context.Context, db *sqldb.DB, practiceID, claimID string, limit int) ([]Response, error) {
	out := []Response{}
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT created_at, payer_name, check_number, payment_date, status_code, charge_cents, paid_cents,
patient_responsibility_cents, payer_claim_control, adjustments, service_lines FROM claim_remittances
WHERE claim_id = $1 AND practice_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`, claimID, practiceID, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r payer.Remittance
			var at time.Time
			var adjs, lines string
			if err := rows.Scan(&at, &r.PayerName, &r.CheckNumber, &r.PaymentDate, &r.StatusCode, &r.ChargeCents, &r.PaidCents,
				&r.PatientResponsibilityCents, &r.PayerClaimControl, &adjs, &lines); err != nil {
				rows.Close()
				return err
			}
			_ = json.Unmarshal([]byte(adjs), &r.Adjustments)
			_ = json.Unmarshal([]byte(lines), &r.Lines)
			paid, patient := r.PaidCents, r.PatientResponsibilityCents
			out = append(out, Response{At: at.UTC(), Source: SourceRemittance, Summary: payer.Summary(r, payer.Judge(r)),
				StatusCode: r.StatusCode, PaidCents: &paid, PatientCents: &patient, CheckNumber: r.CheckNumber,
				PaymentDate: r.PaymentDate, PayerClaimControl: r.PayerClaimControl, Adjustments: r.Adjustments, Lines: r.Lines,
				Reasons: payer.Reasons(r.Adjustments)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT created_at, category, code, entity, effective_date, payer_claim_control FROM claim_status_events
WHERE claim_id = $1 AND practice_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`, claimID, practiceID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s payer.StatusLine
			var at time.Time
			if err := rows.Scan(&at, &s.Category, &s.Code, &s.Entity, &s.EffectiveDate, &s.PayerClaimControl); err != nil {
				return err
			}
			out = append(out, Response{At: at.UTC(), Source: SourceStatus, Summary: s.Meaning(), StatusCode: s.Category, Code: s.Code,
				EffectiveDate: s.EffectiveDate, PayerClaimControl: s.PayerClaimControl})
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
