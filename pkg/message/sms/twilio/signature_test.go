package twilio_test

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/stretchr/testify/require"
)

// The example request Twilio signs in the tests of its own Go helper
// library, github.com/twilio/twilio-go, file client/request_validator_test.go
// (https://github.com/twilio/twilio-go/blob/main/client/request_validator_test.go):
// auth token 12345, the URL and POST parameters below, and the signature
// Twilio's validator accepts for them. The scheme itself is described at
// https://www.twilio.com/docs/usage/webhooks/webhooks-security.
func TestSignatureMatchesTwilioExample(t *testing.T) {
	t.Parallel()
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"},
		"Caller":  {"+14158675309"},
		"Digits":  {"1234"},
		"From":    {"+14158675309"},
		"To":      {"+18005551212"},
	}
	const (
		token     = "12345"
		fullURL   = "https://mycompany.com/myapp.php?foo=1&bar=2"
		signature = "RSOYDt4T1cUTdK1PDd93/VVr8B8="
	)
	require.Equal(t, signature, twilio.Signature(token, fullURL, params))
	// One character anywhere changes it.
	require.NotEqual(t, signature, twilio.Signature("12346", fullURL, params))
	require.NotEqual(t, signature, twilio.Signature(token, "https://mycompany.com/myapp.php?foo=1&bar=3", params))
	params.Set("Digits", "1235")
	require.NotEqual(t, signature, twilio.Signature(token, fullURL, params))
}

// TestSignatureAgainstOpenSSL checks a realistic inbound text, with
// spaces, plus signs, ampersands and non-ASCII in its values, against an
// HMAC computed by openssl over the signed string written out by hand.
func TestSignatureAgainstOpenSSL(t *testing.T) {
	t.Parallel()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl is needed for this test and is missing")
		}
		t.Skip("openssl is not installed")
	}
	const (
		token   = "f3a9c1e0b7d24e6a8c5b9d0e1f2a3b4c"
		fullURL = "https://backdesk.example/sms/inbound?practice=bright-smile&v=2"
	)
	params := url.Values{
		"ToCountry":     {"US"},
		"SmsMessageSid": {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
		"NumMedia":      {"0"},
		"SmsSid":        {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
		"SmsStatus":     {"received"},
		"Body":          {"Can I come at 3 & bring my son? Merci 😊 a+b=c"},
		"To":            {"+14155550199"},
		"NumSegments":   {"1"},
		"MessageSid":    {"SM0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
		"AccountSid":    {"AC00112233445566778899aabbccddeeff"},
		"From":          {"+14155550123"},
		"ApiVersion":    {"2010-04-01"},
		"FromCity":      {""},
	}
	// Names in byte order, each followed by its value, after the URL.
	signed := fullURL +
		"AccountSid" + "AC00112233445566778899aabbccddeeff" +
		"ApiVersion" + "2010-04-01" +
		"Body" + "Can I come at 3 & bring my son? Merci 😊 a+b=c" +
		"From" + "+14155550123" +
		"FromCity" + "" +
		"MessageSid" + "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9" +
		"NumMedia" + "0" +
		"NumSegments" + "1" +
		"SmsMessageSid" + "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9" +
		"SmsSid" + "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9" +
		"SmsStatus" + "received" +
		"To" + "+14155550199" +
		"ToCountry" + "US"
	cmd := exec.Command(openssl, "dgst", "-sha1", "-hmac", token, "-binary")
	cmd.Stdin = bytes.NewBufferString(signed)
	mac, err := cmd.Output()
	require.NoError(t, err)
	require.Len(t, mac, 20)
	require.Equal(t, base64.StdEncoding.EncodeToString(mac), twilio.Signature(token, fullURL, params))
}
