// Package priority scores follow-up work so that "what first" is never a
// guess: every score comes with the reasons that make it up (money at
// stake, how long the work has waited, a claim's timely-filing deadline, a
// broken payment promise, an overdue recall), each with the points it adds
// and a short text an agent can read. The score is a pure function of its
// inputs and the date, so it is recomputed whenever an input changes and
// two computations over the same inputs always agree.
//
// Reason texts never carry patient data: no names, contact details or
// dates, only amounts and day counts. Two dates are named: the visit an
// eligibility check is for ("visit on 2026-12-08 at 09:00 CST"), which
// the agent needs to ask the payer about and sees only on an item it
// owns, and the end of the benefit year when unused benefits run out
// ("$1,150 of benefits expire 2026-12-31"), a plan's date rather than the
// patient's.
//
// The weights are listed by Weights and explained in docs/priority.md; a
// test keeps the two in step.
package priority

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
)

// MaxScore is the highest score; a sum of reasons above it is capped.
const MaxScore = 1000

// DefaultTimelyFilingDays is the timely-filing limit assumed when the
// payer's own limit is not known. A year from the date of service is a
// common limit among dental payers, and Medicare's; several
// commercial payers allow only 90 or 180 days, so a practice that knows
// its payers' limits should record them.
const DefaultTimelyFilingDays = 365

// The reason codes.
const (
	// AmountAtStake is the money the work can recover: a claim's unpaid
	// insurance amount or a patient balance.
	AmountAtStake = "amount_at_stake"
	// Aging is how long the work's subject has waited (the aging bucket).
	Aging = "aging"
	// TimelyFiling is a claim's timely-filing deadline coming near.
	TimelyFiling = "timely_filing"
	// TimelyFilingPassed is a claim whose timely-filing deadline has passed.
	TimelyFilingPassed = "timely_filing_passed"
	// BrokenPromise is a promised payment that did not arrive.
	BrokenPromise = "broken_promise"
	// RecallOverdue is a recall past its due date and not scheduled.
	RecallOverdue = "recall_overdue"
	// TreatmentPortion is the estimated patient portion of unscheduled
	// treatment.
	TreatmentPortion = "treatment_portion"
	// VisitSoon is a visit whose coverage is not verified yet, the nearer
	// the more urgent.
	VisitSoon = "visit_soon"
	// BenefitsExpiring is insurance money the patient loses unless the
	// treatment is done before the benefit year ends: the year-end push.
	BenefitsExpiring = "benefits_expiring"
)

// NoLimit marks a band with no upper bound.
const NoLimit int64 = -1

// Weight is what one reason adds when its measure falls in a band. The
// measure depends on the reason: cents for AmountAtStake and
// TreatmentPortion, days old for Aging, days left before the deadline for
// TimelyFiling, days since the deadline for TimelyFilingPassed, days
// overdue for RecallOverdue, days until the visit for VisitSoon, days
// until the benefit year ends for BenefitsExpiring, and 1 for a
// BrokenPromise.
type Weight struct {
	Code   string
	Min    int64 // inclusive
	Max    int64 // inclusive, or NoLimit
	Points int
}

// Weights returns every band of every reason, in the order docs/priority.md
// lists them. A measure outside every band of its reason adds nothing (for
// example a balance 0–30 days old, or a deadline more than 180 days away).
func Weights() []Weight { return slices.Clone(weights) }

// weights is the single source of the points.
var weights = []Weight{
	{AmountAtStake, 5_000_00, NoLimit, 300},
	{AmountAtStake, 1_000_00, 4_999_99, 220},
	{AmountAtStake, 500_00, 999_99, 160},
	{AmountAtStake, 100_00, 499_99, 100},
	{AmountAtStake, 1, 99_99, 40},

	{Aging, 31, 60, 50},
	{Aging, 61, 90, 100},
	{Aging, 91, NoLimit, 150},

	{TimelyFiling, 0, 30, 300},
	{TimelyFiling, 31, 60, 200},
	{TimelyFiling, 61, 90, 120},
	{TimelyFiling, 91, 180, 50},
	{TimelyFilingPassed, 1, NoLimit, 100},

	{BrokenPromise, 1, 1, 150},

	{RecallOverdue, 1, 30, 40},
	{RecallOverdue, 31, 90, 80},
	{RecallOverdue, 91, 180, 120},
	{RecallOverdue, 181, NoLimit, 150},

	{TreatmentPortion, 2_000_00, NoLimit, 150},
	{TreatmentPortion, 500_00, 1_999_99, 100},
	{TreatmentPortion, 1, 499_99, 50},

	{VisitSoon, 0, 1, 300},
	{VisitSoon, 2, 3, 200},
	{VisitSoon, 4, 7, 120},
	{VisitSoon, 8, NoLimit, 60},

	{BenefitsExpiring, 0, 30, 250},
	{BenefitsExpiring, 31, 60, 150},
	{BenefitsExpiring, 61, 90, 80},
}

// points returns the points code adds for measure v, and whether a band
// matched.
func points(code string, v int64) (int, bool) {
	for _, w := range weights {
		if w.Code == code && v >= w.Min && (w.Max == NoLimit || v <= w.Max) {
			return w.Points, true
		}
	}
	return 0, false
}

// Inputs are the facts a work item's priority is computed from. Zero
// values mean "not known" or "does not apply" and add nothing.
type Inputs struct {
	// Kind is the item's kind of work.
	Kind policy.Kind
	// AmountCents is the money at stake: for a claim, what the payer has
	// not paid (billed minus paid); for a balance, what the patient owes.
	// Zero or negative (a credit) adds nothing.
	AmountCents int64
	// AgeDays is how long the subject has waited: days since a claim was
	// submitted, the age of a balance's oldest money (for bucketed
	// balances, the first day of the oldest non-empty bucket: 0, 31, 61
	// or 91), days since treatment was presented.
	AgeDays int
	// DateOfService is a claim's date of service; the timely-filing
	// deadline is counted from it. Used for claim follow-up only.
	DateOfService records.Date
	// TimelyFilingDays is the payer's timely-filing limit in days from the
	// date of service; zero means unknown, and DefaultTimelyFilingDays
	// applies.
	TimelyFilingDays int
	// PromiseBroken is set when the patient promised a payment by a date
	// that has passed without the payment.
	PromiseBroken bool
	// RecallOverdueDays is how many days an unscheduled recall is past its
	// due date.
	RecallOverdueDays int
	// TreatmentPortionCents is the estimated patient portion of treatment
	// presented and not scheduled.
	TreatmentPortionCents int64
	// Visit is when the visit an eligibility check is for starts, in the
	// practice's time zone; VisitInDays is how many days from today (the
	// practice's date) to the visit's date, 0 for today.
	Visit       time.Time
	VisitInDays int
	// BenefitsLeftCents is what the patient's plan has left of its annual
	// maximum, and BenefitsEnd the benefit year's last day, after which
	// it is lost: for unscheduled treatment only.
	BenefitsLeftCents int64
	BenefitsEnd       records.Date
}

// Reason is one part of a score: a stable code, the points it adds and a
// short text for people. Texts carry amounts and day counts, never patient
// data.
type Reason struct {
	Code   string `json:"code"`
	Points int    `json:"points"`
	Text   string `json:"text"`
}

// Result is a priority: Score (0 to MaxScore, higher is worked first) and
// the reasons that make it up, largest first (ties by code).
type Result struct {
	Score   int
	Reasons []Reason
}

// AgingBucket names the aging bucket of an age in days: "0-30", "31-60",
// "61-90" or "90+" (91 days and more). Negative ages count as 0.
func AgingBucket(days int) string {
	switch {
	case days <= 30:
		return "0-30"
	case days <= 60:
		return "31-60"
	case days <= 90:
		return "61-90"
	}
	return "90+"
}

// TimelyFilingDeadline returns the last day a claim with this date of
// service may be filed under a limit of limitDays (DefaultTimelyFilingDays
// when limitDays is not positive).
func TimelyFilingDeadline(dateOfService records.Date, limitDays int) records.Date {
	if limitDays <= 0 {
		limitDays = DefaultTimelyFilingDays
	}
	t := dateOfService.Time().AddDate(0, 0, limitDays)
	return records.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// Score computes the priority of in on the civil date today (the
// practice's date). The same inputs and date always give the same result.
func Score(in Inputs, today records.Date) Result {
	var rs []Reason
	add := func(code string, v int64, text string) {
		if p, ok := points(code, v); ok && p > 0 {
			rs = append(rs, Reason{Code: code, Points: p, Text: text})
		}
	}

	if in.AmountCents > 0 {
		var text string
		switch in.Kind {
		case policy.ClaimFollowup:
			text = Money(in.AmountCents) + " unpaid by the payer"
		case policy.BalanceFollowup:
			text = "balance of " + Money(in.AmountCents) + " at stake"
		default:
			text = Money(in.AmountCents) + " at stake"
		}
		add(AmountAtStake, in.AmountCents, text)
	}

	if in.AgeDays > 0 {
		add(Aging, int64(in.AgeDays), fmt.Sprintf("aged %s days (%s)", AgingBucket(in.AgeDays), plural(in.AgeDays, "day")))
	}

	if in.Kind == policy.ClaimFollowup && !in.DateOfService.IsZero() && !today.IsZero() {
		assumed := ""
		if in.TimelyFilingDays <= 0 {
			assumed = fmt.Sprintf(" (payer limit unknown, %d days assumed)", DefaultTimelyFilingDays)
		}
		left := daysBetween(today, TimelyFilingDeadline(in.DateOfService, in.TimelyFilingDays))
		switch {
		case left < 0:
			add(TimelyFilingPassed, int64(-left), fmt.Sprintf("timely-filing deadline passed %s ago%s: an appeal needs proof of timely filing", plural(-left, "day"), assumed))
		case left == 0:
			add(TimelyFiling, 0, "timely-filing deadline is today"+assumed)
		default:
			add(TimelyFiling, int64(left), fmt.Sprintf("timely-filing deadline in %s%s", plural(left, "day"), assumed))
		}
	}

	if in.PromiseBroken {
		add(BrokenPromise, 1, "promised payment not received")
	}

	if in.RecallOverdueDays > 0 {
		add(RecallOverdue, int64(in.RecallOverdueDays), fmt.Sprintf("recall overdue by %s", plural(in.RecallOverdueDays, "day")))
	}

	if in.TreatmentPortionCents > 0 {
		add(TreatmentPortion, in.TreatmentPortionCents, "estimated patient portion of "+Money(in.TreatmentPortionCents))
	}

	if in.Kind == policy.TreatmentFollowup && in.BenefitsLeftCents > 0 && !in.BenefitsEnd.IsZero() && !today.IsZero() {
		if left := daysBetween(today, in.BenefitsEnd); left >= 0 {
			add(BenefitsExpiring, int64(left), Money(in.BenefitsLeftCents)+" of benefits expire "+in.BenefitsEnd.String())
		}
	}

	if !in.Visit.IsZero() {
		add(VisitSoon, int64(max(0, in.VisitInDays)), "visit on "+in.Visit.Format(time.DateOnly)+" at "+in.Visit.Format("15:04 MST"))
	}

	slices.SortFunc(rs, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(a.Code, b.Code))
	})
	total := 0
	for _, r := range rs {
		total += r.Points
	}
	return Result{Score: min(total, MaxScore), Reasons: rs}
}

// Encode renders reasons as JSON for storage (the work item's
// priority_reasons column). No reasons encode as "[]".
func Encode(reasons []Reason) string {
	if len(reasons) == 0 {
		return "[]"
	}
	b, err := json.Marshal(reasons)
	if err != nil {
		// A slice of plain structs of strings and ints always marshals.
		panic(err)
	}
	return string(b)
}

// Decode parses reasons stored by Encode. An empty string is read as no
// reasons; fields added by later versions are ignored.
func Decode(s string) ([]Reason, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var rs []Reason
	if err := json.Unmarshal([]byte(s), &rs); err != nil {
		return nil, fmt.Errorf("priority reasons: %w", err)
	}
	return rs, nil
}

// Money formats cents as dollars with thousands separators, e.g.
// "$1,240.00" or "-$5.00".
func Money(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", uint64(-(cents+1))+1
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s$%s.%02d", sign, b.String(), u%100)
}

func daysBetween(a, b records.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
