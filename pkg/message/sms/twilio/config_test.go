package twilio_test

import (
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/stretchr/testify/require"
)

func TestConfigProblems(t *testing.T) {
	t.Parallel()
	good := twilio.Config{AccountSID: testSID, AuthTokenRef: "env:TWILIO_AUTH_TOKEN", From: office}
	require.Empty(t, good.Problems())
	for _, c := range []twilio.Config{
		{AccountSID: testSID, AuthTokenRef: "file:/run/secrets/twilio", MessagingServiceSID: testService},
		{AccountSID: testSID, AuthTokenRef: "env:T", From: office, MessagingServiceSID: testService},
		{AccountSID: testSID, AuthTokenRef: "env:T", From: "22395"},
		{AccountSID: testSID, AuthTokenRef: "env:T", From: office, BaseURL: "http://127.0.0.1:8089"},
		{AccountSID: testSID, AuthTokenRef: "env:T", From: office, BaseURL: "https://api.twilio.com/"},
	} {
		require.Empty(t, c.Problems(), "%+v", c)
	}

	require.Equal(t, map[string]string{
		"account_sid":    "is required: the account's SID from the Twilio console, AC followed by 32 hex digits",
		"auth_token_ref": "is required: env:NAME or file:PATH naming the auth token",
		"from":           "is required unless messaging_service_sid is set: the sending number, e.g. +14155550123",
	}, twilio.Config{}.Problems())

	bad := twilio.Config{
		AccountSID:          "SK00112233445566778899aabbccddeeff",
		AuthTokenRef:        "f3a9c1e0b7d24e6a8c5b9d0e1f2a3b4c",
		From:                "(415) 555-0199",
		MessagingServiceSID: "MG123",
		BaseURL:             "http://api.twilio.example",
	}
	p := bad.Problems()
	require.Equal(t, []string{"account_sid", "auth_token_ref", "base_url", "from", "messaging_service_sid"}, slices.Sorted(maps.Keys(p)))
	require.Equal(t, "must be env:NAME or file:PATH; the token itself is never configured", p["auth_token_ref"])
	require.Equal(t, "must be https (plain http only to a loopback address)", p["base_url"])
	for _, msg := range p {
		require.NotContains(t, msg, bad.AuthTokenRef, "a token pasted into the reference is never shown back")
	}

	_, err := twilio.New(bad)
	require.ErrorContains(t, err, "twilio configuration: account_sid must be AC followed by 32 hex digits; auth_token_ref must be")
	require.NotContains(t, err.Error(), bad.AuthTokenRef)
}

func TestNewKeepsTheCallersHTTPClient(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	_, err := twilio.New(twilio.Config{AccountSID: testSID, AuthTokenRef: "env:T", From: office, HTTPClient: hc})
	require.NoError(t, err)
	require.Nil(t, hc.CheckRedirect, "copied, not changed")
}

// Not parallel: it sets the environment.
func TestTokenFromEnvironment(t *testing.T) {
	b := setup(t, func(c *twilio.Config) { c.AuthTokenRef = "env:BACKDESK_TEST_TWILIO_TOKEN" })
	t.Setenv("BACKDESK_TEST_TWILIO_TOKEN", "")
	_, err := b.client.Send(t.Context(), text())
	require.EqualError(t, err, "text not sent: twilio auth token env:BACKDESK_TEST_TWILIO_TOKEN: not set or empty")
	require.Zero(t, b.fake.requests.Load())

	t.Setenv("BACKDESK_TEST_TWILIO_TOKEN", testToken)
	_, err = b.client.Send(t.Context(), text())
	require.NoError(t, err)
}
