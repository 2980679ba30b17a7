package email

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func validConfig() Config {
	return Config{
		Host:        "smtp.relay.example",
		Username:    "backdesk",
		PasswordRef: "env:SMTP_PASSWORD",
		From:        "billing@dental.example",
		FromName:    "Smile Dental",
	}
}

func TestConfigProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Config)
		fields []string // the fields with a problem, sorted
	}{
		{"valid", func(*Config) {}, nil},
		{"empty", func(c *Config) { *c = Config{} }, []string{"from", "host"}},
		{"host with port", func(c *Config) { c.Host = "smtp.relay.example:587" }, []string{"host"}},
		{"host as URL", func(c *Config) { c.Host = "smtps://smtp.relay.example" }, []string{"host"}},
		{"host with line break", func(c *Config) { c.Host = "smtp.relay.example\r\n" }, []string{"host"}},
		{"IPv6 host", func(c *Config) { c.Host = "2001:db8::25" }, nil},
		{"port out of range", func(c *Config) { c.Port = 70000 }, []string{"port"}},
		{"unknown TLS mode", func(c *Config) { c.TLS = "ssl" }, []string{"tls"}},
		{"implicit TLS", func(c *Config) { c.TLS = TLSImplicit }, nil},
		{"no TLS to a remote name", func(c *Config) { c.TLS = TLSNone }, []string{"tls"}},
		{"no TLS to a private address", func(c *Config) { c.TLS, c.Host = TLSNone, "10.0.0.25" }, []string{"tls"}},
		{"no TLS to localhost", func(c *Config) { c.TLS, c.Host = TLSNone, "localhost" }, nil},
		{"no TLS to 127.0.0.2", func(c *Config) { c.TLS, c.Host = TLSNone, "127.0.0.2" }, nil},
		{"no TLS to ::1", func(c *Config) { c.TLS, c.Host = TLSNone, "::1" }, nil},
		{"username without password", func(c *Config) { c.PasswordRef = "" }, []string{"password_ref"}},
		{"password without username", func(c *Config) { c.Username = "" }, []string{"username"}},
		{"no AUTH", func(c *Config) { c.Username, c.PasswordRef = "", "" }, nil},
		{"username with line break", func(c *Config) { c.Username = "backdesk\r\nMAIL FROM:<x@y>" }, []string{"username"}},
		{"password given in place of a reference", func(c *Config) { c.PasswordRef = "hunter2-plain" }, []string{"password_ref"}},
		{"password reference of unknown kind", func(c *Config) { c.PasswordRef = "vault:smtp" }, []string{"password_ref"}},
		{"file reference", func(c *Config) { c.PasswordRef = "file:/run/secrets/smtp" }, nil},
		{"from with a display name", func(c *Config) { c.From = "Smile Dental <billing@dental.example>" }, []string{"from"}},
		{"from not an address", func(c *Config) { c.From = "billing" }, []string{"from"}},
		{"from name with line break", func(c *Config) { c.FromName = "Smile\r\nBcc: x@y.example" }, []string{"from_name"}},
		{"reply-to", func(c *Config) { c.ReplyTo = "front-desk@dental.example" }, nil},
		{"reply-to not an address", func(c *Config) { c.ReplyTo = "front desk" }, []string{"reply_to"}},
		{"negative timeout", func(c *Config) { c.Timeout = -1 }, []string{"timeout"}},
		{"every problem at once", func(c *Config) {
			*c = Config{Host: "a b", Port: -1, TLS: "tls1.3", PasswordRef: "x", From: "nobody", FromName: "\n", ReplyTo: "?", Timeout: -1}
		}, []string{"from", "from_name", "host", "password_ref", "port", "reply_to", "timeout", "tls", "username"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := validConfig()
			tc.change(&c)
			p := c.Problems()
			fields := make([]string, 0, len(p))
			for f, msg := range p {
				fields = append(fields, f)
				require.NotEmpty(t, msg)
				require.NotContains(t, msg, "hunter2-plain", "a message repeats the value")
			}
			slices.Sort(fields)
			require.Equal(t, tc.fields, nilIfEmpty(fields), "%v", p)
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestConfigAddrUsesTheModesPort(t *testing.T) {
	t.Parallel()
	for mode, want := range map[TLSMode]string{
		"":          "smtp.relay.example:587",
		TLSStartTLS: "smtp.relay.example:587",
		TLSImplicit: "smtp.relay.example:465",
		TLSNone:     "smtp.relay.example:25",
	} {
		require.Equal(t, want, Config{Host: "smtp.relay.example", TLS: mode}.addr(), mode)
	}
	require.Equal(t, "[::1]:2525", Config{Host: "::1", Port: 2525}.addr())
}

func TestResolveSecretFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"plain": "pw-9Lm", "newline": "pw-9Lm\n", "crlf": "pw-9Lm\r\n"} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		got, err := resolveSecret("file:" + path)
		require.NoError(t, err)
		require.Equal(t, "pw-9Lm", got, name)
	}

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	_, err := resolveSecret("file:" + empty)
	require.ErrorContains(t, err, "is not set or empty")

	_, err = resolveSecret("file:" + filepath.Join(dir, "missing"))
	require.ErrorContains(t, err, "could not be read from file:")
	require.Equal(t, 1, strings.Count(err.Error(), "missing"), "the path is named once: %v", err)
}

// Not parallel: it sets an environment variable.
func TestResolveSecretFromEnvironment(t *testing.T) {
	t.Setenv("EMAIL_TEST_RELAY_PASSWORD", "pw-4Tr")
	got, err := resolveSecret("env:EMAIL_TEST_RELAY_PASSWORD")
	require.NoError(t, err)
	require.Equal(t, "pw-4Tr", got)

	t.Setenv("EMAIL_TEST_RELAY_PASSWORD", "")
	_, err = resolveSecret("env:EMAIL_TEST_RELAY_PASSWORD")
	require.EqualError(t, err, "the relay password named by env:EMAIL_TEST_RELAY_PASSWORD is not set or empty")
}
