package work_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

var (
	chicago, _ = time.LoadLocation("America/Chicago")
	// 03:00 UTC on June 10 is still June 9 in Chicago.
	now = time.Date(2026, 6, 10, 3, 0, 0, 0, time.UTC)
)

func d(y int, m time.Month, day int) records.Date { return records.Date{Year: y, Month: m, Day: day} }

func TestBalanceThreshold(t *testing.T) {
	t.Parallel()
	th := policy.Default(policy.BalanceFollowup).Thresholds // $50, 30 days
	tests := []struct {
		name string
		b    records.Balance
		want bool
	}{
		{"small", records.Balance{TotalCents: 4999, AgedOver90Cents: 4999}, false},
		{"all current", records.Balance{TotalCents: 20000, Aged0To30Cents: 20000}, false},
		{"some past 30", records.Balance{TotalCents: 20000, Aged0To30Cents: 15000, Aged31To60Cents: 5000}, true},
		{"credit", records.Balance{TotalCents: -500}, false},
		{"no aging, old statement", records.Balance{TotalCents: 9000, LastStatementDate: d(2026, 5, 1)}, true},
		{"no aging, recent statement", records.Balance{TotalCents: 9000, LastStatementDate: d(2026, 5, 20)}, false},
		{"no aging, no statement", records.Balance{TotalCents: 9000}, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, work.BalanceNeedsWork(tc.b, th, now, chicago), tc.name)
	}
	th.BalanceMinAgeDays = 90
	require.False(t, work.BalanceNeedsWork(records.Balance{TotalCents: 9000, Aged61To90Cents: 9000}, th, now, chicago))
	require.True(t, work.BalanceNeedsWork(records.Balance{TotalCents: 9000, AgedOver90Cents: 1}, th, now, chicago))
}

func TestClaimThreshold(t *testing.T) {
	t.Parallel()
	th := policy.Thresholds{ClaimUnpaidDays: 30}
	base := records.Claim{BilledCents: 10000, Status: records.ClaimSubmitted}
	with := func(f func(*records.Claim)) records.Claim { c := base; f(&c); return c }
	tests := []struct {
		name string
		c    records.Claim
		want bool
	}{
		{"submitted 30 days ago in practice time", with(func(c *records.Claim) { c.SubmittedDate = d(2026, 5, 10) }), true},
		{"submitted 29 days ago", with(func(c *records.Claim) { c.SubmittedDate = d(2026, 5, 11) }), false},
		{"paid", with(func(c *records.Claim) { c.SubmittedDate = d(2026, 1, 1); c.Status = records.ClaimPaid }), false},
		{"paid in full but status stale", with(func(c *records.Claim) { c.SubmittedDate = d(2026, 1, 1); c.PaidCents = 10000 }), false},
		{"denied long ago", with(func(c *records.Claim) { c.SubmittedDate = d(2026, 1, 1); c.Status = records.ClaimDenied }), true},
		{"no submission date: date of service", with(func(c *records.Claim) { c.DateOfService = d(2026, 4, 1) }), true},
		{"no dates at all", base, false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, work.ClaimNeedsWork(tc.c, th, now, chicago), tc.name)
	}
}

func TestRecallAndTreatmentThresholds(t *testing.T) {
	t.Parallel()
	rt := policy.Thresholds{RecallDueWithinDays: 30}
	require.True(t, work.RecallNeedsWork(records.Recall{DueDate: d(2026, 7, 9)}, rt, now, chicago), "due in 30 days")
	require.False(t, work.RecallNeedsWork(records.Recall{DueDate: d(2026, 7, 10)}, rt, now, chicago), "due in 31 days")
	require.True(t, work.RecallNeedsWork(records.Recall{DueDate: d(2025, 12, 1)}, rt, now, chicago), "overdue")
	require.False(t, work.RecallNeedsWork(records.Recall{DueDate: d(2025, 12, 1), Scheduled: true}, rt, now, chicago))

	tt := policy.Thresholds{TreatmentUnscheduledDays: 14}
	require.True(t, work.TreatmentNeedsWork(records.TreatmentPlan{PresentedDate: d(2026, 5, 26)}, tt, now, chicago))
	require.False(t, work.TreatmentNeedsWork(records.TreatmentPlan{PresentedDate: d(2026, 5, 27)}, tt, now, chicago))
	require.False(t, work.TreatmentNeedsWork(records.TreatmentPlan{PresentedDate: d(2026, 1, 1), Scheduled: true}, tt, now, chicago))
}
