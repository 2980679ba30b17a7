package config_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/stretchr/testify/require"
)

func env(m map[string]string) config.Getenv { return func(k string) string { return m[k] } }

func TestReadBase(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"BACKDESK_DATABASE_URL":   "postgres://app:s3cret@db:5432/backdesk",
		"BACKDESK_REDIS_URL":      "redis://redis:6379/0",
		"BACKDESK_OIDC_ISSUER":    "https://idp.example.com",
		"BACKDESK_OIDC_CLIENT_ID": "backdesk",
	}
	tests := []struct {
		name    string
		set     map[string]string
		wantErr []string // every variable that must be named
	}{
		{name: "minimal", set: good},
		{name: "missing database", set: with(good, "BACKDESK_DATABASE_URL", ""), wantErr: []string{"BACKDESK_DATABASE_URL: is required"}},
		{name: "everything missing", set: map[string]string{}, wantErr: []string{"BACKDESK_DATABASE_URL", "BACKDESK_REDIS_URL", "BACKDESK_OIDC_ISSUER", "BACKDESK_OIDC_CLIENT_ID"}},
		{name: "idle longer than lifetime", set: with(good, "BACKDESK_SESSION_IDLE_TIMEOUT", "13h"), wantErr: []string{"BACKDESK_SESSION_IDLE_TIMEOUT"}},
		{name: "lifetime too long", set: with(good, "BACKDESK_SESSION_LIFETIME", "72h"), wantErr: []string{"BACKDESK_SESSION_LIFETIME"}},
		{name: "default grant longer than the maximum", set: with(with(good, "BACKDESK_GRANT_MAX_DAYS", "60"), "BACKDESK_GRANT_DEFAULT_DAYS", "90"), wantErr: []string{"BACKDESK_GRANT_DEFAULT_DAYS"}},
		{name: "break-glass too long", set: with(good, "BACKDESK_BREAK_GLASS_DURATION", "12h"), wantErr: []string{"BACKDESK_BREAK_GLASS_DURATION"}},
		{name: "bad queue weights", set: with(good, "BACKDESK_QUEUE_WEIGHTS", "claims=four"), wantErr: []string{"BACKDESK_QUEUE_WEIGHTS"}},
		{name: "queue weights", set: with(good, "BACKDESK_QUEUE_WEIGHTS", "claims=5, balances=4")},
		{name: "dev providers outside the dev binary", set: with(with(with(good, "BACKDESK_TEXT_PROVIDER", "dev"), "BACKDESK_EMAIL_PROVIDER", "dev"), "BACKDESK_PAYMENT_PROVIDER", "dev"),
			wantErr: []string{"BACKDESK_TEXT_PROVIDER: dev is", "BACKDESK_EMAIL_PROVIDER: dev is", "BACKDESK_PAYMENT_PROVIDER: dev is"}},
		{name: "unknown providers", set: with(with(good, "BACKDESK_TEXT_PROVIDER", "pigeon"), "BACKDESK_PAYMENT_PROVIDER", "paypal"),
			wantErr: []string{"BACKDESK_TEXT_PROVIDER: must be", "BACKDESK_PAYMENT_PROVIDER: must be"}},
		{name: "real providers", set: with(with(with(good, "BACKDESK_TEXT_PROVIDER", "twilio"), "BACKDESK_EMAIL_PROVIDER", "smtp"), "BACKDESK_PAYMENT_PROVIDER", "stripe")},
		{name: "bad database scheme", set: with(good, "BACKDESK_DATABASE_URL", "mysql://x/y"), wantErr: []string{`BACKDESK_DATABASE_URL: scheme "mysql" is not supported`}},
		{name: "database not a URL", set: with(good, "BACKDESK_DATABASE_URL", "backdesk.db"), wantErr: []string{"BACKDESK_DATABASE_URL: must be an absolute URL"}},
		{name: "sqlite without path", set: with(good, "BACKDESK_DATABASE_URL", "sqlite://"), wantErr: []string{"BACKDESK_DATABASE_URL: sqlite URL needs a path"}},
		{name: "bad duration", set: with(good, "BACKDESK_SHUTDOWN_TIMEOUT", "ten"), wantErr: []string{"BACKDESK_SHUTDOWN_TIMEOUT"}},
		{name: "bad level", set: with(good, "BACKDESK_LOG_LEVEL", "loud"), wantErr: []string{"BACKDESK_LOG_LEVEL"}},
		{name: "bad addr", set: with(good, "BACKDESK_ADDR", "8080"), wantErr: []string{"BACKDESK_ADDR"}},
		{name: "issuer without client", set: with(good, "BACKDESK_OIDC_CLIENT_ID", ""), wantErr: []string{"BACKDESK_OIDC_CLIENT_ID"}},
		{name: "plain http issuer", set: with(good, "BACKDESK_OIDC_ISSUER", "http://idp.example.com"), wantErr: []string{"BACKDESK_OIDC_ISSUER: must use https"}},
		{name: "loopback http issuer", set: with(good, "BACKDESK_OIDC_ISSUER", "http://127.0.0.1:8080/dev/oidc")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := config.NewReader(env(tc.set))
			b := config.ReadBase(r, config.Defaults{})
			err := r.Err()
			if len(tc.wantErr) == 0 {
				require.NoError(t, err)
				require.Equal(t, ":8080", b.Addr)
				require.Equal(t, "groups", b.OIDCRolesClaim)
				require.Equal(t, 10*time.Second, b.ShutdownTimeout)
				return
			}
			require.Error(t, err)
			for _, w := range tc.wantErr {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestAuditRetention(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"BACKDESK_DATABASE_URL":   "sqlite://.backdesk/x.db",
		"BACKDESK_REDIS_URL":      "redis://redis:6379/0",
		"BACKDESK_OIDC_ISSUER":    "https://idp.example.com",
		"BACKDESK_OIDC_CLIENT_ID": "backdesk",
	}
	tests := []struct {
		name     string
		value    string
		wantDays int
		wantErr  string
	}{
		{name: "unset is six years", value: "", wantDays: 2192},
		{name: "six years in days", value: "2192d", wantDays: 2192},
		{name: "six years", value: "6y", wantDays: 2192},
		{name: "seven years hold two leap days", value: "7y", wantDays: 7*365 + 2},
		{name: "ten years", value: "10y", wantDays: 3653},
		{name: "longer in days", value: "4000d", wantDays: 4000},
		{name: "spaces around", value: " 8y ", wantDays: 8*365 + 2},
		{name: "one day short", value: "2191d", wantErr: "BACKDESK_AUDIT_RETENTION: must be at least six years"},
		{name: "five years", value: "5y", wantErr: "BACKDESK_AUDIT_RETENTION: must be at least six years"},
		{name: "zero", value: "0d", wantErr: "BACKDESK_AUDIT_RETENTION: must be at least six years"},
		{name: "a Go duration", value: "52608h", wantErr: "BACKDESK_AUDIT_RETENTION: must be a number of days or years"},
		{name: "no unit", value: "2192", wantErr: "BACKDESK_AUDIT_RETENTION: must be a number of days or years"},
		{name: "negative", value: "-6y", wantErr: "BACKDESK_AUDIT_RETENTION: must be a number of days or years"},
		{name: "words", value: "six years", wantErr: "BACKDESK_AUDIT_RETENTION: must be a number of days or years"},
		{name: "absurdly long", value: "99999999999y", wantErr: "BACKDESK_AUDIT_RETENTION: must be a number of days or years"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := config.NewReader(env(with(good, "BACKDESK_AUDIT_RETENTION", tc.value)))
			b := config.ReadBase(r, config.Defaults{})
			err := r.Err()
			if tc.wantErr == "" {
				require.NoError(t, err)
				require.Equal(t, tc.wantDays, b.AuditRetentionDays)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestDefaultsFillUnsetVariables(t *testing.T) {
	t.Parallel()
	r := config.NewReader(env(nil))
	b := config.ReadBase(r, config.Defaults{DatabaseURL: "sqlite://.backdesk/x.db", RedisURL: "redis://127.0.0.1:1", Addr: "127.0.0.1:8080", OIDCIssuer: "http://127.0.0.1:8080/dev/oidc", OIDCClientID: "dev"})
	require.NoError(t, r.Err())
	require.Equal(t, "127.0.0.1:8080", b.Addr)
}

func TestLogValueMasksSecrets(t *testing.T) {
	t.Parallel()
	b := config.Base{
		DatabaseURL:      "postgres://app:hunter2@db/backdesk?password=alsohidden",
		OIDCClientSecret: "clientsecret",
		AuditSigningKey:  "PRIVATE+KEY",
	}
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("config", "config", b)
	out := sb.String()
	for _, secret := range []string{"hunter2", "alsohidden", "clientsecret", "PRIVATE+KEY"} {
		require.NotContains(t, out, secret)
	}
	require.Contains(t, out, "app:xxxxx@db")
}

// A secret that is not set is not printed empty; a key the dev binary made
// itself is said so.
func TestLogValueLeavesOutUnsetSecrets(t *testing.T) {
	t.Parallel()
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("config", "config", config.Base{AuditKeyNote: "generated a development key"})
	out := sb.String()
	require.NotContains(t, out, `"oidc_client_secret"`)
	require.Contains(t, out, `"audit_signing_key":"generated a development key"`)
	sb.Reset()
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("config", "config", config.Base{})
	require.NotContains(t, sb.String(), `"audit_signing_key"`)
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for mk, mv := range m {
		if mk != k {
			out[mk] = mv
		}
	}
	return out
}
