package work_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

func TestEachKindIsOfferedItsOwnOutcomesAndChannels(t *testing.T) {
	t.Parallel()
	for _, k := range policy.Kinds {
		outs := work.KindOutcomes(k)
		require.NotEmpty(t, outs, k)
		for _, o := range outs {
			require.Contains(t, work.Outcomes, o, "%s offers only outcomes an agent may log", k)
		}
		for _, ch := range work.KindChannels(k) {
			require.Contains(t, work.Channels, ch, "%s offers only channels an agent may log", k)
		}
	}
	require.NotContains(t, work.KindOutcomes(policy.ClaimFollowup), work.PromisedPayment, "payers make no promises to agents")
	require.Contains(t, work.KindOutcomes(policy.ClaimFollowup), work.StatusReceived)
	require.NotContains(t, work.KindOutcomes(policy.Recare), work.StatusReceived, "patients give no claim status")
	require.Contains(t, work.KindChannels(policy.ClaimFollowup), work.ByPayerCall)
	require.NotContains(t, work.KindChannels(policy.ClaimFollowup), work.ByText, "the patient is not contacted for claim work")
	require.NotContains(t, work.KindChannels(policy.BalanceFollowup), work.ByPayerCall)
	require.True(t, work.Paid.Finishes())
	require.False(t, work.Voicemail.Finishes())
}
