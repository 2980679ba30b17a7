package scalebench_test

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// series is what one operation took, sample by sample, at one size: its
// time and the database round trips it made.
type series struct {
	op    string
	scope string // what the operation spans: an agent, a practice, the company
	took  []time.Duration
	trips []int64
}

// quantile is the nearest-rank q-quantile of the times.
func (s *series) quantile(q float64) time.Duration {
	if len(s.took) == 0 {
		return 0
	}
	t := slices.Clone(s.took)
	slices.Sort(t)
	i := int(float64(len(t))*q+0.999999) - 1
	return t[min(max(i, 0), len(t)-1)]
}

// medianTrips is the median of the round trips per sample.
func (s *series) medianTrips() int64 {
	if len(s.trips) == 0 {
		return 0
	}
	t := slices.Clone(s.trips)
	slices.Sort(t)
	return t[(len(t)-1)/2]
}

// meanTrips is the mean of the round trips per sample.
func (s *series) meanTrips() float64 {
	if len(s.trips) == 0 {
		return 0
	}
	return float64(s.totalTrips()) / float64(len(s.trips))
}

// totalTook and totalTrips add up every sample.
func (s *series) totalTook() (d time.Duration) {
	for _, x := range s.took {
		d += x
	}
	return d
}

func (s *series) totalTrips() (n int64) {
	for _, x := range s.trips {
		n += x
	}
	return n
}

// ms writes a duration in milliseconds with three significant figures.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// ratio writes a/b, or "—" without b.
func ratio(a, b float64) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", a/b)
}

// table writes rows as a Markdown table under head.
func table(head []string, rows [][]string) string {
	var sb strings.Builder
	line := func(cells []string) { sb.WriteString("| " + strings.Join(cells, " | ") + " |\n") }
	line(head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
	return sb.String()
}
