package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// Installment is one promised amount of a payment plan.
type Installment struct {
	DueDate     string `json:"due_date"` // YYYY-MM-DD
	AmountCents int64  `json:"amount_cents"`
}

// Plan is a payment plan: what the patient promised to pay, and when.
type Plan struct {
	ID        string        `json:"id"`
	Schedule  []Installment `json:"schedule"`
	CreatedBy string        `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
}

// MaxInstallments bounds a plan.
const MaxInstallments = 24

// PlanInput is an agent's payment plan, logged as a promised payment on
// the contact it was agreed on.
type PlanInput struct {
	Channel  work.Channel
	Schedule []Installment
	Note     string
	Version  int
}

// Outcomes records the plan's outcome with the plan; work.Desk is one.
type Outcomes interface {
	RecordOutcome(ctx context.Context, ref work.Ref, itemID, actorID string, in work.OutcomeInput, ev audit.Event) (int, error)
}

// AgreePlan records a payment plan on a balance follow-up: the outcome
// "promised payment" of the first installment, with the next contact on
// its date, and the plan beside it, audited, in one transaction. The
// schedule is checked whole: every problem by installment and field.
func (s *Service) AgreePlan(ctx context.Context, o Outcomes, ref work.Ref, itemID, actorID string, in PlanInput, ev audit.Event) (Plan, int, error) {
	if ref.Kind != policy.BalanceFollowup {
		return Plan{}, 0, apperr.Invalid("item", "not_a_balance", "a payment plan is agreed on a balance follow-up")
	}
	due, err := s.store.Due(ctx, ref.PracticeID, itemID)
	if err != nil {
		return Plan{}, 0, err
	}
	now := s.clock()
	if p := planProblems(in.Schedule, due.TotalCents, now); len(p) > 0 {
		return Plan{}, 0, apperr.Invalids(p)
	}
	plan := Plan{ID: uuid.Must(uuid.NewV7()).String(), Schedule: in.Schedule, CreatedBy: actorID, CreatedAt: now}
	first, _ := time.Parse(time.DateOnly, in.Schedule[0].DueDate)
	next := first.Add(10 * time.Hour) // mid-morning in the Americas, the day it falls due
	body, err := json.Marshal(in.Schedule)
	if err != nil {
		return Plan{}, 0, err
	}
	out := work.OutcomeInput{Channel: in.Channel, Outcome: work.PromisedPayment, Note: in.Note, NextContactAt: &next,
		PromisedCents: in.Schedule[0].AmountCents, Version: in.Version,
		Alongside: func(ctx context.Context, w *sqldb.Writer, patientID, _ string, now time.Time) error {
			w.Later(`INSERT INTO payment_plans (id, practice_id, patient_id, balance_id, work_item_id, schedule, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, plan.ID, ref.PracticeID, patientID, due.BalanceID, itemID, string(body), actorID, now)
			return nil
		}}
	version, err := o.RecordOutcome(ctx, ref, itemID, actorID, out, ev)
	return plan, version, err
}

// planProblems checks a schedule: one to MaxInstallments installments,
// dates from today on, in order, within two years; each at least $1.00;
// together no more than the balance.
func planProblems(sched []Installment, totalCents int64, now time.Time) map[string]string {
	p := map[string]string{}
	if len(sched) == 0 || len(sched) > MaxInstallments {
		p["schedule"] = fmt.Sprintf("give one to %d installments", MaxInstallments)
		return p
	}
	var sum int64
	var prev time.Time
	today := now.Truncate(24 * time.Hour)
	for i, in := range sched {
		key := fmt.Sprintf("schedule[%d]", i)
		d, err := time.Parse(time.DateOnly, in.DueDate)
		switch {
		case err != nil:
			p[key+".due_date"] = "must be a date as YYYY-MM-DD"
		case d.Before(today):
			p[key+".due_date"] = "must not be in the past"
		case d.After(today.AddDate(2, 0, 0)):
			p[key+".due_date"] = "must be within two years"
		case !prev.IsZero() && !d.After(prev):
			p[key+".due_date"] = "must come after the installment before it"
		}
		if err == nil {
			prev = d
		}
		if in.AmountCents < MinimumCents {
			p[key+".amount_cents"] = "must be at least $1.00"
		}
		sum += in.AmountCents
	}
	if len(p) == 0 && sum > totalCents {
		p["schedule"] = "the installments add up to more than the balance"
	}
	return p
}

// Ledger is what an agent sees of an account's statements and payments.
type Ledger struct {
	LastStatement *StatementSummary `json:"last_statement"`
	// NextStatement is the first day of the next cycle: when the next
	// run is expected.
	NextStatement string    `json:"next_statement"`
	Payments      []Payment `json:"payments"`
	Plan          *Plan     `json:"plan"`
}

// StatementSummary is a statement as the item view lists it.
type StatementSummary struct {
	Date     string `json:"date"`
	DueCents int64  `json:"amount_due_cents"`
	Delivery string `json:"delivery"`
}

// Payment is a payment received through a link.
type Payment struct {
	AmountCents int64     `json:"amount_cents"`
	ReceivedAt  time.Time `json:"received_at"`
	Provider    string    `json:"provider"`
}
