package email

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMailProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Mail)
		fields []string // the fields with a problem, sorted
	}{
		{"valid", func(*Mail) {}, nil},
		{"empty", func(m *Mail) { *m = Mail{} }, []string{"body", "message_id", "subject", "to"}},
		{"HTML alternative", func(m *Mail) { m.HTML = bodyHTML }, nil},
		{"no unsubscribe URL", func(m *Mail) { m.UnsubscribeURL = "" }, nil},
		{"subject with a tab", func(m *Mail) { m.Subject = "Reminder\tThursday" }, nil},
		{"subject with a line separator", func(m *Mail) { m.Subject = "Reminder\u2028Bcc: x@y.example" }, []string{"subject"}},
		{"blank body", func(m *Mail) { m.Body = " \n" }, []string{"body"}},
		{"to with a trailing space", func(m *Mail) { m.To = patientAddr + " " }, []string{"to"}},
		{"to in UTF-8", func(m *Mail) { m.To = "zoë@patients.example" }, nil},
		{"message id UUID", func(m *Mail) { m.MessageID = "0d3b8e2f-7a10-4f1c-9c55-2a9e6b7d4e2a" }, nil},
		{"message id with a space", func(m *Mail) { m.MessageID = "a b" }, []string{"message_id"}},
		{"message id with an at sign", func(m *Mail) { m.MessageID = "a@b" }, []string{"message_id"}},
		{"message id with angle brackets", func(m *Mail) { m.MessageID = "a>b" }, []string{"message_id"}},
		{"message id with two dots", func(m *Mail) { m.MessageID = "a..b" }, []string{"message_id"}},
		{"message id with a leading dot", func(m *Mail) { m.MessageID = ".ab" }, []string{"message_id"}},
		{"message id too long", func(m *Mail) { m.MessageID = strings.Repeat("a", 201) }, []string{"message_id"}},
		{"unsubscribe over http", func(m *Mail) { m.UnsubscribeURL = "http://backdesk.example/u/1" }, []string{"unsubscribe_url"}},
		{"unsubscribe by mailto", func(m *Mail) { m.UnsubscribeURL = "mailto:unsubscribe@dental.example" }, []string{"unsubscribe_url"}},
		{"unsubscribe relative", func(m *Mail) { m.UnsubscribeURL = "/u/1" }, []string{"unsubscribe_url"}},
		{"unsubscribe with a comma", func(m *Mail) { m.UnsubscribeURL = "https://backdesk.example/u/1,2" }, []string{"unsubscribe_url"}},
		{"unsubscribe with a space", func(m *Mail) { m.UnsubscribeURL = "https://backdesk.example/u/1 2" }, []string{"unsubscribe_url"}},
		{"unsubscribe with an angle bracket", func(m *Mail) { m.UnsubscribeURL = "https://backdesk.example/u/1>" }, []string{"unsubscribe_url"}},
		{"unsubscribe not ASCII", func(m *Mail) { m.UnsubscribeURL = "https://backdesk.example/ü" }, []string{"unsubscribe_url"}},
		{"unsubscribe with credentials", func(m *Mail) { m.UnsubscribeURL = "https://u:p@backdesk.example/u/1" }, []string{"unsubscribe_url"}},
		{"unsubscribe too long", func(m *Mail) { m.UnsubscribeURL = "https://backdesk.example/" + strings.Repeat("a", 900) }, []string{"unsubscribe_url"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := testMail()
			tc.change(&m)
			p := m.Problems()
			fields := make([]string, 0, len(p))
			for f, msg := range p {
				fields = append(fields, f)
				require.NotEmpty(t, msg)
				require.NotContains(t, msg, "backdesk.example", "a message repeats the value")
				require.NotContains(t, msg, "patients.example", "a message repeats the value")
			}
			slices.Sort(fields)
			require.Equal(t, tc.fields, nilIfEmpty(fields), "%v", p)
		})
	}
}
