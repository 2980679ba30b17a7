package config_test

import (
	"crypto/rand"
	"log/slog"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

func TestAuditVerifyKey(t *testing.T) {
	t.Parallel()
	skey, vkey, err := note.GenerateKey(rand.Reader, "backdesk.test/audit")
	require.NoError(t, err)
	good := map[string]string{
		"BACKDESK_DATABASE_URL":   "sqlite://.backdesk/x.db",
		"BACKDESK_REDIS_URL":      "redis://redis:6379/0",
		"BACKDESK_OIDC_ISSUER":    "https://idp.example.com",
		"BACKDESK_OIDC_CLIENT_ID": "backdesk",
	}
	tests := []struct {
		name    string
		value   string
		wantErr string
	}{
		{name: "unset", value: ""},
		{name: "a verifier key", value: vkey},
		{name: "a verifier key with a trailing newline", value: vkey + "\n"},
		{name: "the signing key by mistake", value: skey, wantErr: "BACKDESK_AUDIT_VERIFY_KEY: holds a private signing key"},
		{name: "not a key", value: "backdesk.test/audit", wantErr: "BACKDESK_AUDIT_VERIFY_KEY: must be a public verifier key"},
		{name: "a broken key", value: vkey[:len(vkey)-4], wantErr: "BACKDESK_AUDIT_VERIFY_KEY: must be a public verifier key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := config.NewReader(env(with(good, "BACKDESK_AUDIT_VERIFY_KEY", tc.value)))
			b := config.ReadBase(r, config.Defaults{})
			err := r.Err()
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, strings.TrimSpace(tc.value), b.AuditVerifyKey)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
			// The message must not repeat the value: it may be a private key.
			require.NotContains(t, err.Error(), tc.value)
		})
	}
}

// The verify key is public and logged as it is, so an operator can see
// which key a service checks with; the signing key stays masked.
func TestLogValueShowsTheVerifyKey(t *testing.T) {
	t.Parallel()
	skey, vkey, err := note.GenerateKey(rand.Reader, "backdesk.test/audit")
	require.NoError(t, err)
	b := config.Base{AuditSigningKey: skey, AuditVerifyKey: vkey}
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("config", "config", b)
	require.Contains(t, sb.String(), `"audit_verify_key":"`+vkey+`"`)
	require.NotContains(t, sb.String(), skey)
}
