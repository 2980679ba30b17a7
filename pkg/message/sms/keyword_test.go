package sms_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/stretchr/testify/require"
)

func TestClassifyKeyword(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body string
		want sms.Keyword
	}{
		{"STOP", sms.StopKeyword},
		{"stop", sms.StopKeyword},
		{"  Stop.  ", sms.StopKeyword},
		{"STOP!!!", sms.StopKeyword},
		{"\"stop\"", sms.StopKeyword},
		{"stop 🛑", sms.StopKeyword},
		{"StopAll", sms.StopKeyword},
		{"stop all", sms.StopKeyword},
		{"Unsubscribe", sms.StopKeyword},
		{"cancel", sms.StopKeyword},
		{"END", sms.StopKeyword},
		{"quit\n", sms.StopKeyword},
		{"Revoke", sms.StopKeyword},
		{"optout", sms.StopKeyword},
		{"Opt out", sms.StopKeyword},
		{"opt   out", sms.StopKeyword},
		{"OPT-OUT", sms.StopKeyword},
		{"START", sms.StartKeyword},
		{"yes", sms.StartKeyword},
		{"Yes!", sms.StartKeyword},
		{"unstop", sms.StartKeyword},
		{"HELP", sms.HelpKeyword},
		{"help?", sms.HelpKeyword},
		{"Info", sms.HelpKeyword},

		// Only the whole message counts.
		{"please stop texting me", sms.NoKeyword},
		{"STOP PLEASE", sms.NoKeyword},
		{"stopp", sms.NoKeyword},
		{"non-stop", sms.NoKeyword},
		{"yes I'll be there", sms.NoKeyword},
		{"help me reschedule", sms.NoKeyword},
		{"opt", sms.NoKeyword},
		{"", sms.NoKeyword},
		{"   ", sms.NoKeyword},
		{"?", sms.NoKeyword},
		{"Can I move my cleaning to Tuesday?", sms.NoKeyword},
	} {
		require.Equal(t, c.want, sms.ClassifyKeyword(c.body), "%q", c.body)
	}
}

func TestKeywordNames(t *testing.T) {
	t.Parallel()
	require.Equal(t, "stop", sms.StopKeyword.String())
	require.Equal(t, "start", sms.StartKeyword.String())
	require.Equal(t, "help", sms.HelpKeyword.String())
	require.Equal(t, "none", sms.NoKeyword.String())
}
