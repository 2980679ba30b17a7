package scale

import (
	"github.com/backdesk/backdesk/pkg/work"
)

// RecordID is the id of patient j's record behind work of subject type st
// in practice p.
func (c *Company) RecordID(p, j int, st work.SubjectType) string {
	n := p*c.Size.PatientsPerPractice() + j
	switch st {
	case work.SubjectBalance:
		return id(tagBalance, n)
	case work.SubjectClaim:
		return id(tagClaim, n)
	case work.SubjectRecall:
		return id(tagRecall, n)
	default:
		return id(tagTreatment, n)
	}
}

// recordTables are every patient and each patient's records, practice by
// practice, as an import of each practice's data would have written them.
func (c *Company) recordTables() []table {
	s := c.Size
	l := s.PatientsPerPractice()
	created := c.Now.Add(-300 * day)
	each := func(row func(p, j int) []any) func(yield func([]any) bool) {
		return func(yield func([]any) bool) {
			for p := range s.Practices {
				for j := range l {
					if r := row(p, j); r != nil && !yield(r) {
						return
					}
				}
			}
		}
	}
	patients := table{"patients", []string{"id", "practice_id", "external_id", "first_name", "last_name", "date_of_birth", "phone", "email",
		"address_line1", "city", "state", "postal_code", "guarantor_name", "preferred_channel", "text_consent", "do_not_contact",
		"created_at", "updated_at"}, each(func(p, j int) []any {
		pt := c.Patient(p, j)
		return []any{c.PatientID(p, j), c.PracticeID(p), pt.ExternalID, pt.FirstName, pt.LastName, pt.DateOfBirth.String(), pt.Phone,
			pt.Email, pt.AddressLine1, pt.City, pt.State, pt.PostalCode, pt.GuarantorName, string(pt.PreferredChannel), pt.TextConsent,
			pt.DoNotContact, created, created}
	})}
	balances := table{"balances", []string{"id", "practice_id", "patient_id", "external_id", "total_cents", "aged_0_30_cents",
		"aged_31_60_cents", "aged_61_90_cents", "aged_over_90_cents", "last_statement_date", "last_payment_date", "last_payment_cents",
		"created_at", "updated_at"}, each(func(p, j int) []any {
		b := c.Balance(p, j)
		return []any{c.RecordID(p, j, work.SubjectBalance), c.PracticeID(p), c.PatientID(p, j), b.ExternalID, b.TotalCents, b.Aged0To30Cents,
			b.Aged31To60Cents, b.Aged61To90Cents, b.AgedOver90Cents, b.LastStatementDate.String(), b.LastPaymentDate.String(),
			b.LastPaymentCents, created, c.Now.Add(-day)}
	})}
	claims := table{"claims", []string{"id", "practice_id", "patient_id", "external_id", "payer_name", "payer_id", "subscriber_id",
		"date_of_service", "submitted_date", "billed_cents", "paid_cents", "patient_responsibility_cents", "status", "created_at",
		"updated_at"}, each(func(p, j int) []any {
		cl := c.Claim(p, j)
		return []any{c.RecordID(p, j, work.SubjectClaim), c.PracticeID(p), c.PatientID(p, j), cl.ExternalID, cl.PayerName, cl.PayerID,
			cl.SubscriberID, cl.DateOfService.String(), cl.SubmittedDate.String(), cl.BilledCents, cl.PaidCents,
			cl.PatientResponsibilityCents, string(cl.Status), created, c.Now.Add(-day)}
	})}
	recalls := table{"recalls", []string{"id", "practice_id", "patient_id", "external_id", "recall_type", "due_date", "last_visit_date",
		"scheduled", "created_at", "updated_at"}, each(func(p, j int) []any {
		r := c.Recall(p, j)
		return []any{c.RecordID(p, j, work.SubjectRecall), c.PracticeID(p), c.PatientID(p, j), r.ExternalID, r.RecallType,
			r.DueDate.String(), r.LastVisitDate.String(), r.Scheduled, created, c.Now.Add(-day)}
	})}
	plans := table{"treatment_plans", []string{"id", "practice_id", "patient_id", "external_id", "summary", "est_patient_cents",
		"presented_date", "scheduled", "created_at", "updated_at"}, each(func(p, j int) []any {
		t, ok := c.Treatment(p, j)
		if !ok {
			return nil
		}
		return []any{c.RecordID(p, j, work.SubjectTreatment), c.PracticeID(p), c.PatientID(p, j), t.ExternalID, t.Summary,
			t.EstimatedPatientPortionCents, t.PresentedDate.String(), t.Scheduled, created, c.Now.Add(-day)}
	})}
	return []table{patients, balances, claims, recalls, plans}
}
