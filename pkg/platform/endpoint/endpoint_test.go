package endpoint_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/endpoint"
	"github.com/stretchr/testify/require"
)

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true, "[::1]": true,
		"::ffff:127.0.0.1": true, "10.0.0.1": false, "0.0.0.0": false, "": false, "localhost.example.com": false,
		"api.stripe.com": false,
	} {
		require.Equal(t, want, endpoint.IsLoopback(host), host)
	}
	require.True(t, endpoint.IsLoopbackAddr("127.0.0.1:8080"))
	require.True(t, endpoint.IsLoopbackAddr("[::1]:8080"))
	require.False(t, endpoint.IsLoopbackAddr(":8080"), "every interface")
	require.False(t, endpoint.IsLoopbackAddr("localhost"), "no port")
}

func TestBaseURLCheck(t *testing.T) {
	t.Parallel()
	strict := endpoint.BaseURL{Example: "https://api.example.com"}
	prefixed := endpoint.BaseURL{Example: "https://api.example.com", PathAllowed: true}
	for _, tc := range []struct {
		raw          string
		strict, pref string // "" when accepted
	}{
		{"https://api.example.com", "", ""},
		{"https://api.example.com/", "", ""},
		{"http://127.0.0.1:9000", "", ""},
		{"http://localhost:9000", "", ""},
		{"https://proxy.example.com/stripe", "must be an absolute URL with no credentials, path, query or fragment, e.g. https://api.example.com", ""},
		{"http://api.example.com", "must be https (plain http only to a loopback address)", "must be https (plain http only to a loopback address)"},
		{"ftp://api.example.com", "must be https (plain http only to a loopback address)", "must be https (plain http only to a loopback address)"},
		{"https://sk_live_secret@api.example.com", "must be an absolute URL with no credentials, path, query or fragment, e.g. https://api.example.com",
			"must be an absolute URL with no credentials, query or fragment, e.g. https://api.example.com"},
		{"https://api.example.com?x=1", "must be an absolute URL with no credentials, path, query or fragment, e.g. https://api.example.com",
			"must be an absolute URL with no credentials, query or fragment, e.g. https://api.example.com"},
		{"api.example.com", "must be an absolute URL with no credentials, path, query or fragment, e.g. https://api.example.com",
			"must be an absolute URL with no credentials, query or fragment, e.g. https://api.example.com"},
	} {
		for _, c := range []struct {
			b    endpoint.BaseURL
			want string
		}{{strict, tc.strict}, {prefixed, tc.pref}} {
			err := c.b.Check(tc.raw)
			if c.want == "" {
				require.NoError(t, err, tc.raw)
				continue
			}
			require.EqualError(t, err, c.want, tc.raw)
			require.NotContains(t, err.Error(), "sk_live_secret", "the value is never quoted")
		}
	}
}
