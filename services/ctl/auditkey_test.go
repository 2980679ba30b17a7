package ctl_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/stretchr/testify/require"
)

// An operator who holds the signing key prints the public key to hand to
// the audit service and to compliance.
func TestAuditVerifyKeyPrintsThePublicHalf(t *testing.T) {
	t.Parallel()
	skey, vkey, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	code, out, errOut := run(map[string]string{"BACKDESK_AUDIT_SIGNING_KEY": skey}, "audit", "verify-key")
	require.Equal(t, 0, code, errOut)
	require.Equal(t, vkey+"\n", out)

	code, out, errOut = run(nil, "audit", "verify-key")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "BACKDESK_AUDIT_SIGNING_KEY: is required")

	broken := skey[:len(skey)-3]
	code, out, errOut = run(map[string]string{"BACKDESK_AUDIT_SIGNING_KEY": broken}, "audit", "verify-key")
	require.Equal(t, 2, code)
	require.Empty(t, out)
	require.Contains(t, errOut, "BACKDESK_AUDIT_SIGNING_KEY")
	require.NotContains(t, errOut, broken, "never echo a private key")
}

// keygen makes a new pair, as the two settings that carry it.
func TestAuditKeygen(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(nil, "audit", "keygen", "backdesk.example.com/audit")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	skey, ok := strings.CutPrefix(lines[0], "BACKDESK_AUDIT_SIGNING_KEY=")
	require.True(t, ok, out)
	vkey, ok := strings.CutPrefix(lines[1], "BACKDESK_AUDIT_VERIFY_KEY=")
	require.True(t, ok, out)
	derived, err := audit.VerifyKeyFor(skey)
	require.NoError(t, err)
	require.Equal(t, derived, vkey)
	require.True(t, strings.HasPrefix(vkey, "backdesk.example.com/audit+"))

	code, _, errOut = run(nil, "audit", "keygen")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "keygen NAME")
	code, _, errOut = run(nil, "audit", "keygen", "two words")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "key name")
}
