package x271

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/x12/codes"
)

const dateLayout = "2006-01-02"

// Lines puts the summary in plain words for the person who reads the
// verification, one fact a line: coverage, plan and eligibility dates,
// rejections, deductible, annual maximum, what the patient pays,
// frequencies, what is not covered or not answered for, other payers,
// waiting periods that still run on asOf, the missing tooth clause,
// downgrades and notes.
func (s Summary) Lines(asOf time.Time) []string {
	asOf = day(asOf)
	var out []string
	add := func(l string) { out = append(out, capitalize(l)) }

	add(s.coverageLine())
	if l := s.planDatesLine(asOf); l != "" {
		add(l)
	}
	if l := s.eligibilityLine(asOf); l != "" {
		add(l)
	}
	for _, r := range s.Rejections {
		add(r.String())
	}
	if l := s.deductibleLine(); l != "" {
		add(l)
	}
	if l := s.maximumLine(asOf); l != "" {
		add(l)
	}
	for _, c := range s.Coinsurance {
		add(c.Words() + ": patient pays " + c.PatientPays.String() + networkWords(c.InNetwork))
	}
	for _, f := range s.Frequencies {
		add(f.words(asOf, false))
	}
	for _, sc := range s.NotCovered {
		add(sc.Words() + ": not covered")
	}
	for _, r := range s.Unanswered {
		add(r.words())
	}
	for _, p := range s.OtherPayers {
		add("Other payer: " + p)
	}
	for _, w := range s.WaitingPeriods {
		if w.blocks(asOf) {
			add(w.words())
		}
	}
	if s.MissingToothClause {
		add("Missing tooth clause applies")
	}
	for _, d := range s.Downgrades {
		add("Downgrade: " + d)
	}
	for _, n := range s.Notes {
		add("Note: " + n)
	}
	return out
}

// Problems returns, in words, every reason a person must look at this
// verification before a visit on the day with the planned CDT procedures:
// coverage that is not active, any rejection, plan or eligibility dates
// that leave the visit out, an annual maximum used up, a planned procedure
// that is not a CDT code, not covered or not answered for, a frequency
// used up for it, a waiting period that still runs for it, the missing
// tooth clause for a prosthodontic procedure, and a downgrade that may
// apply to it. Empty means the verification is clear.
func (s Summary) Problems(planned []string, visit time.Time) []string {
	visit = day(visit)
	var out []string
	add := func(p string) { out = appendOnce(out, capitalize(p)) }

	switch s.Coverage {
	case Unknown:
		add("Coverage not confirmed: the payer sent no coverage status")
	case Inactive:
		add("Coverage inactive")
	}
	for _, r := range s.Rejections {
		add(r.String())
	}
	for _, d := range []struct {
		date   time.Time
		before bool // a problem when the visit is before the date, else after it
		words  string
	}{
		{s.PlanBegin, true, "Plan begins %s, after the visit"},
		{s.EligibilityBegin, true, "Eligibility begins %s, after the visit"},
		{s.PlanEnd, false, "Plan ends %s, before the visit"},
		{s.EligibilityEnd, false, "Eligibility ends %s, before the visit"},
	} {
		if !d.date.IsZero() && ((d.before && visit.Before(d.date)) || (!d.before && visit.After(d.date))) {
			add(strings.Replace(d.words, "%s", d.date.Format(dateLayout), 1))
		}
	}
	if len(planned) > 0 && s.AnnualMaxRemaining.Known && s.AnnualMaxRemaining.Cents <= 0 {
		ref := s.AsOf
		if ref.IsZero() {
			ref = visit
		}
		if reset := s.PlanYearEnd(ref).AddDate(0, 0, 1); visit.Before(reset) {
			add("Annual maximum used up: " + s.AnnualMaxRemaining.String() + " left until " + reset.Format(dateLayout))
		}
	}
	seen := map[string]bool{}
	for _, p := range planned {
		code := strings.ToUpper(strings.TrimSpace(p))
		if code == "" || seen[code] {
			continue
		}
		seen[code] = true
		for _, msg := range s.procedureProblems(code, visit) {
			add(msg)
		}
	}
	return out
}

func (s Summary) procedureProblems(code string, visit time.Time) []string {
	stc, ok := codes.ProcedureServiceType(code)
	if !ok {
		return []string{code + " is not a CDT code; check its benefits by hand"}
	}
	var out []string
	for _, sc := range s.NotCovered {
		if sc.Covers(code) {
			out = append(out, sc.Words()+" not covered (planned "+code+")")
		}
	}
	for _, r := range s.Unanswered {
		if r.Covers(code) {
			out = append(out, r.words()+" (planned "+code+")")
		}
	}
	for _, f := range s.Frequencies {
		if f.Covers(code) && f.blocks(visit) {
			out = append(out, f.words(visit, true))
		}
	}
	for _, w := range s.WaitingPeriods {
		if w.Covers(code) && w.blocks(visit) {
			out = append(out, w.words())
		}
	}
	if s.MissingToothClause && stc == "39" {
		out = append(out, "Missing tooth clause applies to planned "+code)
	}
	for _, d := range s.Downgrades {
		if downgradeCovers(d, code) {
			out = append(out, "Downgrade may apply to planned "+code+": "+d)
		}
	}
	return out
}

func (s Summary) coverageLine() string {
	var l string
	switch s.Coverage {
	case Active:
		l = "Coverage active"
	case Inactive:
		l = "Coverage inactive"
	default:
		return "Coverage unknown: the payer sent no coverage status"
	}
	var parts []string
	if s.Plan != "" {
		parts = append(parts, s.Plan)
	}
	if s.Group != "" {
		parts = append(parts, "group "+s.Group)
	}
	if len(parts) > 0 {
		l += ": " + strings.Join(parts, ", ")
	}
	return l
}

func (s Summary) planDatesLine(asOf time.Time) string {
	b, e := s.PlanBegin, s.PlanEnd
	switch {
	case !b.IsZero() && !e.IsZero():
		return "Plan dates " + b.Format(dateLayout) + " to " + e.Format(dateLayout)
	case !b.IsZero():
		return tense("Plan", "began", "begins", b, asOf)
	case !e.IsZero():
		return tense("Plan", "ended", "ends", e, asOf)
	}
	return ""
}

// eligibilityLine tells the end of the person's eligibility, or its start
// when that is still to come.
func (s Summary) eligibilityLine(asOf time.Time) string {
	switch {
	case !s.EligibilityEnd.IsZero():
		return tense("Eligibility", "ended", "ends", s.EligibilityEnd, asOf)
	case s.EligibilityBegin.After(asOf):
		return "Eligibility begins " + s.EligibilityBegin.Format(dateLayout)
	}
	return ""
}

// tense writes "Plan began 2026-01-01" for a day before asOf, and
// "Plan begins 2027-01-01" for asOf or a day after it.
func tense(subject, past, present string, d, asOf time.Time) string {
	verb := present
	if d.Before(asOf) {
		verb = past
	}
	return subject + " " + verb + " " + d.Format(dateLayout)
}

func (s Summary) deductibleLine() string {
	switch {
	case s.Deductible.Known && s.DeductibleRemaining.Known:
		return "Deductible " + s.Deductible.String() + ", " + s.DeductibleRemaining.String() + " left this year"
	case s.Deductible.Known:
		return "Deductible " + s.Deductible.String()
	case s.DeductibleRemaining.Known:
		return "Deductible: " + s.DeductibleRemaining.String() + " left this year"
	}
	return ""
}

func (s Summary) maximumLine(asOf time.Time) string {
	if !s.AnnualMax.Known && !s.AnnualMaxRemaining.Known {
		return ""
	}
	resets := ", resets " + s.PlanYearEnd(asOf).AddDate(0, 0, 1).Format(dateLayout)
	switch {
	case s.AnnualMax.Known && s.AnnualMaxRemaining.Known:
		return "Annual maximum " + s.AnnualMax.String() + ", " + s.AnnualMaxRemaining.String() + " left" + resets
	case s.AnnualMax.Known:
		return "Annual maximum " + s.AnnualMax.String() + resets
	}
	return "Annual maximum: " + s.AnnualMaxRemaining.String() + " left" + resets
}

func networkWords(in string) string {
	switch in {
	case "Y":
		return " in network"
	case "N":
		return " out of network"
	}
	return ""
}

// words says what a frequency allows and what is used, such as
// "2 of 2 cleanings used this year, next eligible 2027-01-01". The next
// eligible date is given when it is after now. As a problem, the next
// date is set off with a semicolon, and the last date of service is left
// out when the counts say enough.
func (f Frequency) words(now time.Time, problem bool) string {
	noun := func(n int) string { return f.noun(n) }
	sep := ", "
	if problem {
		sep = "; "
	}
	q := f.Period.Qualifier
	var l string
	switch {
	case f.Allowed == 0 && f.Left.Known:
		l = strconv.Itoa(f.Left.N) + " " + noun(f.Left.N) + " left" + periodSuffix(q)
	case f.Allowed == 0 && f.Used.Known:
		l = strconv.Itoa(f.Used.N) + " " + noun(f.Used.N) + " used" + periodSuffix(q)
	case f.Allowed == 0:
		l = "last " + f.noun(1) + " " + f.LastService.Format(dateLayout)
	case f.Used.Known && (yearBasis(q) != "" || q == "32" || q == "33"):
		l = strconv.Itoa(f.Used.N) + " of " + strconv.Itoa(f.Allowed) + " " + f.noun(f.Allowed) + " used" + periodSuffix(q)
	default:
		l = strconv.Itoa(f.Allowed) + " " + noun(f.Allowed) + " " + periodWords(f.Period)
		if f.Used.Known {
			l += ", " + strconv.Itoa(f.Used.N) + " used"
		}
	}
	if f.Allowed > 0 && !f.LastService.IsZero() && !(problem && f.Used.Known) {
		l += ", last " + f.LastService.Format(dateLayout)
	}
	switch {
	case !f.NextEligible.IsZero() && f.NextEligible.After(now):
		l += sep + "next eligible " + f.NextEligible.Format(dateLayout)
	case f.NextEligible.IsZero() && f.UsedUp():
		if q == "32" || q == "33" {
			l += sep + "no more in the patient's lifetime"
		} else {
			l += sep + "next eligible date unknown"
		}
	}
	return l
}

// periodSuffix closes a sentence about use: "used this year".
func periodSuffix(q string) string {
	switch {
	case yearBasis(q) != "":
		return " this year"
	case q == "32" || q == "33":
		return " (lifetime)"
	}
	return ""
}

// periodWords says how often: "per calendar year", "every 6 months".
func periodWords(p Period) string {
	every := func(unit string) string {
		if p.Count == 1 {
			return "every " + unit
		}
		return "every " + strconv.Itoa(p.Count) + " " + unit + "s"
	}
	switch p.Qualifier {
	case "23", "24":
		return "per calendar year"
	case "22":
		return "per benefit year"
	case "25":
		return "per contract year"
	case "32", "33":
		return "per lifetime"
	case "34":
		return every("month")
	case "21":
		return every("year")
	case "35":
		return every("week")
	case "7":
		return every("day")
	case "27":
		return "per visit"
	}
	return "allowed"
}

func (r Referral) words() string {
	l := r.Words() + ": the payer cannot answer here"
	if r.Contact != "" {
		l += "; ask " + r.Contact
	}
	return l
}

func (w Waiting) words() string {
	if w.Until.IsZero() {
		return "Waiting period for " + w.Words() + ": " + w.Text
	}
	return "Waiting period for " + w.Words() + " until " + w.Until.Format(dateLayout)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsUpper(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
