package billstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

var _ billing.StatementStore = (*Store)(nil)

// ActivityDays is how far back a statement itemises claims; claims still
// with the insurance are listed whatever their age.
const ActivityDays = 90

const runColumns = `id, practice_id, cycle, statement_date, due_date, office_hours, state, made, emailed, skipped, error, created_at, finished_at`

func scanRun(r sqldb.Scanner) (billing.Run, error) {
	var run billing.Run
	var fin sql.NullTime
	err := r.Scan(&run.ID, &run.PracticeID, &run.Cycle, &run.StatementDate, &run.DueDate, &run.Hours, &run.State, &run.Made, &run.Emailed, &run.Skipped,
		&run.Error, &run.CreatedAt, &fin)
	run.CreatedAt = run.CreatedAt.UTC()
	if fin.Valid {
		t := fin.Time.UTC()
		run.FinishedAt = &t
	}
	return run, err
}

// StartRun implements billing.StatementStore: the unique (practice, cycle)
// makes a run once; a second start reads the first.
func (s *Store) StartRun(ctx context.Context, r billing.Run, by string, ev audit.Event, now time.Time) (billing.Run, bool, error) {
	created := false
	out := r
	ctx = sqldb.WithPractice(ctx, r.PracticeID)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		var id string
		ok, err := w.One(ctx, `INSERT INTO statement_runs (id, practice_id, cycle, statement_date, due_date, office_hours, state, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8) ON CONFLICT (practice_id, cycle) DO NOTHING RETURNING id`,
			[]any{r.ID, r.PracticeID, r.Cycle, r.StatementDate, r.DueDate, r.Hours, by, now}, &id)
		if err != nil {
			return err
		}
		if ok {
			created = true
			out.CreatedAt = now
			return s.audit.Append(ctx, w, []audit.Event{ev})
		}
		return nil
	})
	if err != nil || created {
		return out, created, sqldb.MapError(err)
	}
	err = s.db.ReadAll(ctx, sqldb.Read{Query: `SELECT ` + runColumns + ` FROM statement_runs WHERE practice_id = $1 AND cycle = $2`,
		Args: []any{r.PracticeID, r.Cycle}, Row: func(row sqldb.Scanner) error {
			var err error
			out, err = scanRun(row)
			return err
		}})
	return out, false, err
}

// Office implements billing.StatementStore.
func (s *Store) Office(ctx context.Context, practiceID string) (billing.Office, bool, error) {
	var o billing.Office
	found := false
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT p.name, l.address_line1, COALESCE(l.address_line2, ''), l.city, l.state, l.postal_code, l.phone
FROM practices p JOIN locations l ON l.practice_id = p.id WHERE p.id = $1 AND l.phone <> '' ORDER BY l.created_at, l.id LIMIT 1`,
		Args: []any{practiceID}, Row: func(r sqldb.Scanner) error {
			found = true
			return r.Scan(&o.Name, &o.Address.Line1, &o.Address.Line2, &o.Address.City, &o.Address.State, &o.Address.PostalCode, &o.Phone)
		}})
	o.Phone = message.PhoneWords(o.Phone)
	return o, found, err
}

// Accounts implements billing.StatementStore: the accounts, then their
// claims; two statements a page, whatever its size.
func (s *Store) Accounts(ctx context.Context, practiceID, after string, limit int) ([]billing.Account, error) {
	var out []billing.Account
	byPatient := map[string][]int{}
	ctx = sqldb.WithPractice(ctx, practiceID)
	err := s.db.ReadAll(ctx, sqldb.Read{Query: `SELECT b.id, b.patient_id, b.external_id, b.total_cents, b.aged_0_30_cents, b.aged_31_60_cents,
b.aged_61_90_cents, b.aged_over_90_cents, p.first_name, p.last_name, p.guarantor_name, p.address_line1, p.address_line2, p.city, p.state,
p.postal_code, p.do_not_contact,
p.preferred_channel = 'email' AND p.email <> '' AND NOT EXISTS (SELECT 1 FROM message_optouts o
  WHERE o.practice_id = p.practice_id AND o.channel = 'email' AND o.address = p.email),
COALESCE((SELECT w.id FROM work_items w WHERE w.subject_type = 'balance' AND w.subject_id = b.id AND w.state NOT IN ('resolved', 'closed')
  ORDER BY w.created_at DESC LIMIT 1), '')
FROM balances b JOIN patients p ON p.id = b.patient_id WHERE b.practice_id = $1 AND b.id > $2 ORDER BY b.id LIMIT $3`,
		Args: []any{practiceID, after, limit}, Row: func(r sqldb.Scanner) error {
			var a billing.Account
			var first, last, guarantor string
			err := r.Scan(&a.BalanceID, &a.PatientID, &a.Number, &a.TotalCents, &a.Aging.CurrentCents, &a.Aging.Days31Cents, &a.Aging.Days61Cents,
				&a.Aging.Over90Cents, &first, &last, &guarantor, &a.Guarantor.Address.Line1, &a.Guarantor.Address.Line2, &a.Guarantor.Address.City,
				&a.Guarantor.Address.State, &a.Guarantor.Address.PostalCode, &a.DoNotContact, &a.EStatement, &a.WorkItemID)
			a.Guarantor.Name = guarantor
			if a.Guarantor.Name == "" {
				a.Guarantor.Name = first + " " + last
			}
			// The buckets as imported need not add up to the total; what
			// they miss is counted as current.
			if diff := a.TotalCents - a.Aging.TotalCents(); diff != 0 {
				a.Aging.CurrentCents += diff
			}
			byPatient[a.PatientID] = append(byPatient[a.PatientID], len(out))
			out = append(out, a)
			return err
		}})
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, 0, len(byPatient))
	for id := range byPatient {
		ids = append(ids, id)
	}
	in, args := s.db.Dialect.In("patient_id", 3, ids)
	since := time.Now().UTC().AddDate(0, 0, -ActivityDays).Format(time.DateOnly)
	err = s.db.ReadAll(ctx, sqldb.Read{Query: `SELECT patient_id, date_of_service, payer_name, billed_cents, paid_cents, patient_responsibility_cents, status
FROM claims WHERE practice_id = $1 AND (date_of_service >= $2 OR status IN ('submitted', 'pending')) AND ` + in + `
ORDER BY patient_id, date_of_service, id`, Args: append([]any{practiceID, since}, args...), Row: func(r sqldb.Scanner) error {
		var patient, dos, payer, status string
		var billed, paid, resp int64
		if err := r.Scan(&patient, &dos, &payer, &billed, &paid, &resp, &status); err != nil {
			return err
		}
		for _, i := range byPatient[patient] {
			itemise(&out[i], records.ParseDate(dos), payer, billed, paid, resp, records.ClaimStatus(status))
		}
		return nil
	}})
	return out, err
}

// itemise adds a claim to an account: its charge, what the insurance
// paid and wrote off once it answered, or the claim as pending while it
// has not.
func itemise(a *billing.Account, dos records.Date, payer string, billed, paid, resp int64, status records.ClaimStatus) {
	a.Lines = append(a.Lines, statement.Line{Date: dos, Description: "Dental visit, billed to " + payer, ChargeCents: billed})
	switch status {
	case records.ClaimSubmitted, records.ClaimPending:
		a.Pending = append(a.Pending, statement.Pending{Date: dos, Payer: payer, EstimateCents: max(billed-resp, 0)})
		return
	}
	if paid > 0 {
		a.Lines = append(a.Lines, statement.Line{Date: dos, Description: payer + " payment", InsuranceCents: -paid})
	}
	if adj := billed - paid - resp; adj > 0 && (status == records.ClaimPaid || status == records.ClaimPartial || status == records.ClaimClosed) {
		a.Lines = append(a.Lines, statement.Line{Date: dos, Description: payer + " adjustment", InsuranceCents: -adj})
	}
}

// Keep implements billing.StatementStore.
func (s *Store) Keep(ctx context.Context, run billing.Run, made []billing.Made, skipped []billing.Skipped, now time.Time) ([]billing.Made, error) {
	ctx = sqldb.WithPractice(ctx, run.PracticeID)
	var kept []billing.Made
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		kept = kept[:0]
		var events []audit.Event
		for _, m := range made {
			content, err := json.Marshal(m.Content)
			if err != nil {
				return err
			}
			var id string
			ok, err := w.One(ctx, `INSERT INTO statements (id, practice_id, run_id, balance_id, patient_id, account_number, amount_due_cents, pending_cents,
pages, delivery, pdf, sha256, content, link_id, created_at, retain_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
ON CONFLICT (run_id, balance_id) DO NOTHING RETURNING id`, []any{m.ID, run.PracticeID, run.ID, m.Account.BalanceID, m.Account.PatientID,
				m.Account.Number, m.DueCents, m.Pending, m.Pages, m.Delivery, m.PDF, m.SHA256, string(content), m.Link.ID, now, now.Add(billing.Retention)}, &id)
			if err != nil {
				return err
			}
			if !ok {
				continue // kept by an earlier, interrupted run of the cycle
			}
			kept = append(kept, m)
			l := m.Link
			w.Later(`INSERT INTO payment_links (id, token_hash, practice_id, patient_id, balance_id, work_item_id, amount_cents, state, created_by, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10)`, l.ID, m.LinkHash, l.PracticeID, l.PatientID, l.BalanceID, nullString(l.WorkItemID),
				l.AmountCents, work.SystemActor, now, l.ExpiresAt.UTC())
			if m.Account.WorkItemID != "" {
				w.Later(`INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, at)
VALUES ($1, $2, $3, $4, $5, 'statement', 'sent', $6, $7)`, uuid.Must(uuid.NewV7()).String(), run.PracticeID, m.Account.WorkItemID,
					m.Account.PatientID, work.SystemActor, statementNote(run.Cycle, m.Delivery), now)
				// A statement step of the cadence is taken by the run.
				w.Later(`UPDATE work_items SET cadence_step = cadence_step + 1, version = version + 1, updated_at = $2
WHERE id = $1 AND cadence_step = 0 AND state NOT IN ('resolved', 'closed')`, m.Account.WorkItemID, now)
			}
			events = append(events, m.Disclosure)
		}
		for _, sk := range skipped {
			w.Later(`INSERT INTO statement_skips (run_id, practice_id, balance_id, patient_id, reason) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (run_id, balance_id) DO NOTHING`, run.ID, run.PracticeID, sk.BalanceID, sk.PatientID, sk.Reason)
		}
		return s.audit.Append(ctx, w, events)
	})
	return kept, sqldb.MapError(err)
}

// statementNote is the "statement sent" activity's note.
func statementNote(cycle, delivery string) string {
	if delivery == "email" {
		return fmt.Sprintf("statement of %s e-mailed, with a payment link", cycle)
	}
	return fmt.Sprintf("statement of %s mailed, with a payment link", cycle)
}

// FinishRun implements billing.StatementStore: the counts are read from
// what the run kept.
func (s *Store) FinishRun(ctx context.Context, run billing.Run, errText string, now time.Time) (billing.Run, error) {
	ctx = sqldb.WithPractice(ctx, run.PracticeID)
	state := "done"
	if errText != "" {
		state = "failed"
	}
	err := s.db.Write(ctx, func(w *sqldb.Writer) error {
		w.Later(`UPDATE statement_runs SET state = $2, error = $3, finished_at = $4,
made = (SELECT COUNT(*) FROM statements WHERE run_id = $1),
emailed = (SELECT COUNT(*) FROM statements WHERE run_id = $1 AND delivery = 'email'), skipped = (SELECT COUNT(*) FROM statement_skips WHERE run_id = $1) WHERE id = $1`,
			run.ID, state, errText, now)
		return nil
	})
	if err != nil {
		return run, sqldb.MapError(err)
	}
	runs, err := s.Runs(ctx, run.PracticeID)
	for _, r := range runs {
		if r.ID == run.ID {
			return r, err
		}
	}
	return run, err
}

// Runs implements billing.StatementStore.
func (s *Store) Runs(ctx context.Context, practiceID string) ([]billing.Run, error) {
	out := []billing.Run{}
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT ` + runColumns + ` FROM statement_runs WHERE practice_id = $1
ORDER BY cycle DESC LIMIT 60`, Args: []any{practiceID}, Row: func(r sqldb.Scanner) error {
		run, err := scanRun(r)
		out = append(out, run)
		return err
	}})
	return out, err
}

// RunSkips implements billing.StatementStore.
func (s *Store) RunSkips(ctx context.Context, practiceID, runID string) ([]billing.Skipped, error) {
	out := []billing.Skipped{}
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT k.balance_id, k.patient_id, k.reason, p.first_name || ' ' || p.last_name
FROM statement_skips k JOIN patients p ON p.id = k.patient_id WHERE k.practice_id = $1 AND k.run_id = $2 ORDER BY k.reason, p.last_name, k.balance_id`,
		Args: []any{practiceID, runID}, Row: func(r sqldb.Scanner) error {
			var sk billing.Skipped
			err := r.Scan(&sk.BalanceID, &sk.PatientID, &sk.Reason, &sk.PatientName)
			out = append(out, sk)
			return err
		}})
	return out, err
}

// EachPDF implements billing.StatementStore, a page of statements at a
// time, so a run's download holds one page in memory.
func (s *Store) EachPDF(ctx context.Context, practiceID, runID string, fn func(billing.Made) error) error {
	after := ""
	for {
		var page []billing.Made
		err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT id, balance_id, patient_id, content FROM statements
WHERE practice_id = $1 AND run_id = $2 AND delivery = 'mail' AND balance_id > $3 ORDER BY balance_id LIMIT 100`, Args: []any{practiceID, runID, after},
			Row: func(r sqldb.Scanner) error {
				var m billing.Made
				var content string
				if err := r.Scan(&m.ID, &m.Account.BalanceID, &m.Account.PatientID, &content); err != nil {
					return err
				}
				page = append(page, m)
				return json.Unmarshal([]byte(content), &page[len(page)-1].Content)
			}})
		if err != nil {
			return err
		}
		for _, m := range page {
			if err := fn(m); err != nil {
				return err
			}
		}
		if len(page) < 100 {
			return nil
		}
		after = page[len(page)-1].Account.BalanceID
	}
}

// LatestPDF implements billing.StatementStore.
func (s *Store) LatestPDF(ctx context.Context, practiceID, itemID string) (billing.Made, bool, error) {
	var m billing.Made
	found := false
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT s.id, s.balance_id, s.patient_id, s.pdf FROM statements s
JOIN work_items w ON w.subject_type = 'balance' AND w.subject_id = s.balance_id WHERE w.id = $1 AND s.practice_id = $2
ORDER BY s.created_at DESC LIMIT 1`, Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
		found = true
		return r.Scan(&m.ID, &m.Account.BalanceID, &m.Account.PatientID, &m.PDF)
	}})
	return m, found, err
}

// Downloaded implements billing.StatementStore.
func (s *Store) Downloaded(ctx context.Context, ev audit.Event) error {
	ctx = sqldb.WithPractice(ctx, ev.PracticeID)
	err := s.db.Write(ctx, func(w *sqldb.Writer) error { return s.audit.Append(ctx, w, []audit.Event{ev}) })
	return sqldb.MapError(err)
}

// Ledger implements billing.StatementStore: three reads sent together.
func (s *Store) Ledger(ctx context.Context, practiceID, itemID string, now time.Time) (billing.Ledger, error) {
	db := s.db
	l := billing.Ledger{Payments: []billing.Payment{}, NextStatement: time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}
	err := db.ReadAll(sqldb.WithPractice(ctx, practiceID),
		sqldb.Read{Query: `SELECT r.statement_date, s.amount_due_cents, s.delivery FROM statements s JOIN statement_runs r ON r.id = s.run_id
JOIN work_items w ON w.subject_type = 'balance' AND w.subject_id = s.balance_id WHERE w.id = $1 AND s.practice_id = $2
ORDER BY s.created_at DESC LIMIT 1`, Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
			var sm billing.StatementSummary
			err := r.Scan(&sm.Date, &sm.DueCents, &sm.Delivery)
			l.LastStatement = &sm
			return err
		}},
		sqldb.Read{Query: `SELECT p.amount_cents, p.received_at, p.provider FROM payments p JOIN work_items w ON w.subject_type = 'balance'
AND w.subject_id = p.balance_id WHERE w.id = $1 AND p.practice_id = $2 ORDER BY p.received_at DESC LIMIT 20`,
			Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
				var p billing.Payment
				err := r.Scan(&p.AmountCents, &p.ReceivedAt, &p.Provider)
				p.ReceivedAt = p.ReceivedAt.UTC()
				l.Payments = append(l.Payments, p)
				return err
			}},
		sqldb.Read{Query: `SELECT id, schedule, created_by, created_at FROM payment_plans WHERE work_item_id = $1 AND practice_id = $2
ORDER BY created_at DESC LIMIT 1`, Args: []any{itemID, practiceID}, Row: func(r sqldb.Scanner) error {
			var p billing.Plan
			var sched string
			if err := r.Scan(&p.ID, &sched, &p.CreatedBy, &p.CreatedAt); err != nil {
				return err
			}
			p.CreatedAt = p.CreatedAt.UTC()
			l.Plan = &p
			return json.Unmarshal([]byte(sched), &p.Schedule)
		}},
	)
	return l, err
}

// Mailed implements billing.StatementStore.
func (s *Store) Mailed(ctx context.Context, practiceID, statementID string) error {
	err := s.db.Write(sqldb.WithPractice(ctx, practiceID), func(w *sqldb.Writer) error {
		w.Later(`UPDATE statements SET delivery = 'mail' WHERE id = $1 AND practice_id = $2`, statementID, practiceID)
		return nil
	})
	return sqldb.MapError(err)
}

// MailedPatients implements billing.StatementStore.
func (s *Store) MailedPatients(ctx context.Context, practiceID, runID string) ([]string, error) {
	var out []string
	err := s.db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT patient_id FROM statements
WHERE practice_id = $1 AND run_id = $2 AND delivery = 'mail' ORDER BY balance_id`, Args: []any{practiceID, runID},
		Row: func(r sqldb.Scanner) error {
			var id string
			err := r.Scan(&id)
			out = append(out, id)
			return err
		}})
	return out, err
}
