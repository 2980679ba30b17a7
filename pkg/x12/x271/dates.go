package x271

import "time"

// day is the calendar day of t, as midnight UTC, the way X12 dates are
// read.
func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// PlanYearEnd returns the last day of the benefit year that holds asOf:
// the day before the annual maximum resets. A calendar-year maximum (time
// period 23) resets after December 31. Otherwise the plan's end date is
// used when it falls within the coming year; a service-year plan without
// one resets on the anniversary of the plan's start; and failing all that,
// the calendar year is assumed, as most dental plans run on it.
func (s Summary) PlanYearEnd(asOf time.Time) time.Time {
	return s.yearEnd(s.BenefitYear, asOf)
}

func (s Summary) yearEnd(basis string, asOf time.Time) time.Time {
	asOf = day(asOf)
	calendar := time.Date(asOf.Year(), time.December, 31, 0, 0, 0, 0, time.UTC)
	if basis == "23" {
		return calendar
	}
	if !s.PlanEnd.IsZero() && !s.PlanEnd.Before(asOf) && s.PlanEnd.Before(asOf.AddDate(1, 0, 0)) {
		return s.PlanEnd
	}
	if basis == "22" && !s.PlanBegin.IsZero() {
		start := time.Date(asOf.Year(), s.PlanBegin.Month(), s.PlanBegin.Day(), 0, 0, 0, 0, time.UTC)
		if start.After(asOf) {
			start = start.AddDate(-1, 0, 0)
		}
		return start.AddDate(1, 0, -1)
	}
	return calendar
}

// yearBasis maps a frequency's time period to the benefit year it counts
// in: calendar (23) or plan (22); "" when it is not a yearly period.
func yearBasis(q string) string {
	switch q {
	case "23", "24":
		return "23"
	case "22", "25":
		return "22"
	}
	return ""
}

// nextEligible works out the first day another service is paid for. A
// yearly limit opens again the day after its year ends: the year of the
// answer when the counts say it is used up, or of the last service when
// the limit is one a year. A limit of one every so many months or years
// opens that long after the last service. Anything else (a lifetime
// limit, several services in a rolling window) has no date to give.
func (s Summary) nextEligible(f Frequency) time.Time {
	q := f.Period.Qualifier
	if basis := yearBasis(q); basis != "" {
		ref := time.Time{}
		switch {
		case f.UsedUp():
			ref = s.AsOf
			if ref.IsZero() {
				ref = f.LastService
			}
		case f.Allowed == 1 && !f.Used.Known && !f.Left.Known:
			ref = f.LastService
		}
		if ref.IsZero() {
			return time.Time{}
		}
		return s.yearEnd(basis, ref).AddDate(0, 0, 1)
	}
	if f.Allowed != 1 || f.LastService.IsZero() {
		return time.Time{}
	}
	n := f.Period.Count
	switch q {
	case "34":
		return addMonths(f.LastService, n)
	case "21":
		return addMonths(f.LastService, 12*n)
	case "35":
		return f.LastService.AddDate(0, 0, 7*n)
	case "7":
		return f.LastService.AddDate(0, 0, n)
	}
	return time.Time{}
}

// addMonths adds n months to t, keeping to the last day of a shorter
// month: August 31 and six months is the last day of February.
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC)
}
