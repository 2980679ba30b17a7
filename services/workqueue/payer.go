package workqueue

import (
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
)

// payerResponse is one thing the payer said about a claim, as the item
// view shows it.
type payerResponse struct {
	At                time.Time          `json:"at"`
	Source            string             `json:"source"`
	Summary           string             `json:"summary"`
	StatusCode        string             `json:"status_code"`
	Code              string             `json:"code,omitempty"`
	PaidCents         *int64             `json:"paid_cents,omitempty"`
	PatientCents      *int64             `json:"patient_responsibility_cents,omitempty"`
	CheckNumber       string             `json:"check_number,omitempty"`
	PaymentDate       string             `json:"payment_date,omitempty"`
	EffectiveDate     string             `json:"effective_date,omitempty"`
	PayerClaimControl string             `json:"payer_claim_control,omitempty"`
	Adjustments       []payer.Adjustment `json:"adjustments,omitempty"`
	Lines             []payer.Line       `json:"service_lines,omitempty"`
	Reasons           string             `json:"reasons,omitempty"`
}

func payerResponsesFrom(rs []payer.Response) []payerResponse {
	out := make([]payerResponse, len(rs))
	for i, r := range rs {
		out[i] = payerResponse{At: r.At, Source: r.Source, Summary: r.Summary, StatusCode: r.StatusCode, Code: r.Code,
			PaidCents: r.PaidCents, PatientCents: r.PatientCents, CheckNumber: r.CheckNumber, PaymentDate: r.PaymentDate,
			EffectiveDate: r.EffectiveDate, PayerClaimControl: r.PayerClaimControl, Adjustments: r.Adjustments, Lines: r.Lines,
			Reasons: r.Reasons}
	}
	return out
}
