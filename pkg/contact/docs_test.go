package contact_test

import (
	"os"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/stretchr/testify/require"
)

// docs/policy.md lists every hold code, in the order Check applies them.
func TestDocsListEveryCode(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/policy.md")
	require.NoError(t, err)
	section := string(doc)
	i := strings.Index(section, "## How the contact rules are enforced")
	require.GreaterOrEqual(t, i, 0)
	section = section[i:]
	last := -1
	for _, c := range []contact.Code{contact.DoNotContact, contact.ChannelNotAllowed, contact.NoTextConsent, contact.UnknownTimeZone, contact.QuietHours, contact.WeeklyCap} {
		at := strings.Index(section, "| `"+string(c)+"` |")
		require.Greater(t, at, last, "%s missing or out of order", c)
		last = at
	}
}
