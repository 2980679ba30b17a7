package practice

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/internal/api"
)

// coverageDay is one coming day's visits by where their verification
// stands, named as people say the day.
type coverageDay struct {
	api.CoverageDay
	Label      string // "Monday 9 March"
	Later      bool   // after the days verified now
	Weekend    bool
	Unverified int // visits not verified yet, whatever their standing
}

// coverage is the dashboard's verification section.
type coverage struct {
	Timezone       string
	CheckedThrough string // the last day verified now, as Label says it
	FreshDays      int
	Days           []coverageDay
	Visits         share // visits verified, of all the week's
}

// coverageOf lays the API's coverage out for the page.
func coverageOf(c api.Coverage) coverage {
	out := coverage{Timezone: c.Timezone, FreshDays: c.FreshDays, CheckedThrough: dayLabel(c.CheckedThrough)}
	for _, d := range c.Days {
		t, _ := time.Parse(time.DateOnly, d.Date)
		out.Days = append(out.Days, coverageDay{CoverageDay: d, Label: dayLabel(d.Date), Later: d.Date > c.CheckedThrough,
			Weekend:    t.Weekday() == time.Saturday || t.Weekday() == time.Sunday,
			Unverified: d.Visits - d.Verified})
		out.Visits.Done += d.Verified
		out.Visits.Total += d.Visits
	}
	return out
}

// dayLabel says a YYYY-MM-DD day as people do: "Monday 9 March".
func dayLabel(date string) string {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return date
	}
	return t.Format("Monday 2 January")
}

// inquiryRow is what a clearinghouse was asked about one kind of work.
type inquiryRow struct {
	api.Inquiries
	Spared share // answered without a call, of those answered
}

// inquiryRows are the summary's clearinghouse counts, eligibility checks
// first.
func inquiryRows(in []api.Inquiries) []inquiryRow {
	var out []inquiryRow
	for _, k := range []policy.Kind{policy.EligibilityCheck, policy.ClaimFollowup} {
		for _, n := range in {
			if n.Kind == k {
				out = append(out, inquiryRow{Inquiries: n, Spared: share{Done: n.WithoutCall, Total: n.Answered}})
			}
		}
	}
	return out
}
