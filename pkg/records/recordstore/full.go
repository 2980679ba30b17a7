package recordstore

import (
	"context"
	"database/sql"

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
)

// FullRecord implements records.Storer. It reads within the practice
// scope of ctx.
func (s *Store) FullRecord(ctx context.Context, practiceID, id string) (records.Full, error) {
	var f records.Full
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		f, err = fullRecord(ctx, q, practiceID, id)
		return err
	})
	return f, err
}

// fullRecord reads a patient of practiceID and every record about it
// through q.
func fullRecord(ctx context.Context, q sqldb.Querier, practiceID, id string) (records.Full, error) {
	var f records.Full
	var err error
	if f.Patient, err = patient(ctx, q, practiceID, id); err != nil {
		return records.Full{}, err
	}
	each := func(query string, scan func(*sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query, practiceID, id)
		if err != nil {
			return sqldb.MapError(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return sqldb.MapError(rows.Err())
	}
	err = each(patientBalance, func(r *sql.Rows) error {
		var b records.Balance
		var stmt, paid string
		if err := r.Scan(&b.ExternalID, &b.TotalCents, &b.Aged0To30Cents, &b.Aged31To60Cents, &b.Aged61To90Cents,
			&b.AgedOver90Cents, &stmt, &paid, &b.LastPaymentCents); err != nil {
			return err
		}
		b.PatientExternalID, b.LastStatementDate, b.LastPaymentDate = f.Patient.ExternalID, records.ParseDate(stmt), records.ParseDate(paid)
		f.Balance = &b
		return nil
	})
	if err != nil {
		return records.Full{}, err
	}
	err = each(patientClaims, func(r *sql.Rows) error {
		var c records.Claim
		var dos, sub, status string
		if err := r.Scan(&c.ExternalID, &c.PayerName, &c.PayerID, &c.SubscriberID, &dos, &sub, &c.BilledCents,
			&c.PaidCents, &c.PatientResponsibilityCents, &status); err != nil {
			return err
		}
		c.PatientExternalID, c.DateOfService, c.SubmittedDate, c.Status = f.Patient.ExternalID, records.ParseDate(dos), records.ParseDate(sub), records.ClaimStatus(status)
		f.Claims = append(f.Claims, c)
		return nil
	})
	if err != nil {
		return records.Full{}, err
	}
	err = each(patientRecalls, func(r *sql.Rows) error {
		var rc records.Recall
		var due, last string
		if err := r.Scan(&rc.ExternalID, &rc.RecallType, &due, &last, &rc.Scheduled); err != nil {
			return err
		}
		rc.PatientExternalID, rc.DueDate, rc.LastVisitDate = f.Patient.ExternalID, records.ParseDate(due), records.ParseDate(last)
		f.Recalls = append(f.Recalls, rc)
		return nil
	})
	if err != nil {
		return records.Full{}, err
	}
	err = each(patientTreatments, func(r *sql.Rows) error {
		var t records.TreatmentPlan
		var presented string
		if err := r.Scan(&t.ExternalID, &t.Summary, &t.EstimatedPatientPortionCents, &presented, &t.Scheduled); err != nil {
			return err
		}
		t.PatientExternalID, t.PresentedDate = f.Patient.ExternalID, records.ParseDate(presented)
		f.Treatments = append(f.Treatments, t)
		return nil
	})
	if err != nil {
		return records.Full{}, err
	}
	return f, nil
}
