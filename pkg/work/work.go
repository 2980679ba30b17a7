// Package work holds follow-up work items: one per subject (a claim, an
// account balance, a recall, a treatment plan, an appointment) and kind, each with a named
// owner once routed, a due date and a next contact date. This file decides
// which records become work under a practice's thresholds; the rules are
// pure functions so they can be checked exhaustively.
package work

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
)

// State is where a work item stands.
type State string

// The item lifecycle (docs/agents.md).
const (
	Open       State = "open"
	Assigned   State = "assigned"
	InProgress State = "in_progress"
	Waiting    State = "waiting"
	Resolved   State = "resolved"
	Closed     State = "closed"
)

// SubjectType names what an item is about.
type SubjectType string

// The subjects.
const (
	SubjectClaim     SubjectType = "claim"
	SubjectBalance   SubjectType = "balance"
	SubjectRecall    SubjectType = "recall"
	SubjectTreatment SubjectType = "treatment_plan"
	// SubjectAppointment is the visit an eligibility check verifies
	// coverage for.
	SubjectAppointment SubjectType = "appointment"
)

// Candidate is a record that may become work.
type Candidate struct {
	Kind        policy.Kind
	SubjectType SubjectType
	SubjectID   string
	PatientID   string
}

// today is the civil date of now in the practice's time zone.
func today(now time.Time, loc *time.Location) records.Date {
	t := now.In(loc)
	return records.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

func daysBetween(a, b records.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

// BalanceNeedsWork applies the balance thresholds: at least the minimum
// owed, and some of it older than the minimum age (read from the aging
// buckets; with no aging given, the last statement date stands in).
func BalanceNeedsWork(b records.Balance, t policy.Thresholds, now time.Time, loc *time.Location) bool {
	if b.TotalCents < t.BalanceMinCents {
		return false
	}
	bucketed := b.Aged0To30Cents + b.Aged31To60Cents + b.Aged61To90Cents + b.AgedOver90Cents
	if bucketed == 0 {
		if b.LastStatementDate.IsZero() {
			return t.BalanceMinAgeDays == 0
		}
		return daysBetween(b.LastStatementDate, today(now, loc)) >= t.BalanceMinAgeDays
	}
	var older int64
	switch n := t.BalanceMinAgeDays; {
	case n < 30:
		older = bucketed
	case n < 60:
		older = b.Aged31To60Cents + b.Aged61To90Cents + b.AgedOver90Cents
	case n < 90:
		older = b.Aged61To90Cents + b.AgedOver90Cents
	default:
		older = b.AgedOver90Cents
	}
	return older > 0
}

// ClaimNeedsWork applies the claim threshold: not paid in full or closed,
// and submitted (or, failing that, serviced) at least N days ago.
func ClaimNeedsWork(c records.Claim, t policy.Thresholds, now time.Time, loc *time.Location) bool {
	switch c.Status {
	case records.ClaimPaid, records.ClaimClosed:
		return false
	}
	if c.PaidCents >= c.BilledCents && c.BilledCents > 0 {
		return false
	}
	since := c.SubmittedDate
	if since.IsZero() {
		since = c.DateOfService
	}
	if since.IsZero() {
		return false
	}
	return daysBetween(since, today(now, loc)) >= t.ClaimUnpaidDays
}

// RecallNeedsWork applies the recall threshold: unscheduled and due within
// N days, or overdue.
func RecallNeedsWork(r records.Recall, t policy.Thresholds, now time.Time, loc *time.Location) bool {
	if r.Scheduled || r.DueDate.IsZero() {
		return false
	}
	return daysBetween(today(now, loc), r.DueDate) <= t.RecallDueWithinDays
}

// TreatmentNeedsWork applies the treatment threshold: presented and still
// unscheduled N days later.
func TreatmentNeedsWork(p records.TreatmentPlan, t policy.Thresholds, now time.Time, loc *time.Location) bool {
	if p.Scheduled || p.PresentedDate.IsZero() {
		return false
	}
	return daysBetween(p.PresentedDate, today(now, loc)) >= t.TreatmentUnscheduledDays
}
