package recordstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

// The records of one patient, in the order the full record lists them.
const (
	// patientBalance is the patient's largest account balance.
	patientBalance = `SELECT external_id, total_cents, aged_0_30_cents, aged_31_60_cents, aged_61_90_cents, aged_over_90_cents,
last_statement_date, last_payment_date, last_payment_cents FROM balances WHERE practice_id = $1 AND patient_id = $2
ORDER BY total_cents DESC LIMIT 1`
	patientClaims = `SELECT external_id, payer_name, payer_id, subscriber_id, date_of_service, submitted_date, billed_cents,
paid_cents, patient_responsibility_cents, status FROM claims WHERE practice_id = $1 AND patient_id = $2
ORDER BY date_of_service DESC, external_id`
	patientRecalls = `SELECT external_id, recall_type, due_date, last_visit_date, scheduled FROM recalls
WHERE practice_id = $1 AND patient_id = $2 ORDER BY due_date, external_id`
	patientTreatments = `SELECT external_id, summary, est_patient_cents, presented_date, scheduled FROM treatment_plans
WHERE practice_id = $1 AND patient_id = $2 ORDER BY presented_date DESC, external_id`
	// patientBenefits is the payer's latest answer about the patient's
	// plan (benefit_summaries_patient).
	patientBenefits = `SELECT payer_name, coverage, lines, answered_at FROM benefit_summaries
WHERE patient_id = $2 AND practice_id = $1 ORDER BY answered_at DESC, id DESC LIMIT 1`
)

// FullRecord implements records.Storer. It reads within the practice
// scope of ctx; none of its six reads needs another's answer, so under a
// request's shared transaction they cost one round trip (ReadAll).
func (s *Store) FullRecord(ctx context.Context, practiceID, id string) (records.Full, error) {
	var f records.Full
	found := false
	err := s.db.ReadAll(ctx, fullReads(practiceID, id, &f, &found)...)
	if err != nil {
		return records.Full{}, fmt.Errorf("read patient: %w", err)
	}
	if !found {
		return records.Full{}, apperr.NotFound("patient")
	}
	ext := f.Patient.ExternalID
	if f.Balance != nil {
		f.Balance.PatientExternalID = ext
	}
	for i := range f.Claims {
		f.Claims[i].PatientExternalID = ext
	}
	for i := range f.Recalls {
		f.Recalls[i].PatientExternalID = ext
	}
	for i := range f.Treatments {
		f.Treatments[i].PatientExternalID = ext
	}
	return f, nil
}

// fullReads are the reads of a patient of practiceID and every record
// about it, into f; found says whether the patient was there.
func fullReads(practiceID, id string, f *records.Full, found *bool) []sqldb.Read {
	args := []any{practiceID, id}
	return []sqldb.Read{
		{Query: selectPatient, Args: args, Row: func(r sqldb.Scanner) error {
			p, err := scanPatient(r)
			f.Patient, *found = p, err == nil
			return err
		}},
		{Query: patientBalance, Args: args, Row: func(r sqldb.Scanner) error {
			var b records.Balance
			var stmt, paid string
			if err := r.Scan(&b.ExternalID, &b.TotalCents, &b.Aged0To30Cents, &b.Aged31To60Cents, &b.Aged61To90Cents,
				&b.AgedOver90Cents, &stmt, &paid, &b.LastPaymentCents); err != nil {
				return err
			}
			b.LastStatementDate, b.LastPaymentDate = records.ParseDate(stmt), records.ParseDate(paid)
			f.Balance = &b
			return nil
		}},
		{Query: patientClaims, Args: args, Row: func(r sqldb.Scanner) error {
			var c records.Claim
			var dos, sub, status string
			if err := r.Scan(&c.ExternalID, &c.PayerName, &c.PayerID, &c.SubscriberID, &dos, &sub, &c.BilledCents,
				&c.PaidCents, &c.PatientResponsibilityCents, &status); err != nil {
				return err
			}
			c.DateOfService, c.SubmittedDate, c.Status = records.ParseDate(dos), records.ParseDate(sub), records.ClaimStatus(status)
			f.Claims = append(f.Claims, c)
			return nil
		}},
		{Query: patientRecalls, Args: args, Row: func(r sqldb.Scanner) error {
			var rc records.Recall
			var due, last string
			if err := r.Scan(&rc.ExternalID, &rc.RecallType, &due, &last, &rc.Scheduled); err != nil {
				return err
			}
			rc.DueDate, rc.LastVisitDate = records.ParseDate(due), records.ParseDate(last)
			f.Recalls = append(f.Recalls, rc)
			return nil
		}},
		{Query: patientTreatments, Args: args, Row: func(r sqldb.Scanner) error {
			var t records.TreatmentPlan
			var presented string
			if err := r.Scan(&t.ExternalID, &t.Summary, &t.EstimatedPatientPortionCents, &presented, &t.Scheduled); err != nil {
				return err
			}
			t.PresentedDate = records.ParseDate(presented)
			f.Treatments = append(f.Treatments, t)
			return nil
		}},
		{Query: patientBenefits, Args: args, Row: func(r sqldb.Scanner) error {
			var b records.Benefits
			var lines string
			if err := r.Scan(&b.PayerName, &b.Coverage, &lines, &b.AnsweredAt); err != nil {
				return err
			}
			b.AnsweredAt = b.AnsweredAt.UTC()
			f.Benefits = &b
			return json.Unmarshal([]byte(lines), &b.Lines)
		}},
	}
}
