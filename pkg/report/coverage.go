package report

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/work"
)

// Coverage is how the insurance of a practice's coming visits stands,
// day by day in the practice's time zone: what a practice admin checks
// before the week starts. It holds counts, never patient data.
type Coverage struct {
	PracticeID string    `json:"practice_id"`
	Timezone   string    `json:"timezone"` // IANA name; the days are its days
	At         time.Time `json:"at"`
	// CheckedThrough is the last day whose visits are verified now; the
	// visits after it are checked as they come within the policy's
	// business days ahead.
	CheckedThrough string        `json:"checked_through"`
	FreshDays      int           `json:"fresh_days"` // how long a verification stays good
	Days           []CoverageDay `json:"days"`
}

// CoverageDay counts one day's visits by where the verification of their
// patient's coverage stands. Each visit counts once, in the first that
// applies: Verified (resolved within FreshDays), Asked (waiting for the
// clearinghouse's answer), WithAgents (an agent verifies it: the answer
// needed a person, or nobody asks a clearinghouse for the practice), or
// NotChecked (no verification yet).
type CoverageDay struct {
	Date       string `json:"date"` // YYYY-MM-DD
	Visits     int    `json:"visits"`
	Verified   int    `json:"verified"`
	Asked      int    `json:"asked"`
	WithAgents int    `json:"with_agents"`
	NotChecked int    `json:"not_checked"`
}

// Standing is where a patient's verification stands, as the store reads
// it.
type Standing int

// Where a patient's verification stands, from least to most settled: a
// visit counts under the most settled of its patient's checks.
const (
	NotChecked Standing = iota
	WithAgents
	Asked
	Verified
)

// Visit is one coming visit and where its patient's verification stands.
type Visit struct {
	StartsAt time.Time
	Standing Standing
}

// CoverageStorer reads the visits a coverage report counts.
type CoverageStorer interface {
	// Visits reads practiceID's visits still to happen that start in
	// [from, to), each with the standing of its patient's eligibility
	// checks: unfinished ones, and ones resolved since freshSince.
	Visits(ctx context.Context, practiceID string, from, to, freshSince time.Time) ([]Visit, error)
}

// MaxCoverageDays bounds how far ahead a coverage report looks.
const MaxCoverageDays = 31

// Coverage counts practiceID's visits of days days from the practice's
// today (loc), under its eligibility policy: checks made daysAhead
// business days ahead and good for freshDays. A store without visits
// (CoverageStorer) counts none.
func (s *Service) Coverage(ctx context.Context, practiceID string, now time.Time, loc *time.Location, days, daysAhead, freshDays int) (Coverage, error) {
	y, m, d := now.In(loc).Date()
	first := time.Date(y, m, d, 0, 0, 0, 0, loc)
	c := Coverage{PracticeID: practiceID, Timezone: loc.String(), At: now.UTC(), FreshDays: freshDays, Days: make([]CoverageDay, days)}
	_, through := work.VisitWindow(now, loc, daysAhead)
	c.CheckedThrough = through.Add(-time.Hour).In(loc).Format(time.DateOnly)
	for i := range c.Days {
		c.Days[i].Date = first.AddDate(0, 0, i).Format(time.DateOnly)
	}
	vs, ok := s.store.(CoverageStorer)
	if !ok {
		return c, nil
	}
	visits, err := vs.Visits(ctx, practiceID, now, first.AddDate(0, 0, days), now.AddDate(0, 0, -freshDays))
	if err != nil {
		return Coverage{}, err
	}
	index := make(map[string]int, days)
	for i, day := range c.Days {
		index[day.Date] = i
	}
	for _, v := range visits {
		i, ok := index[v.StartsAt.In(loc).Format(time.DateOnly)]
		if !ok {
			continue
		}
		day := &c.Days[i]
		day.Visits++
		switch v.Standing {
		case Verified:
			day.Verified++
		case Asked:
			day.Asked++
		case WithAgents:
			day.WithAgents++
		default:
			day.NotChecked++
		}
	}
	return c, nil
}
