package contact_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/stretchr/testify/require"
)

// utc builds an instant; the tests state every instant in UTC and give the
// New York wall clock in a comment, so no expectation relies on how the
// library resolves a local time that occurs twice or not at all.
func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

const ny = "America/New_York"

var (
	defaults = policy.DefaultContactRules() // 20:00–08:00, 3 a week, every channel, consent for texts
	patient  = contact.Facts{TimeZone: ny, PracticeTimeZone: ny, TextConsent: true}
	// Wednesday June 10 2026, 15:00 EDT.
	afternoon = utc(2026, 6, 10, 19, 0)
)

func withRules(f func(*policy.ContactRules)) policy.ContactRules {
	r := defaults
	r.Channels = append([]policy.Action(nil), defaults.Channels...)
	f(&r)
	return r
}

func withFacts(f func(*contact.Facts)) contact.Facts {
	p := patient
	f(&p)
	return p
}

type tcase struct {
	name    string
	rules   policy.ContactRules
	facts   contact.Facts
	channel policy.Action
	now     time.Time
	recent  []time.Time
	code    contact.Code // "" when allowed
	at      time.Time    // WorkableAt; zero means now when allowed, zero when held for good
	msg     string       // checked when set
}

func run(t *testing.T, tests []tcase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := contact.Check(tc.rules, tc.facts, tc.channel, tc.now, tc.recent)
			require.Equal(t, tc.code, v.Code, v.Message)
			require.Equal(t, tc.code == "", v.Allowed)
			require.NotEmpty(t, v.Message)
			want := tc.at
			if tc.code == "" && want.IsZero() {
				want = tc.now
			}
			require.True(t, want.Equal(v.WorkableAt), "workable at %s, want %s (%s)", v.WorkableAt, want, v.Message)
			if !v.WorkableAt.IsZero() {
				require.Equal(t, time.UTC, v.WorkableAt.Location())
			}
			if tc.msg != "" {
				require.Equal(t, tc.msg, v.Message)
			}
			if v.Held() {
				// Once workable, it is allowed (with the same contacts).
				again := contact.Check(tc.rules, tc.facts, tc.channel, v.WorkableAt, tc.recent)
				require.True(t, again.Allowed, "at WorkableAt: %s", again.Message)
			}
		})
	}
}

func TestRulesTimeDoesNotCure(t *testing.T) {
	t.Parallel()
	night := utc(2026, 6, 11, 7, 0) // 03:00 EDT
	full := []time.Time{afternoon.Add(-time.Hour), afternoon.Add(-2 * time.Hour), afternoon.Add(-3 * time.Hour), afternoon.Add(-4 * time.Hour)}
	dnc := withFacts(func(f *contact.Facts) { f.DoNotContact = true })
	noConsent := withFacts(func(f *contact.Facts) { f.TextConsent = false })
	callOnly := withRules(func(r *policy.ContactRules) { r.Channels = []policy.Action{policy.Call} })
	run(t, []tcase{
		{name: "do not contact: call", rules: defaults, facts: dnc, channel: policy.Call, now: afternoon, code: contact.DoNotContact,
			msg: "the patient asked not to be contacted"},
		{name: "do not contact: statement", rules: defaults, facts: dnc, channel: policy.Statement, now: afternoon, code: contact.DoNotContact},
		{name: "do not contact comes before channel", rules: callOnly, facts: dnc, channel: policy.Email, now: afternoon, code: contact.DoNotContact},
		{name: "channel not allowed", rules: callOnly, facts: patient, channel: policy.Email, now: afternoon, code: contact.ChannelNotAllowed,
			msg: `the practice does not allow contact by "email"`},
		{name: "unknown channel", rules: defaults, facts: patient, channel: "carrier_pigeon", now: afternoon, code: contact.ChannelNotAllowed},
		{name: "no channels allows no patient contact", rules: withRules(func(r *policy.ContactRules) { r.Channels = nil }), facts: patient, channel: policy.Call, now: afternoon, code: contact.ChannelNotAllowed},
		{name: "zero rules", rules: policy.ContactRules{}, facts: patient, channel: policy.Call, now: afternoon, code: contact.ChannelNotAllowed},
		{name: "text without consent", rules: defaults, facts: noConsent, channel: policy.Text, now: afternoon, code: contact.NoTextConsent,
			msg: "texts need the patient's consent, which is not on file"},
		{name: "text without consent, in quiet hours and over the cap", rules: defaults, facts: noConsent, channel: policy.Text, now: night, recent: full, code: contact.NoTextConsent},
		{name: "text channel not allowed comes before consent", rules: callOnly, facts: noConsent, channel: policy.Text, now: afternoon, code: contact.ChannelNotAllowed},
		{name: "text without consent, consent not required", rules: withRules(func(r *policy.ContactRules) { r.TextConsentRequired = false }), facts: noConsent, channel: policy.Text, now: afternoon},
		{name: "call without text consent", rules: defaults, facts: noConsent, channel: policy.Call, now: afternoon},
		{name: "no time zone at all: call", rules: defaults, facts: contact.Facts{}, channel: policy.Call, now: afternoon, code: contact.UnknownTimeZone},
		{name: "no valid time zone: text", rules: defaults, facts: contact.Facts{TimeZone: "Mars/Olympus", PracticeTimeZone: "Local", TextConsent: true}, channel: policy.Text, now: afternoon, code: contact.UnknownTimeZone},
		{name: "no time zone: email has no quiet hours", rules: defaults, facts: contact.Facts{}, channel: policy.Email, now: afternoon},
	})
}

// Payer contact and hand-backs to the practice are not patient contact.
func TestPayerExempt(t *testing.T) {
	t.Parallel()
	night := utc(2026, 6, 11, 7, 0) // 03:00 EDT
	full := []time.Time{night.Add(-time.Hour), night.Add(-2 * time.Hour), night.Add(-3 * time.Hour)}
	worst := contact.Facts{DoNotContact: true}
	none := policy.ContactRules{}
	var tests []tcase
	for _, ch := range []policy.Action{policy.PayerCall, policy.PayerPortal, policy.PracticeReview} {
		tests = append(tests,
			tcase{name: string(ch) + " at night, over the cap, do not contact", rules: defaults, facts: worst, channel: ch, now: night, recent: full},
			tcase{name: string(ch) + " under empty rules", rules: none, facts: worst, channel: ch, now: night,
				msg: "contact with the payer or the practice is not limited by patient contact rules"},
		)
		require.False(t, contact.Governed(ch), ch)
	}
	run(t, tests)
	for _, ch := range []policy.Action{policy.Call, policy.Text, policy.Email, policy.Statement, policy.FinalNotice, "anything"} {
		require.True(t, contact.Governed(ch), ch)
	}
}

func TestQuietHours(t *testing.T) {
	t.Parallel()
	lunch := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "12:00", "13:30" })
	night := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "22:00", "06:00" })
	la := withFacts(func(f *contact.Facts) { f.TimeZone = "America/Los_Angeles" })
	badZone := withFacts(func(f *contact.Facts) { f.TimeZone = "Not/AZone" })
	noZone := withFacts(func(f *contact.Facts) { f.TimeZone = "" })
	run(t, []tcase{
		{name: "19:59 allowed", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 6, 10, 23, 59)},
		{name: "20:00 starts quiet hours", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 0, 0), code: contact.QuietHours,
			at: utc(2026, 6, 11, 12, 0), msg: "quiet hours (20:00 to 08:00 in the patient's time zone); workable from Thu 08:00 in the patient's time zone"},
		{name: "23:30 across midnight", rules: defaults, facts: patient, channel: policy.Text, now: utc(2026, 6, 11, 3, 30), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0)},
		{name: "00:00", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 4, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0)},
		{name: "07:59:59.5", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 12, 0).Add(-500 * time.Millisecond), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0)},
		{name: "08:00 ends quiet hours", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 12, 0)},
		{name: "email is not held by quiet hours", rules: defaults, facts: patient, channel: policy.Email, now: utc(2026, 6, 11, 7, 0)},
		{name: "statement is not held by quiet hours", rules: defaults, facts: patient, channel: policy.Statement, now: utc(2026, 6, 11, 7, 0)},
		{name: "final notice is not held by quiet hours", rules: defaults, facts: patient, channel: policy.FinalNotice, now: utc(2026, 6, 11, 7, 0)},
		{name: "window within a day: 11:59", rules: lunch, facts: patient, channel: policy.Call, now: utc(2026, 6, 10, 15, 59)},
		{name: "window within a day: 12:00", rules: lunch, facts: patient, channel: policy.Call, now: utc(2026, 6, 10, 16, 0), code: contact.QuietHours, at: utc(2026, 6, 10, 17, 30)},
		{name: "window within a day: 13:30", rules: lunch, facts: patient, channel: policy.Call, now: utc(2026, 6, 10, 17, 30)},
		{name: "window within a day: 23:00", rules: lunch, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 3, 0)},
		{name: "22:00-06:00 at 05:00", rules: night, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 9, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 10, 0)},
		{name: "22:00-06:00 at 21:59", rules: night, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 1, 59)},
		// 21:00 in New York is 18:00 in Los Angeles.
		{name: "patient's own zone, not the practice's", rules: defaults, facts: la, channel: policy.Call, now: utc(2026, 6, 11, 1, 0)},
		// 10:00 in New York is 07:00 in Los Angeles: workable at 08:00 PDT.
		{name: "patient's zone still quiet", rules: defaults, facts: la, channel: policy.Call, now: utc(2026, 6, 11, 14, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 15, 0)},
		{name: "invalid patient zone falls back to the practice's", rules: defaults, facts: withFacts(func(f *contact.Facts) { f.TimeZone = "Not/AZone"; f.PracticeTimeZone = "America/Los_Angeles" }),
			channel: policy.Call, now: utc(2026, 6, 11, 14, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 15, 0)},
		{name: "missing patient zone falls back to the practice's", rules: defaults, facts: noZone, channel: policy.Call, now: utc(2026, 6, 11, 3, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0)},
		{name: "invalid patient zone, New York practice", rules: defaults, facts: badZone, channel: policy.Call, now: utc(2026, 6, 11, 3, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0)},
		{name: "unreadable quiet hours fall back to 20:00-08:00", rules: withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "8pm", "25:00" }),
			facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 3, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0),
			msg: "quiet hours (20:00 to 08:00 in the patient's time zone); workable from Thu 08:00 in the patient's time zone"},
		{name: "equal quiet hours fall back to 20:00-08:00", rules: withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "09:00", "09:00" }),
			facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 3, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0)},
		{name: "UTC patient", rules: defaults, facts: withFacts(func(f *contact.Facts) { f.TimeZone = "UTC" }), channel: policy.Call, now: utc(2026, 6, 11, 3, 0), code: contact.QuietHours, at: utc(2026, 6, 11, 8, 0)},
	})
}

// In 2026 New York springs forward on March 8 (02:00 EST becomes 03:00
// EDT, at 07:00 UTC) and falls back on November 1 (02:00 EDT becomes 01:00
// EST, at 06:00 UTC, so 01:00–01:59 happens twice).
func TestQuietHoursAcrossDST(t *testing.T) {
	t.Parallel()
	endInGap := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "22:00", "02:30" })
	startInGap := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "02:30", "06:00" })
	endInRepeat := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "22:00", "01:30" })
	endAtFallBack := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd = "22:00", "02:00" })
	run(t, []tcase{
		// Spring forward.
		{name: "spring: 22:00 EST to 08:00 EDT is 9 hours", rules: defaults, facts: patient, channel: policy.Call,
			now: utc(2026, 3, 8, 3, 0), code: contact.QuietHours, at: utc(2026, 3, 8, 12, 0),
			msg: "quiet hours (20:00 to 08:00 in the patient's time zone); workable from Sun 08:00 in the patient's time zone"},
		{name: "spring: 01:59 EST", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 3, 8, 6, 59), code: contact.QuietHours, at: utc(2026, 3, 8, 12, 0)},
		{name: "spring: 03:00 EDT", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 3, 8, 7, 0), code: contact.QuietHours, at: utc(2026, 3, 8, 12, 0)},
		{name: "spring: 19:59 EDT allowed", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 3, 8, 23, 59)},
		{name: "spring: 20:00 EDT held", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 3, 9, 0, 0), code: contact.QuietHours, at: utc(2026, 3, 9, 12, 0)},
		{name: "spring: end 02:30 never shown, workable at the jump (03:00 EDT)", rules: endInGap, facts: patient, channel: policy.Call,
			now: utc(2026, 3, 8, 6, 30), code: contact.QuietHours, at: utc(2026, 3, 8, 7, 0),
			msg: "quiet hours (22:00 to 02:30 in the patient's time zone); workable from Sun 03:00 in the patient's time zone"},
		{name: "spring: end in the gap, from 23:00 EST", rules: endInGap, facts: patient, channel: policy.Text, now: utc(2026, 3, 8, 4, 0), code: contact.QuietHours, at: utc(2026, 3, 8, 7, 0)},
		{name: "spring: end in the gap, 02:15 the next night", rules: endInGap, facts: patient, channel: policy.Call, now: utc(2026, 3, 9, 6, 15), code: contact.QuietHours, at: utc(2026, 3, 9, 6, 30)},
		{name: "spring: start in the gap, 01:59 EST allowed", rules: startInGap, facts: patient, channel: policy.Call, now: utc(2026, 3, 8, 6, 59)},
		{name: "spring: start in the gap, 03:00 EDT held to 06:00 EDT", rules: startInGap, facts: patient, channel: policy.Call, now: utc(2026, 3, 8, 7, 0), code: contact.QuietHours, at: utc(2026, 3, 8, 10, 0)},

		// Fall back.
		{name: "fall: 22:00 EDT to 08:00 EST is 11 hours", rules: defaults, facts: patient, channel: policy.Call,
			now: utc(2026, 11, 1, 2, 0), code: contact.QuietHours, at: utc(2026, 11, 1, 13, 0),
			msg: "quiet hours (20:00 to 08:00 in the patient's time zone); workable from Sun 08:00 in the patient's time zone"},
		{name: "fall: first 01:30 EDT", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 5, 30), code: contact.QuietHours, at: utc(2026, 11, 1, 13, 0)},
		{name: "fall: second 01:30 EST", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 6, 30), code: contact.QuietHours, at: utc(2026, 11, 1, 13, 0)},
		{name: "fall: 07:59 EST", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 12, 59), code: contact.QuietHours, at: utc(2026, 11, 1, 13, 0)},
		{name: "fall: 08:00 EST allowed", rules: defaults, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 13, 0)},
		{name: "fall: end 01:30, first 01:10 EDT", rules: endInRepeat, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 5, 10), code: contact.QuietHours, at: utc(2026, 11, 1, 5, 30)},
		{name: "fall: end 01:30, first 01:45 EDT allowed", rules: endInRepeat, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 5, 45)},
		{name: "fall: end 01:30, clock back to 01:00 EST is quiet again", rules: endInRepeat, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 6, 0), code: contact.QuietHours, at: utc(2026, 11, 1, 6, 30)},
		{name: "fall: end 01:30, second 01:10 EST", rules: endInRepeat, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 6, 10), code: contact.QuietHours, at: utc(2026, 11, 1, 6, 30)},
		{name: "fall: end 01:30, second 01:30 EST allowed", rules: endInRepeat, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 6, 30)},
		{name: "fall: end 02:00, the clock turns back before reaching it", rules: endAtFallBack, facts: patient, channel: policy.Call, now: utc(2026, 11, 1, 5, 30), code: contact.QuietHours, at: utc(2026, 11, 1, 7, 0)},
	})
}

func TestWeeklyCap(t *testing.T) {
	t.Parallel()
	now := afternoon // Wed 15:00 EDT
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	day := 24 * time.Hour
	one := withRules(func(r *policy.ContactRules) { r.MaxContactsPerWeek = 1 })
	run(t, []tcase{
		{name: "none", rules: defaults, facts: patient, channel: policy.Call, now: now},
		{name: "two of three", rules: defaults, facts: patient, channel: policy.Call, now: now, recent: []time.Time{ago(day), ago(2 * day)}},
		{name: "three of three: the oldest leaves in a day", rules: defaults, facts: patient, channel: policy.Email, now: now,
			recent: []time.Time{ago(day), ago(2 * day), ago(6 * day)}, code: contact.WeeklyCap, at: now.Add(day),
			msg: "weekly contact limit reached (3 in the past 7 days, at most 3); workable from Thu 15:00 in the patient's time zone"},
		{name: "oldest exactly 7 days ago no longer counts", rules: defaults, facts: patient, channel: policy.Call, now: now,
			recent: []time.Time{ago(day), ago(2 * day), ago(7 * day)}},
		{name: "oldest 7 days less a nanosecond ago still counts", rules: defaults, facts: patient, channel: policy.Call, now: now,
			recent: []time.Time{ago(day), ago(2 * day), ago(7*day - 1)}, code: contact.WeeklyCap, at: now.Add(1)},
		{name: "five of three, unordered: the third oldest must leave", rules: defaults, facts: patient, channel: policy.Statement, now: now,
			recent: []time.Time{ago(time.Hour), ago(6 * day), ago(2 * day), ago(5 * day), ago(3 * day)}, code: contact.WeeklyCap, at: now.Add(4 * day)},
		{name: "old and zero times are ignored", rules: defaults, facts: patient, channel: policy.Call, now: now,
			recent: []time.Time{{}, {}, ago(8 * day), ago(30 * day), ago(day), ago(2 * day)}},
		{name: "a contact recorded after now counts", rules: defaults, facts: patient, channel: policy.Call, now: now,
			recent: []time.Time{ago(day), ago(2 * day), now.Add(time.Minute)}, code: contact.WeeklyCap, at: ago(2 * day).Add(7 * day)},
		{name: "cap of one", rules: one, facts: patient, channel: policy.Call, now: now, recent: []time.Time{ago(time.Hour)}, code: contact.WeeklyCap, at: now.Add(7*day - time.Hour)},
		{name: "cap below one reads as the default of three", rules: withRules(func(r *policy.ContactRules) { r.MaxContactsPerWeek = 0 }), facts: patient, channel: policy.Call, now: now,
			recent: []time.Time{ago(day), ago(2 * day)}},
		{name: "cap below one, three contacts", rules: withRules(func(r *policy.ContactRules) { r.MaxContactsPerWeek = -4 }), facts: patient, channel: policy.Call, now: now,
			recent: []time.Time{ago(day), ago(2 * day), ago(3 * day)}, code: contact.WeeklyCap, at: now.Add(4 * day)},
		// The window is 168 hours, not seven calendar days: a contact at
		// 10:00 EST on March 5 leaves at 11:00 EDT on March 12.
		{name: "window across spring forward", rules: one, facts: patient, channel: policy.Call, now: utc(2026, 3, 10, 15, 0),
			recent: []time.Time{utc(2026, 3, 5, 15, 0)}, code: contact.WeeklyCap, at: utc(2026, 3, 12, 15, 0),
			msg: "weekly contact limit reached (1 in the past 7 days, at most 1); workable from Thu 11:00 in the patient's time zone"},
		{name: "no time zone: the time is given in UTC", rules: one, facts: contact.Facts{}, channel: policy.Email, now: now,
			recent: []time.Time{ago(time.Hour)}, code: contact.WeeklyCap, at: now.Add(7*day - time.Hour),
			msg: "weekly contact limit reached (1 in the past 7 days, at most 1); workable from Wed 18:00 UTC"},
	})
}

// When both quiet hours and the cap hold a contact, WorkableAt is the first
// moment both allow it; the code is the rule that holds it now.
func TestQuietHoursAndCapTogether(t *testing.T) {
	t.Parallel()
	one := withRules(func(r *policy.ContactRules) { r.MaxContactsPerWeek = 1 })
	run(t, []tcase{
		// Cap lifts at 22:00 EDT, inside quiet hours: workable at 08:00.
		{name: "cap lifts in quiet hours", rules: one, facts: patient, channel: policy.Call, now: afternoon,
			recent: []time.Time{utc(2026, 6, 4, 2, 0)}, code: contact.WeeklyCap, at: utc(2026, 6, 11, 12, 0),
			msg: "weekly contact limit reached (1 in the past 7 days, at most 1), and then quiet hours (20:00 to 08:00 in the patient's time zone); workable from Thu 08:00 in the patient's time zone"},
		// Now 23:00 EDT; the cap lifts at 09:00 EDT.
		{name: "quiet hours, then the cap", rules: one, facts: patient, channel: policy.Text, now: utc(2026, 6, 11, 3, 0),
			recent: []time.Time{utc(2026, 6, 4, 13, 0)}, code: contact.QuietHours, at: utc(2026, 6, 11, 13, 0),
			msg: "quiet hours (20:00 to 08:00 in the patient's time zone), and then weekly contact limit reached (1 in the past 7 days, at most 1); workable from Thu 09:00 in the patient's time zone"},
		// Now 23:00 EDT; the cap lifts at 03:00 EDT, before quiet hours end.
		{name: "cap lifts before quiet hours end", rules: one, facts: patient, channel: policy.Call, now: utc(2026, 6, 11, 3, 0),
			recent: []time.Time{utc(2026, 6, 4, 7, 0)}, code: contact.QuietHours, at: utc(2026, 6, 11, 12, 0),
			msg: "quiet hours (20:00 to 08:00 in the patient's time zone); workable from Thu 08:00 in the patient's time zone"},
		// An email is not held by quiet hours: workable when the cap lifts.
		{name: "email ignores quiet hours", rules: one, facts: patient, channel: policy.Email, now: afternoon,
			recent: []time.Time{utc(2026, 6, 4, 2, 0)}, code: contact.WeeklyCap, at: utc(2026, 6, 11, 2, 0)},
	})
}

// Over two days around each 2026 transition in New York and for several
// windows, WorkableAt is allowed and the moment just before it is not, and
// so is every sampled moment between now and WorkableAt: it is the
// earliest workable moment.
func TestWorkableAtIsEarliest(t *testing.T) {
	t.Parallel()
	windows := [][2]string{{"20:00", "08:00"}, {"22:00", "02:30"}, {"02:30", "06:00"}, {"22:00", "01:30"}, {"01:00", "02:00"}, {"00:00", "23:59"}, {"23:00", "03:00"}}
	for _, w := range windows {
		rules := withRules(func(r *policy.ContactRules) { r.QuietStart, r.QuietEnd, r.MaxContactsPerWeek = w[0], w[1], 2 })
		for _, from := range []time.Time{utc(2026, 3, 7, 12, 0), utc(2026, 10, 31, 12, 0)} {
			recent := []time.Time{from.Add(-6 * 24 * time.Hour), from.Add(-5*24*time.Hour - 7*time.Hour)}
			for now := from; now.Before(from.Add(48 * time.Hour)); now = now.Add(11 * time.Minute) {
				v := contact.Check(rules, patient, policy.Call, now, recent)
				if v.Allowed {
					require.True(t, v.WorkableAt.Equal(now))
					continue
				}
				require.True(t, v.Held(), "%s %s: %s", w, now, v.Message)
				require.True(t, contact.Check(rules, patient, policy.Call, v.WorkableAt, recent).Allowed, "%s %s: at %s", w, now, v.WorkableAt)
				require.False(t, contact.Check(rules, patient, policy.Call, v.WorkableAt.Add(-time.Nanosecond), recent).Allowed, "%s %s: before %s", w, now, v.WorkableAt)
				for s := now; s.Before(v.WorkableAt); s = s.Add(13 * time.Minute) {
					require.False(t, contact.Check(rules, patient, policy.Call, s, recent).Allowed, "%s %s: %s", w, now, s)
				}
			}
		}
	}
}

// Messages speak of rules and times, never of the patient.
func TestMessagesCarryNoPatientData(t *testing.T) {
	t.Parallel()
	f := contact.Facts{TimeZone: ny, PracticeTimeZone: ny, DoNotContact: true}
	for _, ch := range []policy.Action{policy.Call, policy.Text, policy.Email} {
		v := contact.Check(defaults, f, ch, afternoon, nil)
		require.False(t, strings.Contains(v.Message, ny), v.Message)
	}
}
