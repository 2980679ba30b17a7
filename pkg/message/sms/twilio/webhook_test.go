package twilio_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/stretchr/testify/require"
)

const inboundURL = "https://backdesk.example/sms/inbound?practice=bright-smile"

// inboundForm is an incoming text as Twilio posts it.
func inboundForm() url.Values {
	return url.Values{
		"ToCountry": {"US"}, "ToState": {"CA"}, "SmsMessageSid": {"SM9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
		"NumMedia": {"0"}, "ToCity": {"SAN FRANCISCO"}, "FromZip": {"94110"},
		"SmsSid": {"SM9f8e7d6c5b4a39281706f5e4d3c2b1a0"}, "FromState": {"CA"}, "SmsStatus": {"received"},
		"FromCity": {"SAN FRANCISCO"}, "Body": {"Can I move it to Thursday? Maria"}, "FromCountry": {"US"},
		"To": {office}, "ToZip": {"94105"}, "NumSegments": {"1"}, "MessageSid": {"SM9f8e7d6c5b4a39281706f5e4d3c2b1a0"},
		"AccountSid": {testSID}, "From": {patient}, "ApiVersion": {"2010-04-01"},
	}
}

// callback is a POST of form to the public URL, as it reaches the server
// behind a proxy, signed with signature unless that is empty.
func callback(form url.Values, signature string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080/sms/inbound?practice=bright-smile", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		r.Header.Set(twilio.SignatureHeader, signature)
	}
	return r
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	form := inboundForm()
	r := callback(form, twilio.Signature(testToken, inboundURL, form))
	got, err := twilio.Verify(r, inboundURL, testToken)
	require.NoError(t, err)
	require.Equal(t, form, got)
	body, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	require.Equal(t, form.Encode(), string(body), "the body is put back")
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	good := func() (url.Values, string) {
		form := inboundForm()
		return form, twilio.Signature(testToken, inboundURL, form)
	}
	for _, c := range []struct {
		name    string
		request func() *http.Request
		url     string
		is      error
		says    string
	}{
		{"missing header", func() *http.Request {
			form, _ := good()
			return callback(form, "")
		}, inboundURL, twilio.ErrNoSignature, "no X-Twilio-Signature header"},
		{"wrong signature", func() *http.Request {
			form, _ := good()
			return callback(form, twilio.Signature("0000000000000000000000000000000a", inboundURL, form))
		}, inboundURL, twilio.ErrBadSignature, "does not match"},
		{"garbage signature", func() *http.Request {
			form, _ := good()
			return callback(form, "not-a-signature")
		}, inboundURL, twilio.ErrBadSignature, "does not match"},
		{"tampered parameter", func() *http.Request {
			form, sig := good()
			form.Set("Body", "STOP")
			return callback(form, sig)
		}, inboundURL, twilio.ErrBadSignature, "does not match"},
		{"added parameter", func() *http.Request {
			form, sig := good()
			form.Set("OptOutType", "STOP")
			return callback(form, sig)
		}, inboundURL, twilio.ErrBadSignature, "does not match"},
		{"signed for another URL", func() *http.Request {
			form := inboundForm()
			return callback(form, twilio.Signature(testToken, "https://backdesk.example/sms/inbound?practice=other", form))
		}, inboundURL, twilio.ErrBadSignature, "does not match"},
		{"checked against another URL", func() *http.Request {
			form, sig := good()
			return callback(form, sig)
		}, "https://backdesk.example/sms/inbound", twilio.ErrBadSignature, "does not match"},
		{"JSON body", func() *http.Request {
			_, sig := good()
			r := httptest.NewRequest(http.MethodPost, "/sms/inbound", strings.NewReader(`{"Body": "hi"}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(twilio.SignatureHeader, sig)
			return r
		}, inboundURL + "&bodySHA256=abc", nil, "JSON callbacks are not accepted"},
		{"GET", func() *http.Request {
			_, sig := good()
			r := httptest.NewRequest(http.MethodGet, "/sms/inbound", nil)
			r.Header.Set(twilio.SignatureHeader, sig)
			return r
		}, inboundURL, nil, "only POST"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := twilio.Verify(c.request(), c.url, testToken)
			require.Error(t, err)
			require.Nil(t, got)
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
			require.Contains(t, err.Error(), c.says)
			requireClean(t, err)
			require.NotContains(t, err.Error(), twilio.Signature(testToken, inboundURL, inboundForm()))
		})
	}
}

func TestClientVerifyReadsTheToken(t *testing.T) {
	t.Parallel()
	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(testToken), 0o600))
	c, err := twilio.New(twilio.Config{AccountSID: testSID, AuthTokenRef: "file:" + tokenFile, From: office})
	require.NoError(t, err)
	form := inboundForm()
	got, err := c.Verify(callback(form, twilio.Signature(testToken, inboundURL, form)), inboundURL)
	require.NoError(t, err)
	require.Equal(t, patient, got.Get("From"))

	_, err = c.Verify(callback(form, twilio.Signature("another", inboundURL, form)), inboundURL)
	require.ErrorIs(t, err, twilio.ErrBadSignature)
}
