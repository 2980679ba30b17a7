package message_test

import (
	"os"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/stretchr/testify/require"
)

// docs/messages.md names every placeholder, every default template, every
// keyword with what it does, and every rule a send can be refused by.
func TestDocsMatchTheCode(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/messages.md")
	require.NoError(t, err)
	doc := string(b)
	for _, ch := range []message.Channel{message.Text, message.Email} {
		for _, p := range message.Allowed(ch) {
			require.Contains(t, doc, "| `{{"+string(p)+"}}` |", "placeholder %s", p)
		}
	}
	for _, d := range message.Defaults {
		require.Contains(t, doc, "| `"+d.Key+"` | "+d.Name+" |", "default template %s", d.Key)
	}
	rows := map[sms.Keyword]string{}
	for _, line := range strings.Split(doc, "\n") {
		switch {
		case strings.HasPrefix(line, "| STOP,"):
			rows[sms.StopKeyword] = line
		case strings.HasPrefix(line, "| START,"):
			rows[sms.StartKeyword] = line
		case strings.HasPrefix(line, "| HELP,"):
			rows[sms.HelpKeyword] = line
		}
	}
	for _, k := range []sms.Keyword{sms.StopKeyword, sms.StartKeyword, sms.HelpKeyword} {
		cell := strings.Split(rows[k], "|")
		require.GreaterOrEqual(t, len(cell), 3, "the %s row", k)
		var listed []string
		for _, w := range strings.Split(cell[1], ",") {
			listed = append(listed, strings.TrimSpace(w))
		}
		require.ElementsMatch(t, sms.Words(k), listed, "the %s words", k)
	}
	for _, c := range []contact.Code{contact.DoNotContact, contact.ChannelNotAllowed, contact.NoTextConsent, contact.UnknownTimeZone,
		contact.QuietHours, contact.WeeklyCap} {
		require.Contains(t, doc, "| `"+string(c)+"` |", "rule %s", c)
	}
	for _, code := range []string{"opted_out", "no_number", "no_address", "no_practice_phone"} {
		require.Contains(t, doc, "`"+code+"`", "rule %s", code)
	}
}
