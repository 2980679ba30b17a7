package stripe_test

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/backdesk/backdesk/pkg/payment/stripe"
	"github.com/stretchr/testify/require"
)

func TestConfigProblems(t *testing.T) {
	t.Parallel()
	good := stripe.Config{SecretKeyRef: "env:STRIPE_SECRET_KEY", WebhookSecretRef: "file:/run/secrets/stripe-webhook"}
	require.Empty(t, good.Problems())
	for _, base := range []string{"https://api.stripe.com", "https://api.stripe.com/", "http://127.0.0.1:12111", "http://localhost:12111", "http://[::1]:8080"} {
		c := good
		c.BaseURL = base
		require.Empty(t, c.Problems(), base)
	}

	require.Equal(t, map[string]string{
		"secret_key_ref":     "is required: env:NAME or file:PATH naming the secret key (sk_...)",
		"webhook_secret_ref": "is required: env:NAME or file:PATH naming the webhook signing secret (whsec_...)",
	}, stripe.Config{}.Problems())

	bad := stripe.Config{
		SecretKeyRef:     testKey,
		WebhookSecretRef: testSecret,
		BaseURL:          "http://api.stripe.example",
	}
	p := bad.Problems()
	require.Equal(t, []string{"base_url", "secret_key_ref", "webhook_secret_ref"}, slices.Sorted(maps.Keys(p)))
	require.Equal(t, "must be env:NAME or file:PATH; the secret itself is never configured", p["secret_key_ref"])
	require.Equal(t, "must be env:NAME or file:PATH; the secret itself is never configured", p["webhook_secret_ref"])
	require.Equal(t, "must be https (plain http only to a loopback address)", p["base_url"])
	for _, msg := range p {
		require.NotContains(t, msg, testKey, "a secret pasted into the reference is never shown back")
		require.NotContains(t, msg, testSecret)
	}
	for _, base := range []string{"api.stripe.com", "https://user:pw@api.stripe.com", "https://api.stripe.com/v1", "https://api.stripe.com?x=1", "ftp://api.stripe.com"} {
		c := good
		c.BaseURL = base
		require.Contains(t, c.Problems(), "base_url", base)
	}

	_, err := stripe.New(bad)
	require.ErrorContains(t, err, "stripe configuration: base_url must be https (plain http only to a loopback address); secret_key_ref must be")
	require.NotContains(t, err.Error(), testKey)
	require.NotContains(t, err.Error(), testSecret)
}

func TestNewKeepsTheCallersHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	_, err := stripe.New(stripe.Config{SecretKeyRef: "env:K", WebhookSecretRef: "env:W", HTTPClient: hc})
	require.NoError(t, err)
	require.Nil(t, hc.CheckRedirect, "copied, not changed")
}
