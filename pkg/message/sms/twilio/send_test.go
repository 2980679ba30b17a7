package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/stretchr/testify/require"
)

const (
	testSID     = "AC00112233445566778899aabbccddeeff"
	testService = "MG00112233445566778899aabbccddeeff"
	testToken   = "f3a9c1e0b7d24e6a8c5b9d0e1f2a3b4c"
	patient     = "+14155550123"
	office      = "+14155550199"
	reminder    = "Hi Maria, your cleaning at Bright Smile Dental is Tue Oct 6 at 9:30 AM. Reply C to confirm, STOP to opt out."
	callbackURL = "https://backdesk.example/sms/status?practice=bright-smile"
)

// fakeTwilio checks each request as Twilio's Messages API documents it and
// answers with reply.
type fakeTwilio struct {
	t        *testing.T
	wantForm url.Values
	reply    func(w http.ResponseWriter)
	requests atomic.Int32
}

func (f *fakeTwilio) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if want := "/2010-04-01/Accounts/" + testSID + "/Messages.json"; r.URL.Path != want {
		t.Errorf("path %s, want %s", r.URL.Path, want)
	}
	if r.URL.RawQuery != "" {
		t.Errorf("query %q, want none", r.URL.RawQuery)
	}
	user, pass, ok := r.BasicAuth()
	if !ok || user != testSID || pass != testToken {
		t.Errorf("basic auth missing or not the account SID and token")
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("content type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		t.Errorf("form: %v", err)
	}
	// Present and exact, and nothing more.
	if !reflect.DeepEqual(f.wantForm, r.PostForm) {
		t.Errorf("form %v, want %v", r.PostForm, f.wantForm)
	}
	f.reply(w)
}

func answer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

// dropped closes the connection without answering.
func dropped(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

const queued = `{"account_sid": "AC00112233445566778899aabbccddeeff", "api_version": "2010-04-01",
 "body": "Hi Maria, your cleaning at Bright Smile Dental is Tue Oct 6 at 9:30 AM. Reply C to confirm, STOP to opt out.",
 "date_created": "Mon, 05 Oct 2026 16:00:00 +0000", "date_sent": null, "date_updated": "Mon, 05 Oct 2026 16:00:00 +0000",
 "direction": "outbound-api", "error_code": null, "error_message": null, "from": "+14155550199",
 "messaging_service_sid": null, "num_media": "0", "num_segments": "1", "price": null, "price_unit": "USD",
 "sid": "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", "status": "queued",
 "subresource_uris": {"media": "/2010-04-01/Accounts/AC00112233445566778899aabbccddeeff/Messages/SM0a1b2c3d4e5f60718293a4b5c6d7e8f9/Media.json"},
 "to": "+14155550123", "uri": "/2010-04-01/Accounts/AC00112233445566778899aabbccddeeff/Messages/SM0a1b2c3d4e5f60718293a4b5c6d7e8f9.json"}`

type testBundle struct {
	fake   *fakeTwilio
	client *twilio.Client
	cfg    twilio.Config
}

// setup starts a fake Twilio and a client for it, with the token in a
// file as a mounted secret would be.
func setup(t *testing.T, edit func(*twilio.Config)) *testBundle {
	t.Helper()
	tokenFile := filepath.Join(t.TempDir(), "twilio-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(testToken+"\n"), 0o600))
	fake := &fakeTwilio{t: t, reply: answer(201, queued), wantForm: url.Values{
		"To": {patient}, "From": {office}, "Body": {reminder}, "StatusCallback": {callbackURL},
	}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg := twilio.Config{AccountSID: testSID, AuthTokenRef: "file:" + tokenFile, From: office,
		BaseURL: srv.URL, HTTPClient: srv.Client()}
	if edit != nil {
		edit(&cfg)
	}
	c, err := twilio.New(cfg)
	require.NoError(t, err)
	return &testBundle{fake: fake, client: c, cfg: cfg}
}

func text() sms.Text {
	return sms.Text{To: patient, Body: reminder, StatusCallback: callbackURL, Key: "reminder-7f3e"}
}

// requireClean checks that an error says nothing a log must not hold.
func requireClean(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	for _, secret := range []string{patient, strings.TrimPrefix(patient, "+1"), "5550123", office, reminder, "Maria", testToken} {
		require.NotContains(t, msg, secret)
	}
}

func TestSendQueued(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	r, err := b.client.Send(context.Background(), text())
	require.NoError(t, err)
	require.Equal(t, sms.Receipt{ProviderID: "SM0a1b2c3d4e5f60718293a4b5c6d7e8f9", Status: "queued"}, r)
	require.EqualValues(t, 1, b.fake.requests.Load())
}

func TestSendFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		reply     func(http.ResponseWriter)
		temporary bool
		is        error
		code      string
		says      string
	}{
		{"invalid number", answer(400, `{"code": 21211, "message": "Invalid 'To' Phone Number: +14155550123", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`),
			false, sms.ErrInvalidNumber, "21211", "(HTTP 400, code 21211): the recipient's number cannot receive texts; see https://www.twilio.com/docs/errors/21211"},
		{"unsubscribed", answer(400, `{"code": 21610, "message": "Attempt to send to unsubscribed recipient", "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}`),
			false, sms.ErrUnsubscribed, "21610", "opted out"},
		{"rate limited", answer(429, `{"code": 20429, "message": "Too Many Requests", "more_info": "https://www.twilio.com/docs/errors/20429", "status": 429}`),
			true, nil, "20429", "limiting the request rate"},
		{"server error", answer(500, `{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}`),
			true, nil, "20500", "failed to take the message"},
		{"gateway error without JSON", answer(502, `<html>Bad Gateway</html>`), true, nil, "", "(HTTP 502)"},
		{"dropped connection", dropped, true, nil, "", "could not be reached"},
		{"wrong credentials", answer(401, `{"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}`),
			false, nil, "20003", "refused the account SID and auth token"},
		{"redirect", func(w http.ResponseWriter) {
			w.Header().Set("Location", "https://elsewhere.example/")
			w.WriteHeader(http.StatusFound)
		}, false, nil, "", "redirect"},
		{"accepted but unreadable", answer(201, `{"sid": `), false, nil, "", "may have been sent"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			b.fake.reply = c.reply
			r, err := b.client.Send(context.Background(), text())
			require.Error(t, err)
			require.Zero(t, r)
			require.Equal(t, c.temporary, sms.Temporary(err), err.Error())
			if c.is != nil {
				require.ErrorIs(t, err, c.is)
			}
			var e *sms.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, c.code, e.Code)
			require.Contains(t, err.Error(), c.says)
			requireClean(t, err)
			require.EqualValues(t, 1, b.fake.requests.Load(), "sent once, never retried or redirected by the client")
		})
	}
}

func TestSendThroughMessagingService(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *twilio.Config) { c.From, c.MessagingServiceSID = "", testService })
	b.fake.wantForm = url.Values{"To": {patient}, "MessagingServiceSid": {testService}, "Body": {reminder}}
	tx := text()
	tx.StatusCallback = ""
	_, err := b.client.Send(context.Background(), tx)
	require.NoError(t, err)
}

func TestSendFromAnotherNumber(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.fake.wantForm.Set("From", "+14155550188")
	tx := text()
	tx.From = "+14155550188"
	_, err := b.client.Send(context.Background(), tx)
	require.NoError(t, err)
}

func TestSendRefusesBeforeAsking(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		edit func(*sms.Text)
		says string
	}{
		{"number as typed", func(tx *sms.Text) { tx.To = "(415) 555-0123" }, "E.164"},
		{"no number", func(tx *sms.Text) { tx.To = "" }, "E.164"},
		{"empty body", func(tx *sms.Text) { tx.Body = "  " }, "body is empty"},
		{"body too long", func(tx *sms.Text) { tx.Body = strings.Repeat("a", 1601) }, "1600 characters"},
		{"relative callback", func(tx *sms.Text) { tx.StatusCallback = "/sms/status" }, "status callback"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			tx := text()
			c.edit(&tx)
			_, err := b.client.Send(context.Background(), tx)
			require.ErrorContains(t, err, c.says)
			require.False(t, sms.Temporary(err))
			requireClean(t, err)
			require.Zero(t, b.fake.requests.Load())
		})
	}
}

func TestSendWithoutToken(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "absent")
	b := setup(t, func(c *twilio.Config) { c.AuthTokenRef = "file:" + missing })
	_, err := b.client.Send(context.Background(), text())
	require.ErrorContains(t, err, "twilio auth token file:"+missing+": no such file or directory")
	require.False(t, sms.Temporary(err))
	require.Zero(t, b.fake.requests.Load())
}

func TestSendCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.client.Send(ctx, text())
	require.ErrorIs(t, err, context.Canceled)
	require.True(t, sms.Temporary(err), "a send cut short may be tried again")
	requireClean(t, err)
}
