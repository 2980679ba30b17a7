package work_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

// The outcome table: each outcome either finishes the item or must carry
// a next contact date that is not past and within the policy's limit; the
// wrong combination is refused with the field named.
func TestOutcomeValidation(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	pol := policy.Default(policy.BalanceFollowup) // at most 45 days ahead
	at := func(d time.Duration) *time.Time { v := now.Add(d); return &v }
	day := 24 * time.Hour
	cases := []struct {
		name  string
		in    work.OutcomeInput
		state work.State
		field string
	}{
		{"voicemail with a date", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Voicemail, NextContactAt: at(3 * day), Version: 1}, work.Waiting, ""},
		{"voicemail without a date", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Voicemail, Version: 1}, "", "next_contact_at"},
		{"a date in the past", work.OutcomeInput{Channel: work.ByCall, Outcome: work.NoAnswer, NextContactAt: at(-day), Version: 1}, "", "next_contact_at"},
		{"a date past the policy", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Reached, NextContactAt: at(46 * day), Version: 1}, "", "next_contact_at"},
		{"at the policy's limit", work.OutcomeInput{Channel: work.ByText, Outcome: work.Reached, NextContactAt: at(45 * day), Version: 1}, work.Waiting, ""},
		{"paid resolves", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Paid, Version: 1}, work.Resolved, ""},
		{"scheduled resolves", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Scheduled, Version: 1}, work.Resolved, ""},
		{"declined closes", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Declined, Version: 1}, work.Closed, ""},
		{"a finishing outcome takes no date", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Paid, NextContactAt: at(day), Version: 1}, "", "next_contact_at"},
		{"a promise needs its amount", work.OutcomeInput{Channel: work.ByCall, Outcome: work.PromisedPayment, NextContactAt: at(7 * day), Version: 1}, "", "promised_cents"},
		{"a promise with its amount", work.OutcomeInput{Channel: work.ByCall, Outcome: work.PromisedPayment, NextContactAt: at(7 * day), PromisedCents: 5000, Version: 1}, work.Waiting, ""},
		{"unknown channel", work.OutcomeInput{Channel: "fax", Outcome: work.Sent, NextContactAt: at(day), Version: 1}, "", "channel"},
		{"unknown outcome", work.OutcomeInput{Channel: work.ByCall, Outcome: "maybe", NextContactAt: at(day), Version: 1}, "", "outcome"},
		{"paid with its amount", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Paid, PaidCents: 12000, Version: 1}, work.Resolved, ""},
		{"a negative payment", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Paid, PaidCents: -1, Version: 1}, "", "paid_cents"},
		{"a payment on a voicemail", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Voicemail, NextContactAt: at(day), PaidCents: 100, Version: 1}, "", "paid_cents"},
		{"no version", work.OutcomeInput{Channel: work.ByCall, Outcome: work.Voicemail, NextContactAt: at(day)}, "", "version"},
	}
	for _, c := range cases {
		state, err := c.in.Apply(pol, now)
		if c.field == "" {
			require.NoError(t, err, c.name)
			require.Equal(t, c.state, state, c.name)
			continue
		}
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae, c.name)
		require.Equal(t, c.field, ae.Field, c.name)
	}
}
