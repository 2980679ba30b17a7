package policy_test

import (
	"encoding/json"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/stretchr/testify/require"
)

func TestDefaultsAreValid(t *testing.T) {
	t.Parallel()
	for _, k := range policy.Kinds {
		require.NoError(t, policy.Default(k).Validate(), k)
	}
	require.NoError(t, policy.DefaultContactRules().Validate())
}

func field(t *testing.T, err error) string {
	t.Helper()
	var ae *apperr.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, apperr.KindInvalid, ae.Kind)
	return ae.Field
}

func TestPolicyValidationNamesTheField(t *testing.T) {
	t.Parallel()
	mod := func(k policy.Kind, f func(*policy.Policy)) policy.Policy {
		p := policy.Default(k)
		p.Cadence = append([]policy.Step(nil), p.Cadence...)
		f(&p)
		return p
	}
	tests := []struct {
		name  string
		p     policy.Policy
		field string
	}{
		{"unknown kind", mod(policy.Recare, func(p *policy.Policy) { p.Kind = "fishing" }), "kind"},
		{"no steps", mod(policy.Recare, func(p *policy.Policy) { p.Cadence = nil }), "cadence"},
		{"negative offset", mod(policy.Recare, func(p *policy.Policy) { p.Cadence[0].OffsetDays = -1 }), "cadence[0].offset_days"},
		{"not increasing", mod(policy.BalanceFollowup, func(p *policy.Policy) { p.Cadence[2].OffsetDays = 7 }), "cadence[2].offset_days"},
		{"unknown action", mod(policy.Recare, func(p *policy.Policy) { p.Cadence[1].Action = "fax" }), "cadence[1].action"},
		{"texting about claims", mod(policy.ClaimFollowup, func(p *policy.Policy) { p.Cadence[1].Action = policy.Text }), "cadence[1].action"},
		{"sla zero", mod(policy.Recare, func(p *policy.Policy) { p.SLADays = 0 }), "sla_days"},
		{"horizon too far", mod(policy.Recare, func(p *policy.Policy) { p.MaxNextContactDays = 400 }), "max_next_contact_days"},
		{"claim threshold", mod(policy.ClaimFollowup, func(p *policy.Policy) { p.Thresholds.ClaimUnpaidDays = 0 }), "thresholds.claim_unpaid_days"},
		{"balance minimum", mod(policy.BalanceFollowup, func(p *policy.Policy) { p.Thresholds.BalanceMinCents = -5 }), "thresholds.balance_min_cents"},
		{"recall window", mod(policy.Recare, func(p *policy.Policy) { p.Thresholds.RecallDueWithinDays = 0 }), "thresholds.recall_due_within_days"},
		{"treatment wait", mod(policy.TreatmentFollowup, func(p *policy.Policy) { p.Thresholds.TreatmentUnscheduledDays = 999 }), "thresholds.treatment_unscheduled_days"},
		{"verify no days ahead", mod(policy.EligibilityCheck, func(p *policy.Policy) { p.Thresholds.EligibilityDaysAhead = 0 }), "thresholds.eligibility_days_ahead"},
		{"verify too far ahead", mod(policy.EligibilityCheck, func(p *policy.Policy) { p.Thresholds.EligibilityDaysAhead = 21 }), "thresholds.eligibility_days_ahead"},
		{"verification never fresh", mod(policy.EligibilityCheck, func(p *policy.Policy) { p.Thresholds.EligibilityFreshDays = -1 }), "thresholds.eligibility_fresh_days"},
		{"verification fresh too long", mod(policy.EligibilityCheck, func(p *policy.Policy) { p.Thresholds.EligibilityFreshDays = 181 }), "thresholds.eligibility_fresh_days"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.field, field(t, tc.p.Validate()), tc.name)
	}
}

func TestContactRulesValidation(t *testing.T) {
	t.Parallel()
	mod := func(f func(*policy.ContactRules)) policy.ContactRules {
		c := policy.DefaultContactRules()
		f(&c)
		return c
	}
	tests := []struct {
		c     policy.ContactRules
		field string
	}{
		{mod(func(c *policy.ContactRules) { c.QuietStart = "8pm" }), "quiet_start"},
		{mod(func(c *policy.ContactRules) { c.QuietEnd = "24:00" }), "quiet_end"},
		{mod(func(c *policy.ContactRules) { c.QuietEnd = c.QuietStart }), "quiet_end"},
		{mod(func(c *policy.ContactRules) { c.MaxContactsPerWeek = 0 }), "max_contacts_per_week"},
		{mod(func(c *policy.ContactRules) { c.Channels = nil }), "channels"},
		{mod(func(c *policy.ContactRules) { c.Channels = []policy.Action{policy.Call, policy.PayerCall} }), "channels[1]"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.field, field(t, tc.c.Validate()))
	}
}

func TestEligibilityDefaults(t *testing.T) {
	t.Parallel()
	ahead, fresh := policy.Default(policy.EligibilityCheck).Thresholds.Eligibility()
	require.Equal(t, 3, ahead, "three business days ahead")
	require.Equal(t, 30, fresh, "a verification stays good for 30 days")

	// A policy stored before the settings existed reads with the defaults.
	var stored policy.Policy
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"eligibility_check","thresholds":{},"cadence":[{"offset_days":0,"action":"payer_portal"}],"sla_days":1,"max_next_contact_days":7}`), &stored))
	ahead, fresh = stored.Thresholds.Eligibility()
	require.Equal(t, []int{3, 30}, []int{ahead, fresh})

	custom := policy.Thresholds{EligibilityDaysAhead: 5, EligibilityFreshDays: 60}
	ahead, fresh = custom.Eligibility()
	require.Equal(t, []int{5, 60}, []int{ahead, fresh})

	var ae *apperr.Error
	require.ErrorAs(t, stored.Validate(), &ae, "but saving it again needs them")
	require.Equal(t, "thresholds.eligibility_days_ahead", ae.Field)
	require.Contains(t, ae.Message, "between 1 and 20")
}
