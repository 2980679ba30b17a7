package access

import (
	"time"

	"github.com/backdesk/backdesk/pkg/records"
)

// Address is the contact group's postal address.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	State      string `json:"state"`
	PostalCode string `json:"postal_code"`
}

// BalanceView is the balance group: the account and its aging.
type BalanceView struct {
	AccountID         string `json:"account_id"`
	TotalCents        int64  `json:"total_cents"`
	Aged0To30Cents    int64  `json:"aged_0_30_cents"`
	Aged31To60Cents   int64  `json:"aged_31_60_cents"`
	Aged61To90Cents   int64  `json:"aged_61_90_cents"`
	AgedOver90Cents   int64  `json:"aged_over_90_cents"`
	LastStatementDate string `json:"last_statement_date"`
	LastPaymentDate   string `json:"last_payment_date"`
	LastPaymentCents  int64  `json:"last_payment_cents"`
}

// ClaimView is one claim in the claims group, without subscriber ids.
type ClaimView struct {
	ClaimID                    string `json:"claim_id"`
	PayerName                  string `json:"payer_name"`
	PayerID                    string `json:"payer_id"`
	DateOfService              string `json:"date_of_service"`
	SubmittedDate              string `json:"submitted_date"`
	BilledCents                int64  `json:"billed_cents"`
	PaidCents                  int64  `json:"paid_cents"`
	PatientResponsibilityCents int64  `json:"patient_responsibility_cents"`
	Status                     string `json:"status"`
}

// InsuranceView is one policy in the insurance group.
type InsuranceView struct {
	PayerName    string `json:"payer_name"`
	PayerID      string `json:"payer_id"`
	SubscriberID string `json:"subscriber_id"`
}

// RecallView is one recall in the recalls group.
type RecallView struct {
	RecallID      string `json:"recall_id"`
	RecallType    string `json:"recall_type"`
	DueDate       string `json:"due_date"`
	LastVisitDate string `json:"last_visit_date"`
	Scheduled     bool   `json:"scheduled"`
}

// TreatmentView is one plan in the treatment group: a non-clinical summary.
type TreatmentView struct {
	PlanID                       string `json:"plan_id"`
	Summary                      string `json:"summary"`
	EstimatedPatientPortionCents int64  `json:"estimated_patient_portion_cents"`
	PresentedDate                string `json:"presented_date"`
	Scheduled                    bool   `json:"scheduled"`
}

func balanceView(b *records.Balance) *BalanceView {
	if b == nil {
		return nil
	}
	return &BalanceView{
		AccountID: b.ExternalID, TotalCents: b.TotalCents, Aged0To30Cents: b.Aged0To30Cents,
		Aged31To60Cents: b.Aged31To60Cents, Aged61To90Cents: b.Aged61To90Cents, AgedOver90Cents: b.AgedOver90Cents,
		LastStatementDate: b.LastStatementDate.String(), LastPaymentDate: b.LastPaymentDate.String(),
		LastPaymentCents: b.LastPaymentCents,
	}
}

func claimViews(cs []records.Claim) []ClaimView {
	out := make([]ClaimView, 0, len(cs))
	for _, c := range cs {
		out = append(out, ClaimView{
			ClaimID: c.ExternalID, PayerName: c.PayerName, PayerID: c.PayerID,
			DateOfService: c.DateOfService.String(), SubmittedDate: c.SubmittedDate.String(),
			BilledCents: c.BilledCents, PaidCents: c.PaidCents,
			PatientResponsibilityCents: c.PatientResponsibilityCents, Status: string(c.Status),
		})
	}
	return out
}

func insuranceViews(cs []records.Claim) []InsuranceView {
	out := make([]InsuranceView, 0, len(cs))
	seen := map[InsuranceView]bool{}
	for _, c := range cs {
		v := InsuranceView{PayerName: c.PayerName, PayerID: c.PayerID, SubscriberID: c.SubscriberID}
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func recallViews(rs []records.Recall) []RecallView {
	out := make([]RecallView, 0, len(rs))
	for _, r := range rs {
		out = append(out, RecallView{RecallID: r.ExternalID, RecallType: r.RecallType, DueDate: r.DueDate.String(),
			LastVisitDate: r.LastVisitDate.String(), Scheduled: r.Scheduled})
	}
	return out
}

func treatmentViews(ts []records.TreatmentPlan) []TreatmentView {
	out := make([]TreatmentView, 0, len(ts))
	for _, t := range ts {
		out = append(out, TreatmentView{PlanID: t.ExternalID, Summary: t.Summary,
			EstimatedPatientPortionCents: t.EstimatedPatientPortionCents, PresentedDate: t.PresentedDate.String(),
			Scheduled: t.Scheduled})
	}
	return out
}

// BenefitsView is the benefits group: the payer's latest answer about the
// patient's plan, in words, with when it came.
type BenefitsView struct {
	PayerName  string    `json:"payer_name"`
	Coverage   string    `json:"coverage"` // active, inactive or unknown
	Lines      []string  `json:"lines"`
	AnsweredAt time.Time `json:"answered_at"`
}

// benefitsView is nil when no payer has answered yet.
func benefitsView(b *records.Benefits) *BenefitsView {
	if b == nil {
		return nil
	}
	return &BenefitsView{PayerName: b.PayerName, Coverage: b.Coverage, Lines: b.Lines, AnsweredAt: b.AnsweredAt}
}
