package priority_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/stretchr/testify/require"
)

func d(y int, m time.Month, day int) records.Date { return records.Date{Year: y, Month: m, Day: day} }

var today = d(2026, 6, 10)

// dosLeft returns the date of service whose deadline under limit is n days
// after today (negative: passed).
func dosLeft(n, limit int) records.Date {
	t := today.Time().AddDate(0, 0, n-limit)
	return d(t.Year(), t.Month(), t.Day())
}

func TestScore(t *testing.T) {
	t.Parallel()
	type r = priority.Reason
	tests := []struct {
		name  string
		in    priority.Inputs
		score int
		want  []r
	}{
		{"nothing known", priority.Inputs{Kind: policy.EligibilityCheck}, 0, nil},
		{"credit balance", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: -5000}, 0, nil},
		{"one cent", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: 1}, 40,
			[]r{{priority.AmountAtStake, 40, "balance of $0.01 at stake"}}},
		{"band edge $99.99", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: 99_99}, 40,
			[]r{{priority.AmountAtStake, 40, "balance of $99.99 at stake"}}},
		{"band edge $100.00", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: 100_00}, 100,
			[]r{{priority.AmountAtStake, 100, "balance of $100.00 at stake"}}},
		{"band edge $4,999.99", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: 4_999_99}, 220,
			[]r{{priority.AmountAtStake, 220, "balance of $4,999.99 at stake"}}},
		{"band edge $5,000.00", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: 5_000_00}, 300,
			[]r{{priority.AmountAtStake, 300, "balance of $5,000.00 at stake"}}},
		{"aged 30 days adds nothing", priority.Inputs{Kind: policy.BalanceFollowup, AgeDays: 30}, 0, nil},
		{"aged 31 days", priority.Inputs{Kind: policy.BalanceFollowup, AgeDays: 31}, 50,
			[]r{{priority.Aging, 50, "aged 31-60 days (31 days)"}}},
		{"aged 90 days", priority.Inputs{Kind: policy.BalanceFollowup, AgeDays: 90}, 100,
			[]r{{priority.Aging, 100, "aged 61-90 days (90 days)"}}},
		{"aged 91 days", priority.Inputs{Kind: policy.BalanceFollowup, AgeDays: 91}, 150,
			[]r{{priority.Aging, 150, "aged 90+ days (91 days)"}}},
		{"balance with broken promise", priority.Inputs{Kind: policy.BalanceFollowup, AmountCents: 85_00, AgeDays: 40, PromiseBroken: true}, 240,
			[]r{
				{priority.BrokenPromise, 150, "promised payment not received"},
				{priority.Aging, 50, "aged 31-60 days (40 days)"},
				{priority.AmountAtStake, 40, "balance of $85.00 at stake"},
			}},
		{"claim, deadline in 12 days", priority.Inputs{Kind: policy.ClaimFollowup, AmountCents: 1_240_00, AgeDays: 74, DateOfService: dosLeft(12, 180), TimelyFilingDays: 180}, 620,
			[]r{
				{priority.TimelyFiling, 300, "timely-filing deadline in 12 days"},
				{priority.AmountAtStake, 220, "$1,240.00 unpaid by the payer"},
				{priority.Aging, 100, "aged 61-90 days (74 days)"},
			}},
		{"claim, deadline today", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(0, 90), TimelyFilingDays: 90}, 300,
			[]r{{priority.TimelyFiling, 300, "timely-filing deadline is today"}}},
		{"claim, deadline in 1 day", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(1, 90), TimelyFilingDays: 90}, 300,
			[]r{{priority.TimelyFiling, 300, "timely-filing deadline in 1 day"}}},
		{"claim, deadline in 30 days", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(30, 90), TimelyFilingDays: 90}, 300,
			[]r{{priority.TimelyFiling, 300, "timely-filing deadline in 30 days"}}},
		{"claim, deadline in 31 days", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(31, 90), TimelyFilingDays: 90}, 200,
			[]r{{priority.TimelyFiling, 200, "timely-filing deadline in 31 days"}}},
		{"claim, deadline in 61 days", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(61, 90), TimelyFilingDays: 90}, 120,
			[]r{{priority.TimelyFiling, 120, "timely-filing deadline in 61 days"}}},
		{"claim, deadline in 180 days", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(180, 365), TimelyFilingDays: 365}, 50,
			[]r{{priority.TimelyFiling, 50, "timely-filing deadline in 180 days"}}},
		{"claim, deadline in 181 days adds nothing", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(181, 365), TimelyFilingDays: 365}, 0, nil},
		{"claim, deadline passed", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(-5, 90), TimelyFilingDays: 90}, 100,
			[]r{{priority.TimelyFilingPassed, 100, "timely-filing deadline passed 5 days ago: an appeal needs proof of timely filing"}}},
		{"claim, unknown limit: 365 days assumed", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: dosLeft(20, 365)}, 300,
			[]r{{priority.TimelyFiling, 300, "timely-filing deadline in 20 days (payer limit unknown, 365 days assumed)"}}},
		{"claim, unknown limit, date of service 100 days ago", priority.Inputs{Kind: policy.ClaimFollowup, DateOfService: d(2026, 3, 2)}, 0, nil},
		{"claim, no date of service", priority.Inputs{Kind: policy.ClaimFollowup, TimelyFilingDays: 90}, 0, nil},
		{"date of service ignored outside claims", priority.Inputs{Kind: policy.BalanceFollowup, DateOfService: dosLeft(5, 90), TimelyFilingDays: 90}, 0, nil},
		{"recall overdue 1 day", priority.Inputs{Kind: policy.Recare, RecallOverdueDays: 1}, 40,
			[]r{{priority.RecallOverdue, 40, "recall overdue by 1 day"}}},
		{"recall overdue 200 days", priority.Inputs{Kind: policy.Recare, RecallOverdueDays: 200}, 150,
			[]r{{priority.RecallOverdue, 150, "recall overdue by 200 days"}}},
		{"recall not yet due", priority.Inputs{Kind: policy.Recare, RecallOverdueDays: -10}, 0, nil},
		{"treatment", priority.Inputs{Kind: policy.TreatmentFollowup, TreatmentPortionCents: 1_200_00, AgeDays: 45}, 150,
			[]r{
				{priority.TreatmentPortion, 100, "estimated patient portion of $1,200.00"},
				{priority.Aging, 50, "aged 31-60 days (45 days)"},
			}},
		{"ties are ordered by code", priority.Inputs{Kind: policy.TreatmentFollowup, AmountCents: 100_00, AgeDays: 70, TreatmentPortionCents: 500_00}, 300,
			[]r{
				{priority.Aging, 100, "aged 61-90 days (70 days)"},
				{priority.AmountAtStake, 100, "$100.00 at stake"},
				{priority.TreatmentPortion, 100, "estimated patient portion of $500.00"},
			}},
		{"capped at 1000", priority.Inputs{Kind: policy.ClaimFollowup, AmountCents: 9_000_00, AgeDays: 200, DateOfService: dosLeft(3, 90), TimelyFilingDays: 90,
			PromiseBroken: true, RecallOverdueDays: 400, TreatmentPortionCents: 3_000_00}, 1000,
			[]r{
				{priority.AmountAtStake, 300, "$9,000.00 unpaid by the payer"},
				{priority.TimelyFiling, 300, "timely-filing deadline in 3 days"},
				{priority.Aging, 150, "aged 90+ days (200 days)"},
				{priority.BrokenPromise, 150, "promised payment not received"},
				{priority.RecallOverdue, 150, "recall overdue by 400 days"},
				{priority.TreatmentPortion, 150, "estimated patient portion of $3,000.00"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := priority.Score(tc.in, today)
			require.Equal(t, tc.score, got.Score)
			require.Equal(t, tc.want, got.Reasons)
			require.Equal(t, got, priority.Score(tc.in, today), "deterministic")
		})
	}
}

// The score rises as a claim's deadline nears and never falls while the
// deadline is ahead.
func TestTimelyFilingRisesAsDeadlineNears(t *testing.T) {
	t.Parallel()
	in := priority.Inputs{Kind: policy.ClaimFollowup, AmountCents: 300_00, DateOfService: d(2025, 9, 1), TimelyFilingDays: 365}
	deadline := priority.TimelyFilingDeadline(in.DateOfService, in.TimelyFilingDays)
	require.Equal(t, d(2026, 9, 1), deadline)
	prev := -1
	for day := d(2025, 12, 1); day != deadline; {
		s := priority.Score(in, day).Score
		require.GreaterOrEqual(t, s, prev, "%s", day)
		prev = s
		n := day.Time().AddDate(0, 0, 1)
		day = d(n.Year(), n.Month(), n.Day())
	}
	require.Equal(t, 400, priority.Score(in, deadline).Score, "highest on the last day")
	require.Equal(t, 200, priority.Score(in, d(2026, 9, 2)).Score, "lower once passed")
}

func TestTimelyFilingDeadline(t *testing.T) {
	t.Parallel()
	require.Equal(t, d(2027, 1, 15), priority.TimelyFilingDeadline(d(2026, 1, 15), 365))
	require.Equal(t, d(2027, 1, 15), priority.TimelyFilingDeadline(d(2026, 1, 15), 0), "default")
	require.Equal(t, d(2028, 2, 29), priority.TimelyFilingDeadline(d(2027, 3, 1), 365), "leap year")
	require.Equal(t, d(2026, 4, 15), priority.TimelyFilingDeadline(d(2026, 1, 15), 90))
}

func TestAgingBucket(t *testing.T) {
	t.Parallel()
	for days, want := range map[int]string{-3: "0-30", 0: "0-30", 30: "0-30", 31: "31-60", 60: "31-60", 61: "61-90", 90: "61-90", 91: "90+", 1000: "90+"} {
		require.Equal(t, want, priority.AgingBucket(days), "%d", days)
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{
		0: "$0.00", 5: "$0.05", 1_240_00: "$1,240.00", 99_999_99: "$99,999.99", 1_000_000_00: "$1,000,000.00",
		-5_00: "-$5.00", -9223372036854775808: "-$92,233,720,368,547,758.08",
	} {
		require.Equal(t, want, priority.Money(cents), "%d", cents)
	}
}

func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		reasons []priority.Reason
		stored  string
	}{
		{"none", nil, `[]`},
		{"empty", []priority.Reason{}, `[]`},
		{"two", []priority.Reason{{"timely_filing", 300, "timely-filing deadline in 12 days"}, {"amount_at_stake", 220, "$1,240.00 unpaid by the payer"}},
			`[{"code":"timely_filing","points":300,"text":"timely-filing deadline in 12 days"},{"code":"amount_at_stake","points":220,"text":"$1,240.00 unpaid by the payer"}]`},
	}
	for _, tc := range tests {
		got := priority.Encode(tc.reasons)
		require.Equal(t, tc.stored, got, tc.name)
		back, err := priority.Decode(got)
		require.NoError(t, err, tc.name)
		require.Len(t, back, len(tc.reasons), tc.name)
		if len(tc.reasons) > 0 {
			require.Equal(t, tc.reasons, back, tc.name)
		}
	}

	rs, err := priority.Decode("")
	require.NoError(t, err)
	require.Empty(t, rs)
	rs, err = priority.Decode(`[{"code":"aging","points":50,"text":"aged 31-60 days (40 days)","since":"v2"}]`)
	require.NoError(t, err, "fields from later versions are ignored")
	require.Equal(t, []priority.Reason{{"aging", 50, "aged 31-60 days (40 days)"}}, rs)
	for _, bad := range []string{`{`, `{"code":"aging"}`, `[{"points":"many"}]`, `null x`} {
		_, err := priority.Decode(bad)
		require.Error(t, err, bad)
	}

	// Round trip of a real result.
	res := priority.Score(priority.Inputs{Kind: policy.ClaimFollowup, AmountCents: 77_00, AgeDays: 95, DateOfService: dosLeft(40, 90), TimelyFilingDays: 90}, today)
	back, err := priority.Decode(priority.Encode(res.Reasons))
	require.NoError(t, err)
	require.Equal(t, res.Reasons, back)
}

// Texts carry amounts and day counts only: never a calendar date, which
// for a patient's service would be protected health information.
func TestReasonTextsHaveNoDates(t *testing.T) {
	t.Parallel()
	in := priority.Inputs{Kind: policy.ClaimFollowup, AmountCents: 1_000_00, AgeDays: 200, DateOfService: d(2025, 7, 1), TimelyFilingDays: 365,
		PromiseBroken: true, RecallOverdueDays: 12, TreatmentPortionCents: 50_00}
	for _, r := range priority.Score(in, today).Reasons {
		for _, s := range []string{"2025", "2026", "07-01", "7/1", "July"} {
			require.NotContains(t, r.Text, s, r.Code)
		}
		require.NotEmpty(t, strings.TrimSpace(r.Text))
	}
}

// Bands of one reason must not overlap, or a measure's points would depend
// on the order of the bands.
func TestWeightBandsDoNotOverlap(t *testing.T) {
	t.Parallel()
	for i, a := range priority.Weights() {
		require.Positive(t, a.Points, a.Code)
		require.True(t, a.Max == priority.NoLimit || a.Max >= a.Min, "%+v", a)
		for _, b := range priority.Weights()[i+1:] {
			if a.Code != b.Code {
				continue
			}
			aMax, bMax := a.Max, b.Max
			if aMax == priority.NoLimit {
				aMax = 1 << 62
			}
			if bMax == priority.NoLimit {
				bMax = 1 << 62
			}
			require.True(t, aMax < b.Min || bMax < a.Min, "%+v overlaps %+v", a, b)
		}
	}
}

// An eligibility check's reason names its visit in the practice's zone,
// and rises as the visit nears.
func TestVisitSoon(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	visit := time.Date(2026, 12, 8, 9, 0, 0, 0, la)
	score := func(days int) priority.Result {
		return priority.Score(priority.Inputs{Kind: policy.EligibilityCheck, Visit: visit, VisitInDays: days}, today)
	}
	res := score(1)
	require.Equal(t, []priority.Reason{{Code: priority.VisitSoon, Points: 300, Text: "visit on 2026-12-08 at 09:00 PST"}}, res.Reasons)
	require.Equal(t, 300, res.Score)
	require.Equal(t, 300, score(0).Score, "today")
	require.Equal(t, 200, score(3).Score)
	require.Equal(t, 120, score(4).Score)
	require.Equal(t, 60, score(12).Score)
	require.Equal(t, 300, score(-1).Score, "a visit already begun counts as today")
	require.Empty(t, priority.Score(priority.Inputs{Kind: policy.EligibilityCheck}, today).Reasons, "no visit, no reason")
}

// The year-end push: treatment left unscheduled while the plan still has
// money for the year rises as the benefit year's end nears, and says how
// much and when; nothing is added once the year is over or nothing is
// left, or for other kinds of work.
func TestBenefitsExpiringRaiseUnscheduledTreatment(t *testing.T) {
	today := records.Date{Year: 2026, Month: 12, Day: 5}
	end := records.Date{Year: 2026, Month: 12, Day: 31}
	in := priority.Inputs{Kind: policy.TreatmentFollowup, BenefitsLeftCents: 1150_00, BenefitsEnd: end}
	r := priority.Score(in, today)
	if len(r.Reasons) != 1 || r.Reasons[0].Code != priority.BenefitsExpiring || r.Reasons[0].Points != 250 ||
		r.Reasons[0].Text != "$1,150.00 of benefits expire 2026-12-31" {
		t.Fatalf("26 days before the year ends: %+v", r.Reasons)
	}
	if got := priority.Score(in, records.Date{Year: 2026, Month: 10, Day: 15}).Score; got != 80 {
		t.Errorf("77 days before: %d points, want 80", got)
	}
	for name, c := range map[string]struct {
		in  priority.Inputs
		day records.Date
	}{
		"the year is over":     {in, records.Date{Year: 2027, Month: 1, Day: 2}},
		"more than 90 days":    {in, records.Date{Year: 2026, Month: 9, Day: 1}},
		"nothing left":         {priority.Inputs{Kind: policy.TreatmentFollowup, BenefitsEnd: end}, today},
		"no answer yet":        {priority.Inputs{Kind: policy.TreatmentFollowup, BenefitsLeftCents: 1150_00}, today},
		"another kind of work": {priority.Inputs{Kind: policy.Recare, BenefitsLeftCents: 1150_00, BenefitsEnd: end}, today},
	} {
		if got := priority.Score(c.in, c.day); got.Score != 0 {
			t.Errorf("%s: %+v, want nothing", name, got)
		}
	}
}
