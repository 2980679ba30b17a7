package message_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/stretchr/testify/require"
)

func TestTheDefaultTemplatesPassTheirOwnChecks(t *testing.T) {
	seen := map[string]bool{}
	for _, tpl := range message.Defaults {
		require.Empty(t, tpl.Problems(), "%s %s", tpl.Key, tpl.Channel)
		seen[tpl.Key+" "+string(tpl.Channel)] = true
		if tpl.Channel == message.Text {
			require.Contains(t, tpl.Body, "Reply STOP to opt out", "%s: every text says how to stop", tpl.Key)
		}
	}
	for _, key := range []string{"balance_reminder", "recall_due", "treatment_unscheduled", "insurance_information"} {
		require.True(t, seen[key+" text"] && seen[key+" email"], "%s in both channels", key)
	}
}

// TestATemplateIsRefusedWithEveryProblemAtOnce: by field, in words,
// naming the placeholder at fault.
func TestATemplateIsRefusedWithEveryProblemAtOnce(t *testing.T) {
	cases := []struct {
		name string
		tpl  message.Template
		want map[string]string
	}{
		{"an amount has no placeholder", message.Template{Key: "k", Name: "n", Channel: message.Text,
			Body: "You owe {{balance}} for {{procedure}}, {{first_name}}"},
			map[string]string{"body": "uses {{balance}}, {{procedure}}, which do not exist; use {{practice_name}}, {{practice_phone}}, {{first_name}}, {{due_month}}, {{link}}"}},
		{"a brace left open", message.Template{Key: "k", Name: "n", Channel: message.Text, Body: "Hi {{first_name"},
			map[string]string{"body": "has a {{ that is never closed with }}"}},
		{"a stray close", message.Template{Key: "k", Name: "n", Channel: message.Text, Body: "Hi first_name}} there"},
			map[string]string{"body": "has a }} with no {{ before it"}},
		{"a text with a subject, and nothing else given", message.Template{Channel: message.Text, Subject: "Hello", Body: " "},
			map[string]string{"key": "give the template a key", "name": "give the template a name people will recognise",
				"subject": "a text has no subject; leave it empty", "body": "write the message"}},
		{"an e-mail without a subject", message.Template{Key: "k", Name: "n", Channel: message.Email, Body: "Hi"},
			map[string]string{"subject": "an e-mail needs a subject"}},
		{"a subject on two lines", message.Template{Key: "k", Name: "n", Channel: message.Email, Subject: "a\nb", Body: "Hi"},
			map[string]string{"subject": "must be one line of at most 150 characters"}},
		{"an unknown channel", message.Template{Key: "k", Name: "n", Channel: "fax", Body: "Hi"},
			map[string]string{"channel": "must be text or email"}},
		{"a text too long to arrive whole", message.Template{Key: "k", Name: "n", Channel: message.Text,
			Body: strings.Repeat("{{practice_name}} ", 12) + strings.Repeat("word ", 30)},
			map[string]string{"body": "is 5 text segments long with long values filled in; keep it to 3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tc.tpl.Problems())
		})
	}
}

func TestRenderFillsOnlyWhatTheTemplateNames(t *testing.T) {
	tpl := message.Template{Key: "recall_due", Name: "Recall due", Channel: message.Email,
		Subject: "Checkup at {{practice_name}}", Body: "Hi {{ first_name }}, due in {{due_month}}."}
	subject, body, err := message.Render(tpl, message.Values{message.PracticeName: "Lakeside Family Dental",
		message.FirstName: "Dana {{link}}", message.DueMonth: "March 2027"})
	require.NoError(t, err)
	require.Equal(t, "Checkup at Lakeside Family Dental", subject)
	require.Equal(t, "Hi Dana {{link}}, due in March 2027.", body, "a value is text, never a placeholder")

	_, _, err = message.Render(tpl, message.Values{message.PracticeName: "Lakeside", message.FirstName: "Dana"})
	require.EqualError(t, err, `template "recall_due": body: no value for {{due_month}}`)

	_, _, err = message.Render(tpl, message.Values{message.PracticeName: "Lakeside\r\nBcc: x@example.com",
		message.FirstName: "Dana", message.DueMonth: "March"})
	require.EqualError(t, err, `template "recall_due": subject: a value would break the line`)
	require.NotContains(t, err.Error(), "example.com", "no value in an error")

	_, _, err = message.Render(message.Template{Key: "bad", Name: "n", Channel: message.Text, Body: "{{balance}}"}, nil)
	require.ErrorContains(t, err, `template "bad": body uses {{balance}}`)
}

func TestSegmentsCountsAsCarriersDo(t *testing.T) {
	cases := []struct {
		s    string
		want int
	}{
		{"", 1},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3},
		{strings.Repeat("€", 80), 1},          // two septets each: 160
		{strings.Repeat("€", 81), 2},          // 162 septets
		{strings.Repeat("é", 160), 1},         // in the default alphabet
		{"Hi 🙂" + strings.Repeat("a", 64), 1}, // UCS-2: 3 + 2 + 64 = 69 units
		{"Hi 🙂" + strings.Repeat("a", 66), 2}, // 71 units
		{strings.Repeat("ş", 134), 2},         // outside GSM-7: UCS-2, 67 a segment
		{strings.Repeat("ş", 135), 3},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, message.Segments(tc.s), "%q", tc.s)
	}
}

// A body with several kinds of mistake names them all in one message.
func TestEveryPlaceholderProblemAtOnce(t *testing.T) {
	p := message.Template{Key: "k", Name: "K", Channel: message.Text, Body: "Hi {{first_name}}, you owe {{amount}}. {{practice_name"}.Problems()
	if !strings.Contains(p["body"], "{{amount}}") || !strings.Contains(p["body"], "never closed") {
		t.Fatalf("body problem %q should name the unknown placeholder and the open brace", p["body"])
	}
}
