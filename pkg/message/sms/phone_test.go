package sms_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/stretchr/testify/require"
)

func TestNormalizeUS(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"(415) 555-0123", "415-555-0123", "415.555.0123", "4155550123",
		"1 415 555 0123", "1-415-555-0123", "14155550123",
		"+14155550123", "+1 (415) 555-0123", " 415 555 0123 ",
	} {
		got, err := sms.NormalizeUS(in)
		require.NoError(t, err, "%q", in)
		require.Equal(t, "+14155550123", got, "%q", in)
	}
}

func TestNormalizeUSRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{"   ", "empty"},
		{"415-555-0123 x12", "only digits"},
		{"415 555 0123 ext 4", "only digits"},
		{"415-JKL-0123", "only digits"},
		{"+44 20 7946 0123", "not a US number"},
		{"+4155550123", "not a US number"},
		{"555-0123", "10 digits"},
		{"415 555 01234", "10 digits"},
		{"24155550123", "10 digits"},
		{"+1 415 555 01234", "10 digits"},
		{"(015) 555-0123", "does not exist"},
		{"(115) 555-0123", "does not exist"},
		{"(911) 555-0123", "does not exist"},
		{"(415) 155-0123", "does not exist"},
		{"(415) 411-0123", "does not exist"},
	} {
		got, err := sms.NormalizeUS(c.in)
		require.Error(t, err, "%q", c.in)
		require.Empty(t, got)
		require.Contains(t, err.Error(), c.want, "%q", c.in)
		// The error goes next to a form field and into logs; it never
		// repeats what was typed.
		if c.in != "" && len(c.in) > 3 {
			require.NotContains(t, err.Error(), c.in[len(c.in)-4:], "%q", c.in)
		}
	}
}
