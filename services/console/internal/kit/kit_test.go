package kit

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// wantCSP is the policy of the pages when the identity provider shares
// the platform's origin.
const wantCSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func TestFormActionAllowsAnIssuerElsewhere(t *testing.T) {
	t.Parallel()
	require.Equal(t, wantCSP, contentPolicy("http://127.0.0.1:8080", "http://127.0.0.1:8080/dev/oidc"))
	require.Contains(t, contentPolicy("https://backdesk.example.com", "https://login.example.com/realms/x"),
		"form-action 'self' https://login.example.com")
}

func TestAmountsAndDates(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"": 0, "125": 12500, "125.5": 12550, "$1,240.05": 124005, " 3.00 ": 300} {
		got, err := Cents(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"-5", "1.234", "abc", "1e3"} {
		_, err := Cents(bad)
		require.Error(t, err, bad)
	}
	require.Equal(t, "$1,234,567.08", Dollars(123456708))
	at, err := ContactAt("2026-07-01", "America/Chicago")
	require.NoError(t, err)
	require.Equal(t, "2026-07-01T14:00:00Z", iso(at), "9:00 in Chicago in summer")
	at, err = ContactAt("2026-07-01", "Not/AZone")
	require.NoError(t, err)
	require.Equal(t, "2026-07-01T09:00:00Z", iso(at), "UTC when the zone is unknown")
	_, err = ContactAt("02/07/2026", "")
	require.Error(t, err)
}
