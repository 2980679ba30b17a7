package workqueue

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

func TestTheCadenceSuggestsTheNextContact(t *testing.T) {
	t.Parallel()
	p := policy.Policy{Cadence: []policy.Step{{OffsetDays: 0, Action: policy.Call}, {OffsetDays: 5, Action: policy.Text},
		{OffsetDays: 5, Action: policy.Call}}, MaxNextContactDays: 3}
	now := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC) // still 3 Dec in Chicago
	require.Equal(t, "2026-12-06", nextContactDefault(p, 0, now, "America/Chicago"), "five days, within the limit of three")
	require.Equal(t, "2026-12-04", nextContactDefault(p, 1, now, "America/Chicago"), "at least a day")
	require.Empty(t, nextContactDefault(p, 2, now, "America/Chicago"), "no step left")
}

func TestTheClaimIsTheItemsOwnAsProjected(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	it := work.Detail{SubjectType: string(work.SubjectClaim), SubjectNumber: "CLM-2"}
	patient := map[string]any{"claims": []access.ClaimView{
		{ClaimID: "CLM-1", PayerName: "Other"},
		{ClaimID: "CLM-2", PayerName: "Delta Dental", DateOfService: "2026-09-01", SubmittedDate: "2026-09-04", BilledCents: 900, PaidCents: 100},
	}}
	c := claimOf(it, patient, now)
	require.NotNil(t, c)
	require.Equal(t, "Delta Dental", c.PayerName)
	require.Equal(t, 91, c.DaysOutstanding, "since submission")
	require.Nil(t, claimOf(it, map[string]any{}, now), "no claim where the field set leaves the claims out")
	require.Nil(t, claimOf(work.Detail{SubjectType: "balance"}, patient, now))
}
