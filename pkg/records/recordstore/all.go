package recordstore

import (
	"context"
	"database/sql"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

// Every record of one practice, by table, in id order.
const (
	practiceBalances = `SELECT id, patient_id, external_id, total_cents, aged_0_30_cents, aged_31_60_cents, aged_61_90_cents,
aged_over_90_cents, last_statement_date, last_payment_date, last_payment_cents FROM balances WHERE practice_id = $1 ORDER BY id`
	practiceClaims = `SELECT id, patient_id, external_id, payer_name, payer_id, subscriber_id, date_of_service, submitted_date,
billed_cents, paid_cents, patient_responsibility_cents, status FROM claims WHERE practice_id = $1 ORDER BY id`
	practiceRecalls = `SELECT id, patient_id, external_id, recall_type, due_date, last_visit_date, scheduled FROM recalls
WHERE practice_id = $1 ORDER BY id`
	// A treatment plan comes with what its patient's insurance has left
	// for the year, from the latest eligibility answer, for the year-end
	// push (benefit_summaries_patient).
	practiceTreatments = `SELECT t.id, t.patient_id, t.external_id, t.summary, t.est_patient_cents, t.presented_date, t.scheduled,
COALESCE((SELECT b.max_left_cents FROM benefit_summaries b WHERE b.patient_id = t.patient_id ORDER BY b.answered_at DESC LIMIT 1), 0),
COALESCE((SELECT b.benefits_end FROM benefit_summaries b WHERE b.patient_id = t.patient_id ORDER BY b.answered_at DESC LIMIT 1), '')
FROM treatment_plans t WHERE t.practice_id = $1 ORDER BY t.id`
)

// All implements records.Storer: it reads every balance, claim, recall
// and treatment plan of practiceID through q and hands them to fn in
// batches of records.BatchSize, as Upsert hands back what it changed.
func (s *Store) All(ctx context.Context, q sqldb.Querier, practiceID string, fn func([]records.Changed) error) error {
	tables := []struct {
		query string
		scan  func(*sql.Rows) (records.Changed, error)
	}{
		{practiceBalances, func(r *sql.Rows) (records.Changed, error) {
			var c records.Changed
			var b records.Balance
			var stmt, paid string
			err := r.Scan(&c.ID, &c.PatientID, &b.ExternalID, &b.TotalCents, &b.Aged0To30Cents, &b.Aged31To60Cents,
				&b.Aged61To90Cents, &b.AgedOver90Cents, &stmt, &paid, &b.LastPaymentCents)
			b.LastStatementDate, b.LastPaymentDate = records.ParseDate(stmt), records.ParseDate(paid)
			c.Row = records.Row{Balance: &b}
			return c, err
		}},
		{practiceClaims, func(r *sql.Rows) (records.Changed, error) {
			var c records.Changed
			var cl records.Claim
			var dos, sub, status string
			err := r.Scan(&c.ID, &c.PatientID, &cl.ExternalID, &cl.PayerName, &cl.PayerID, &cl.SubscriberID, &dos, &sub,
				&cl.BilledCents, &cl.PaidCents, &cl.PatientResponsibilityCents, &status)
			cl.DateOfService, cl.SubmittedDate, cl.Status = records.ParseDate(dos), records.ParseDate(sub), records.ClaimStatus(status)
			c.Row = records.Row{Claim: &cl}
			return c, err
		}},
		{practiceRecalls, func(r *sql.Rows) (records.Changed, error) {
			var c records.Changed
			var rc records.Recall
			var due, last string
			err := r.Scan(&c.ID, &c.PatientID, &rc.ExternalID, &rc.RecallType, &due, &last, &rc.Scheduled)
			rc.DueDate, rc.LastVisitDate = records.ParseDate(due), records.ParseDate(last)
			c.Row = records.Row{Recall: &rc}
			return c, err
		}},
		{practiceTreatments, func(r *sql.Rows) (records.Changed, error) {
			var c records.Changed
			var t records.TreatmentPlan
			var presented, end string
			err := r.Scan(&c.ID, &c.PatientID, &t.ExternalID, &t.Summary, &t.EstimatedPatientPortionCents, &presented, &t.Scheduled,
				&t.BenefitsLeftCents, &end)
			t.PresentedDate, t.BenefitsEnd = records.ParseDate(presented), records.ParseDate(end)
			c.Row = records.Row{Treatment: &t}
			return c, err
		}},
	}
	for _, tb := range tables {
		if err := each(ctx, q, tb.query, practiceID, tb.scan, fn); err != nil {
			return err
		}
	}
	return nil
}

// each reads one table whole before handing it on: fn writes through the
// same transaction, which cannot run a statement while rows are open.
func each(ctx context.Context, q sqldb.Querier, query, practiceID string, scan func(*sql.Rows) (records.Changed, error), fn func([]records.Changed) error) error {
	rows, err := q.QueryContext(ctx, query, practiceID)
	if err != nil {
		return sqldb.MapError(err)
	}
	var all []records.Changed
	for rows.Next() {
		c, err := scan(rows)
		if err != nil {
			rows.Close()
			return sqldb.MapError(err)
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return sqldb.MapError(err)
	}
	for start := 0; start < len(all); start += records.BatchSize {
		if err := fn(all[start:min(start+records.BatchSize, len(all))]); err != nil {
			return err
		}
	}
	return nil
}
