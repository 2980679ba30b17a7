package x271

import (
	"slices"
	"time"
)

// Coverage is whether the person's dental coverage is in force.
type Coverage int

// The coverage states a summary tells apart.
const (
	// Unknown: the answer carries no coverage status (EB01 1 to 8), as when
	// the payer rejected the request.
	Unknown Coverage = iota
	// Active: an EB01 of 1 to 5 (active coverage, capitated, or pending
	// investigation).
	Active
	// Inactive: EB01 6 to 8 and no active coverage.
	Inactive
)

// String names the state: "unknown", "active", "inactive".
func (c Coverage) String() string {
	switch c {
	case Active:
		return "active"
	case Inactive:
		return "inactive"
	}
	return "unknown"
}

// Summary is the dental view of one answer: what an office needs to know
// before a visit, in normalized form. Answer.Summary builds it; Lines and
// Problems put it in words.
type Summary struct {
	Coverage Coverage
	Plan     string // the plan's description (EB05 of the active coverage), else REF*18
	Group    string // the group number (REF*6P, else REF*1L)

	PlanBegin, PlanEnd               time.Time // zero when not sent
	EligibilityBegin, EligibilityEnd time.Time // zero when not sent
	// BenefitYear is the time period of the annual maximum, or else of the
	// deductible: 23 calendar year, 22 service (benefit) year; "" when the
	// payer did not say.
	BenefitYear string
	// AsOf is the date the payer answered: amounts left and services used
	// are as of this date.
	AsOf time.Time

	Coinsurance         []Share // EB01 A: the share the patient pays
	Deductible          Money   // EB01 C, individual, for the year
	DeductibleRemaining Money   // EB01 C with time period 29, or the year's less what was met (24)
	AnnualMax           Money   // EB01 F with an amount, for the year
	AnnualMaxRemaining  Money   // EB01 F with time period 29, or the year's less what was used (24)
	Frequencies         []Frequency
	NotCovered          []Scope // EB01 I or E, and inactive categories of an active plan
	// Unanswered are the categories the payer did not answer for: EB01 U
	// (ask the entity named) or V (cannot process).
	Unanswered         []Referral
	WaitingPeriods     []Waiting
	OtherPayers        []string // EB01 R: other or additional payers, by name (NM1 of the 2120 loop) and ID
	MissingToothClause bool     // a MSG or III text speaks of missing teeth
	Downgrades         []string // MSG texts about alternate benefits, such as composites paid as amalgam
	Notes              []string // other MSG and III texts, shortened, each once
	// Rejections are every AAA that bears on the answer: the payer's and
	// the provider's levels (Answer.Above), the person's, and the benefits'.
	Rejections []Rejection
}

// Share is what part of a category of care the patient pays.
type Share struct {
	Scope
	PatientPays Percent // EB08
	InNetwork   string  // EB12: Y in network, N out of network, W either, U unknown
}

// Frequency is how often the plan pays for a procedure or a category of
// care, with what has been used.
type Frequency struct {
	Scope
	// Allowed is how many services the plan pays for in each Period; 0
	// when the payer sent only what is used or left.
	Allowed int
	Period  Period
	Used    Count // services already paid in the period (EB09 99), or Allowed less Left
	Left    Count // services left in the period (EB06 29)
	// LastService is the latest date of service the payer knows of (DTP*304
	// in the benefit's loop); zero when not sent.
	LastService time.Time
	// NextEligible is the first day the plan pays for another service,
	// when that can be worked out: the day after the plan or calendar year
	// when the year's services are used up, or LastService plus the period
	// for one service every so many months or years. Zero when it is not
	// known, or when nothing stands in the way.
	NextEligible time.Time
}

// Period is a time period qualifier (X12 element 615) and how many of it.
type Period struct {
	Qualifier string // 22 service year, 23 calendar year, 32 lifetime, 34 month, 21 years, 35 week, 7 day
	Count     int    // how many; 1 when not sent
}

// Count is a number of services that a payer may or may not have sent.
type Count struct {
	N     int
	Known bool
}

// UsedUp reports whether the payer said no services are left in the
// period.
func (f Frequency) UsedUp() bool {
	return (f.Left.Known && f.Left.N <= 0) || (f.Allowed > 0 && f.Used.Known && f.Used.N >= f.Allowed)
}

// blocks reports whether the plan would not pay for another service on
// the day.
func (f Frequency) blocks(day time.Time) bool {
	if !f.NextEligible.IsZero() {
		return day.Before(f.NextEligible)
	}
	return f.UsedUp()
}

// Referral is a category of care the payer did not answer for, and whom
// to ask instead when it named someone.
type Referral struct {
	Scope
	Contact string // NM103 of the benefit's 2120 loop; "" when it named no one
}

// Waiting is a waiting period: a category of care the plan does not pay
// for until a date.
type Waiting struct {
	Scope
	// Until is the day benefits begin (DTP*348 in the benefit's loop, or a
	// date read from the MSG text); zero when the payer gave none.
	Until time.Time
	Text  string // the MSG text that told of it, shortened; "" when there was none
}

// blocks reports whether the waiting period still runs on the day.
func (w Waiting) blocks(day time.Time) bool {
	return w.Until.IsZero() || day.Before(w.Until)
}

// Summary builds the dental view of the answer.
func (a Answer) Summary() Summary {
	b := summarizer{s: Summary{
		Plan:             a.PlanName,
		Group:            a.GroupNumber,
		PlanBegin:        a.PlanBegin,
		PlanEnd:          a.PlanEnd,
		EligibilityBegin: a.EligibilityBegin,
		EligibilityEnd:   a.EligibilityEnd,
		AsOf:             a.Answered,
	}}
	if b.s.Plan == "" {
		b.s.Plan = a.PlanNumber
	}
	b.s.Rejections = append(slices.Clone(a.Above), a.Rejections...)
	if !a.BenefitBegin.IsZero() {
		b.addWaiting(Waiting{Until: a.BenefitBegin})
	}
	for _, eb := range a.Benefits {
		b.benefit(eb)
	}
	b.finish()
	return b.s
}

// ranked is a candidate amount and how much it is preferred (lower first).
type ranked struct {
	m    Money
	rank int
}

func (r *ranked) offer(m Money, rank int) {
	if !r.m.Known || rank < r.rank {
		r.m, r.rank = m, rank
	}
}

// fact is what one benefit says about the use of a frequency.
type fact struct {
	key    string
	scope  Scope
	period string // EB06, when it names the period the counts are for
	used   Count
	left   Count
	last   time.Time
}

type summarizer struct {
	s                     Summary
	active, inactive      bool
	planDesc, anyDesc     string
	ded, dedLeft, dedMet  ranked
	max, maxLeft, maxUsed ranked
	maxPeriod, dedPeriod  string
	inactiveScopes        []Scope
	facts                 []fact
}

func (b *summarizer) benefit(eb Benefit) {
	b.s.Rejections = append(b.s.Rejections, eb.Rejections...)
	if b.anyDesc == "" {
		b.anyDesc = eb.PlanDescription
	}
	scope := scopeOf(eb)
	switch eb.Info {
	case "1", "2", "3", "4", "5":
		b.active = true
		if b.planDesc == "" {
			b.planDesc = eb.PlanDescription
		}
		b.planDates(eb)
	case "6", "7", "8":
		b.inactive = true
		b.inactiveScopes = append(b.inactiveScopes, scope)
	case "A":
		if eb.Percent.Known {
			b.s.Coinsurance = append(b.s.Coinsurance, Share{Scope: scope, PatientPays: eb.Percent, InNetwork: eb.InNetwork})
		}
	case "C":
		b.amount(eb, &b.ded, &b.dedLeft, &b.dedMet, &b.dedPeriod)
	case "F", "D":
		if eb.Info == "F" {
			b.amount(eb, &b.max, &b.maxLeft, &b.maxUsed, &b.maxPeriod)
		}
		b.frequencies(eb, scope)
	case "I", "E":
		b.notCovered(scope)
	case "R":
		b.otherPayers(eb)
	case "U", "V":
		r := Referral{Scope: scope}
		for _, e := range eb.Entities {
			if e.Name != "" {
				r.Contact = e.Name
				break
			}
		}
		b.s.Unanswered = append(b.s.Unanswered, r)
	}
	if d, ok := eb.Date("348"); ok {
		b.addWaiting(Waiting{Scope: scope, Until: d.From})
	}
	b.texts(eb, scope)
}

// planDates fills plan dates the person level left out from the active
// coverage's loop, where some payers send them.
func (b *summarizer) planDates(eb Benefit) {
	for _, d := range eb.Dates {
		switch d.Qualifier {
		case "346":
			setIfZero(&b.s.PlanBegin, d.From)
		case "347":
			setIfZero(&b.s.PlanEnd, d.To)
		case "291":
			if d.To.After(d.From) {
				setIfZero(&b.s.PlanBegin, d.From)
				setIfZero(&b.s.PlanEnd, d.To)
			}
		}
	}
}

// amount offers a deductible or maximum to the year's amount, what is
// left, or what is used or met, by its time period. Only individual
// amounts for the whole plan count, in-network ones first: a family
// deductible or an orthodontic lifetime maximum is another matter.
func (b *summarizer) amount(eb Benefit, year, left, used *ranked, period *string) {
	if !eb.Amount.Known || (eb.CoverageLevel != "" && eb.CoverageLevel != "IND") || !scopeOf(eb).wholePlan() {
		return
	}
	rank := networkRank(eb.InNetwork)
	switch eb.TimePeriod {
	case "29":
		left.offer(eb.Amount, rank)
	case "24":
		used.offer(eb.Amount, rank)
	case "22", "23", "25", "":
		if !year.m.Known || rank < year.rank {
			*period = eb.TimePeriod
		}
		year.offer(eb.Amount, rank)
	}
}

func networkRank(in string) int {
	switch in {
	case "Y":
		return 0
	case "W", "":
		return 1
	case "U":
		return 2
	}
	return 3
}

// countable reports whether a quantity qualifier counts services.
func countable(q string) bool {
	switch q {
	case "VS", "FL", "P6", "":
		return true
	}
	return false
}

// frequencies reads the limits of a benefit: an HSD each, or the EB's own
// quantity; and what the benefit says about their use.
func (b *summarizer) frequencies(eb Benefit, scope Scope) {
	for _, h := range eb.Deliveries {
		n, ok := wholeNumber(h.Quantity)
		if !ok || !countable(h.QuantityQualifier) {
			continue
		}
		if n == 0 {
			// None allowed in any period: the plan does not pay for it.
			b.notCovered(scope)
			continue
		}
		b.s.Frequencies = append(b.s.Frequencies, Frequency{Scope: scope, Allowed: n, Period: deliveryPeriod(h, eb.TimePeriod)})
	}
	f := fact{key: scope.key(), scope: scope, period: eb.TimePeriod}
	if d, ok := eb.Date("304"); ok {
		f.last = d.To
	}
	if n, ok := wholeNumber(eb.Quantity); ok {
		switch {
		case eb.QuantityQualifier == "99":
			f.used = Count{N: n, Known: true}
		case eb.Info == "F" && eb.TimePeriod == "29" && countable(eb.QuantityQualifier):
			f.left = Count{N: n, Known: true}
		case eb.Info == "F" && len(eb.Deliveries) == 0 && countable(eb.QuantityQualifier) && !eb.Amount.Known:
			b.s.Frequencies = append(b.s.Frequencies, Frequency{Scope: scope, Allowed: n, Period: periodOf(eb.TimePeriod, "")})
		}
	}
	if f.used.Known || f.left.Known || !f.last.IsZero() {
		b.facts = append(b.facts, f)
	}
}

// deliveryPeriod reads the period of an HSD: HSD05 and HSD06, else a unit
// of time in HSD03 with HSD04 of them, else the EB's time period.
func deliveryPeriod(h Delivery, ebPeriod string) Period {
	if h.TimePeriod != "" {
		return periodOf(h.TimePeriod, h.Periods)
	}
	units := map[string]string{"DA": "7", "WK": "35", "MO": "34", "YR": "21"}
	if q, ok := units[h.Unit]; ok {
		return periodOf(q, h.UnitCount)
	}
	return periodOf(ebPeriod, "")
}

func periodOf(q, count string) Period {
	n, ok := wholeNumber(count)
	if !ok || n == 0 {
		n = 1
	}
	return Period{Qualifier: q, Count: n}
}

// otherPayers names the payers an EB01 R points to: the entities of its
// 2120 loop, else its plan description.
func (b *summarizer) otherPayers(eb Benefit) {
	named := false
	for _, e := range eb.Entities {
		if e.Name == "" {
			continue
		}
		n := e.Name
		if e.ID != "" && e.IDQualifier == "PI" {
			n += " (payer ID " + e.ID + ")"
		}
		b.s.OtherPayers = appendOnce(b.s.OtherPayers, n)
		named = true
	}
	if !named {
		n := eb.PlanDescription
		if n == "" {
			n = "another payer, not named"
		}
		b.s.OtherPayers = appendOnce(b.s.OtherPayers, n)
	}
}

func (b *summarizer) notCovered(scope Scope) {
	for _, s := range b.s.NotCovered {
		if s.key() == scope.key() {
			return
		}
	}
	b.s.NotCovered = append(b.s.NotCovered, scope)
}

func (b *summarizer) addWaiting(w Waiting) {
	for i, o := range b.s.WaitingPeriods {
		if o.key() == w.key() && (o.Until.Equal(w.Until) || w.Until.IsZero()) {
			if b.s.WaitingPeriods[i].Text == "" {
				b.s.WaitingPeriods[i].Text = w.Text
			}
			return
		}
		if o.key() == w.key() && o.Until.IsZero() {
			b.s.WaitingPeriods[i].Until = w.Until
			return
		}
	}
	b.s.WaitingPeriods = append(b.s.WaitingPeriods, w)
}

func (b *summarizer) finish() {
	s := &b.s
	switch {
	case b.active:
		s.Coverage = Active
		for _, sc := range b.inactiveScopes {
			if !sc.wholePlan() {
				b.notCovered(sc)
			}
		}
	case b.inactive:
		s.Coverage = Inactive
	}
	if b.planDesc != "" {
		s.Plan = b.planDesc
	} else if s.Plan == "" {
		s.Plan = b.anyDesc
	}
	s.Deductible, s.DeductibleRemaining = b.ded.m, remaining(b.ded.m, b.dedLeft.m, b.dedMet.m)
	s.AnnualMax, s.AnnualMaxRemaining = b.max.m, remaining(b.max.m, b.maxLeft.m, b.maxUsed.m)
	switch {
	case b.maxPeriod == "22" || b.maxPeriod == "23":
		s.BenefitYear = b.maxPeriod
	case b.dedPeriod == "22" || b.dedPeriod == "23":
		s.BenefitYear = b.dedPeriod
	}
	b.useFacts()
	for i := range s.Frequencies {
		s.Frequencies[i].NextEligible = s.nextEligible(s.Frequencies[i])
	}
}

// remaining is what is left: as sent, or the year's amount less what was
// used or met.
func remaining(year, left, used Money) Money {
	if left.Known || !year.Known || !used.Known {
		return left
	}
	return Money{Cents: max(0, year.Cents-used.Cents), Known: true}
}

// useFacts gives each frequency what the benefits said about its use:
// counts when they are for its period, and the latest date of service.
// Facts about a procedure or category with no limit of its own become a
// frequency of their own, so that a count left or a last visit is kept.
func (b *summarizer) useFacts() {
	s := &b.s
	for _, f := range b.facts {
		matched := false
		for i := range s.Frequencies {
			q := &s.Frequencies[i]
			if q.key() != f.key {
				continue
			}
			matched = true
			if f.last.After(q.LastService) {
				q.LastService = f.last
			}
			if f.period == "" || f.period == "29" || f.period == q.Period.Qualifier {
				if f.used.Known {
					q.Used = f.used
				}
				if f.left.Known {
					q.Left = f.left
				}
			}
		}
		if !matched {
			s.Frequencies = append(s.Frequencies, Frequency{Scope: f.scope, Used: f.used, Left: f.left, LastService: f.last})
		}
	}
	for i := range s.Frequencies {
		q := &s.Frequencies[i]
		switch {
		case q.Allowed > 0 && q.Left.Known && !q.Used.Known:
			q.Used = Count{N: max(0, q.Allowed-q.Left.N), Known: true}
		case q.Allowed > 0 && q.Used.Known && !q.Left.Known:
			q.Left = Count{N: max(0, q.Allowed-q.Used.N), Known: true}
		}
	}
}
