package scalebench_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/testenv/scale"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ReportVar names a file the measured tables are written to, in Markdown,
// besides the test log.
const ReportVar = "BACKDESK_SCALE_REPORT"

// Default sizes: small enough for every test run (about a minute on two
// cores), two of them so that the growth of each cost shows.
var defaultFractions = []float64{0.01, 0.02}

// samples is how many times each operation is measured at each size:
// fewer of the slow, company-wide ones.
var samples = sampling{agent: 40, board: 5, summary: 20, audit: 20, export: 3}

// TestCostsAsTheDataGrows loads the company at each size BACKDESK_SCALE
// names (1% and 2% by default), checks the plans of the lookups behind
// the operations, and measures each operation's p50, p99 and round trips.
// What an agent or a practice does must cost the same number of round
// trips however large the company is; times are reported, never judged.
func TestCostsAsTheDataGrows(t *testing.T) {
	fractions, err := scale.Fractions(defaultFractions...)
	require.NoError(t, err)
	var all []*results
	for _, f := range fractions {
		size := scale.At(f)
		t.Run(size.String(), func(t *testing.T) {
			b := open(t, size)
			// Measured first: checking the plans runs each operation
			// once, and its reconciler pass would restore the lost
			// routings the measured one is to find.
			r := b.measure(t, samples)
			all = append(all, r)
			t.Logf("%s\n%s", describe(r), sizeTable(r))
			t.Run("plans", b.checkPlans)
		})
	}
	if len(all) < 2 {
		writeReport(t, all)
		return
	}
	small, large := all[0], all[len(all)-1]
	t.Logf("\n%s", growthTable(small, large))
	writeReport(t, all)
	for _, s := range small.order {
		l := large.series(s.op, s.scope)
		if s.scope == perCompany || len(l.trips) == 0 || len(s.trips) == 0 {
			continue
		}
		// Round trips are counts, not times: the same on any machine. An
		// agent's or a practice's operation may differ by a round trip or
		// two with the items it meets (a claim's payer history), never
		// with the number of practices or agents in the company.
		assert.LessOrEqual(t, l.meanTrips(), s.meanTrips()+2,
			"%s: %.1f round trips on average at %s, %.1f at %s: an agent's or a practice's operation must not cost more as the company grows",
			s.op, l.meanTrips(), large.size, s.meanTrips(), small.size)
	}
}

// describe says what was loaded and how long it took.
func describe(r *results) string {
	s := r.size
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %d practices, %d patients, %d work items, %d audit events, %d agents; loaded in %v\n", s, s.Practices,
		s.Patients, s.Items, s.AuditEvents, s.Agents, r.loaded.Took.Round(time.Second))
	for _, st := range r.loaded.Steps {
		fmt.Fprintf(&sb, "  %-22s %10d rows  %v\n", st.Name, st.Rows, st.Took.Round(time.Millisecond))
	}
	return sb.String()
}

// sizeTable is every operation's figures at one size.
func sizeTable(r *results) string {
	var rows [][]string
	for _, s := range r.order {
		rows = append(rows, []string{s.op, fmt.Sprint(len(s.took)), ms(s.quantile(0.5)), ms(s.quantile(0.99)), fmt.Sprint(s.medianTrips())})
	}
	return table([]string{"operation (" + r.size.String() + ")", "samples", "p50 ms", "p99 ms", "round trips"}, rows)
}

// growthTable compares the largest size with the smallest.
func growthTable(small, large *results) string {
	var rows [][]string
	for _, s := range small.order {
		l := large.series(s.op, s.scope)
		if len(l.took) == 0 || len(s.took) == 0 {
			continue
		}
		rows = append(rows, []string{s.op, s.scope,
			ms(s.quantile(0.5)) + " → " + ms(l.quantile(0.5)), ratio(float64(l.quantile(0.5)), float64(s.quantile(0.5))),
			ms(s.quantile(0.99)) + " → " + ms(l.quantile(0.99)), ratio(float64(l.quantile(0.99)), float64(s.quantile(0.99))),
			fmt.Sprintf("%d → %d", s.medianTrips(), l.medianTrips())})
	}
	return table([]string{"operation", "spans", "p50 ms " + small.size.String() + " → " + large.size.String(), "ratio",
		"p99 ms", "ratio", "round trips"}, rows)
}

// writeReport writes every table to BACKDESK_SCALE_REPORT when it is set.
func writeReport(t *testing.T, all []*results) {
	path := os.Getenv(ReportVar)
	if path == "" {
		return
	}
	var sb strings.Builder
	for _, r := range all {
		sb.WriteString(describe(r) + "\n" + sizeTable(r) + "\n")
		if per := perPracticeTable(r); per != "" {
			sb.WriteString(per + "\n")
		}
	}
	if len(all) > 1 {
		sb.WriteString(growthTable(all[0], all[len(all)-1]))
	}
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
}

// background are the operations that run for the whole company in the
// background: the daily generation (one task per practice) and the
// reconciler's passes.
func background(s *series) bool {
	return s.op == generationOp || strings.HasPrefix(s.op, "reconciler")
}

// perPracticeTable spreads the background work over the practices: the
// generation of every practice in all, and one reconciler pass (the mean
// of its samples).
func perPracticeTable(r *results) string {
	var rows [][]string
	n := r.size.Practices
	for _, s := range r.order {
		if !background(s) || len(s.took) == 0 {
			continue
		}
		took, trips := s.totalTook(), s.totalTrips()
		if s.op != generationOp {
			took, trips = took/time.Duration(len(s.took)), trips/int64(len(s.trips))
		}
		rows = append(rows, []string{s.op, ms(took), fmt.Sprint(trips), ms(took / time.Duration(n)),
			fmt.Sprintf("%.1f", float64(trips)/float64(n))})
	}
	if len(rows) == 0 {
		return ""
	}
	return table([]string{"background work (" + r.size.String() + ", " + fmt.Sprint(n) + " practices)", "ms for the company",
		"round trips", "ms per practice", "round trips per practice"}, rows)
}
