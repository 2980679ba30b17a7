package stripe_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/payment/stripe"
	"github.com/stretchr/testify/require"
)

const (
	testKey     = "sk_test_51QbDk4Ffa8e1c0b7d24e6a8c5b9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f"
	sessionID   = "cs_test_a1Zb2Yc3Xd4We5Vf6Ug7Th8Si9Rj0Qk1Pl2Om3Nn4Mo5Lp6Kq7Jr8Is9Ht0G"
	checkoutURL = "https://checkout.stripe.com/c/pay/" + sessionID + "#fidkdWxOYHwnPyd1blpxYHZxWjA0"
	linkID      = "6f1c2a9e-0b4d-4c1e-9a55-2f7d8c3b1e40"
	description = "Payment to Bright Smile Dental"
	// What Stripe may know of the payer, which no error may repeat.
	payerName  = "Maria Lopez"
	payerEmail = "maria.lopez@example.com"
	cardLast4  = "4242"
)

// fakeStripe stands in for api.stripe.com. It checks each request as
// Stripe's API reference documents Create a Checkout Session
// (https://docs.stripe.com/api/checkout/sessions/create): a POST to
// /v1/checkout/sessions, bearer authentication with the secret key, a
// form-encoded body with nested parameters in brackets, and the
// Idempotency-Key header (https://docs.stripe.com/api/idempotent_requests).
// It answers with reply.
type fakeStripe struct {
	t        *testing.T
	wantAuth string
	wantForm url.Values
	reply    func(w http.ResponseWriter)
	requests atomic.Int32

	mu   sync.Mutex
	keys []string
}

var stripeVersion = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}\.[a-z]+$`)

func (f *fakeStripe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	t := f.t
	if r.Method != http.MethodPost {
		t.Errorf("method %s, want POST", r.Method)
	}
	if r.URL.Path != "/v1/checkout/sessions" {
		t.Errorf("path %s, want /v1/checkout/sessions", r.URL.Path)
	}
	if r.URL.RawQuery != "" {
		t.Errorf("query %q, want none", r.URL.RawQuery)
	}
	if got := r.Header.Get("Authorization"); got != f.wantAuth {
		t.Errorf("Authorization is not Bearer and the secret key")
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("content type %q", ct)
	}
	if v := r.Header.Get("Stripe-Version"); !stripeVersion.MatchString(v) {
		t.Errorf("Stripe-Version %q", v)
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		t.Errorf("no Idempotency-Key")
	}
	f.mu.Lock()
	f.keys = append(f.keys, key)
	f.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		t.Errorf("form: %v", err)
	}
	// Present and exact, and nothing more.
	if !reflect.DeepEqual(f.wantForm, r.PostForm) {
		t.Errorf("form\n%v\nwant\n%v", r.PostForm, f.wantForm)
	}
	f.reply(w)
}

func (f *fakeStripe) idempotencyKeys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.keys...)
}

// answer replies with a status, a Request-Id and a JSON body.
func answer(status int, body string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_8Hk2Lm4Np6Qr")
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

// session is a created Checkout Session as Stripe returns it, trimmed.
func session(expires time.Time) string {
	return fmt.Sprintf(`{"id": %q, "object": "checkout.session", "amount_subtotal": 12550, "amount_total": 12550,
 "cancel_url": "https://pay.backdesk.example/p/6f1c2a9e", "client_reference_id": %q, "currency": "usd",
 "customer": null, "customer_details": null, "customer_email": null, "expires_at": %d, "livemode": false,
 "metadata": {"practice": "bright-smile", "statement": "st_8812"}, "mode": "payment", "payment_intent": null,
 "payment_status": "unpaid", "status": "open", "success_url": "https://pay.backdesk.example/p/6f1c2a9e/done",
 "ui_mode": "hosted", "url": %q}`, sessionID, linkID, expires.Unix(), checkoutURL)
}

type testBundle struct {
	fake    *fakeStripe
	client  *stripe.Client
	expires time.Time
}

// setup starts a fake Stripe and a client for it, with the key in a file
// as a mounted secret would be.
func setup(t *testing.T, edit func(*stripe.Config)) *testBundle {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "stripe-key")
	require.NoError(t, os.WriteFile(keyFile, []byte(testKey+"\n"), 0o600))
	hookFile := filepath.Join(dir, "stripe-webhook")
	require.NoError(t, os.WriteFile(hookFile, []byte(testSecret+"\n"), 0o600))
	expires := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	fake := &fakeStripe{t: t, wantAuth: "Bearer " + testKey, reply: answer(200, session(expires)), wantForm: url.Values{
		"mode":                                          {"payment"},
		"line_items[0][price_data][currency]":           {"usd"},
		"line_items[0][price_data][unit_amount]":        {"12550"},
		"line_items[0][price_data][product_data][name]": {description},
		"line_items[0][quantity]":                       {"1"},
		"success_url":                                   {"https://pay.backdesk.example/p/6f1c2a9e/done"},
		"cancel_url":                                    {"https://pay.backdesk.example/p/6f1c2a9e"},
		"client_reference_id":                           {linkID},
		"expires_at":                                    {strconv.FormatInt(expires.Unix(), 10)},
		"metadata[practice]":                            {"bright-smile"},
		"metadata[statement]":                           {"st_8812"},
	}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg := stripe.Config{SecretKeyRef: "file:" + keyFile, WebhookSecretRef: "file:" + hookFile,
		BaseURL: srv.URL, HTTPClient: srv.Client()}
	if edit != nil {
		edit(&cfg)
	}
	c, err := stripe.New(cfg)
	require.NoError(t, err)
	return &testBundle{fake: fake, client: c, expires: expires}
}

func (b *testBundle) request() payment.CheckoutRequest {
	return payment.CheckoutRequest{
		Key:             "paylink-6f1c2a9e-attempt-1",
		AmountCents:     12550,
		Currency:        payment.USD,
		Description:     description,
		SuccessURL:      "https://pay.backdesk.example/p/6f1c2a9e/done",
		CancelURL:       "https://pay.backdesk.example/p/6f1c2a9e",
		ClientReference: linkID,
		ExpiresAt:       b.expires,
		Metadata:        map[string]string{"practice": "bright-smile", "statement": "st_8812"},
	}
}

// requireClean checks that an error says nothing a log must not hold.
func requireClean(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	for _, private := range []string{testKey, testSecret, payerName, "Maria", payerEmail, cardLast4, "Your card was declined",
		"billing_details", "{"} {
		require.NotContains(t, msg, private)
	}
}

func TestCreateCheckout(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	co, err := b.client.CreateCheckout(context.Background(), b.request())
	require.NoError(t, err)
	require.Equal(t, payment.Checkout{ProviderID: sessionID, URL: checkoutURL, ExpiresAt: b.expires.UTC()}, co)
	require.EqualValues(t, 1, b.fake.requests.Load())
	require.Equal(t, []string{"paylink-6f1c2a9e-attempt-1"}, b.fake.idempotencyKeys())
}

func TestCreateCheckoutWithoutExpiryOrMetadata(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	delete(b.fake.wantForm, "expires_at")
	delete(b.fake.wantForm, "metadata[practice]")
	delete(b.fake.wantForm, "metadata[statement]")
	r := b.request()
	r.ExpiresAt = time.Time{}
	r.Metadata = nil
	co, err := b.client.CreateCheckout(context.Background(), r)
	require.NoError(t, err)
	require.Equal(t, b.expires.UTC(), co.ExpiresAt, "Stripe's default expiry, as it answers")
}

func TestSameKeySameIdempotencyKey(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	for range 2 {
		_, err := b.client.CreateCheckout(context.Background(), b.request())
		require.NoError(t, err)
	}
	r := b.request()
	r.Key = "paylink-6f1c2a9e-attempt-2"
	_, err := b.client.CreateCheckout(context.Background(), r)
	require.NoError(t, err)
	require.Equal(t, []string{"paylink-6f1c2a9e-attempt-1", "paylink-6f1c2a9e-attempt-1", "paylink-6f1c2a9e-attempt-2"},
		b.fake.idempotencyKeys(), "one key per request, the caller's, never a generated one")
}

func TestCreateCheckoutRefused(t *testing.T) {
	t.Parallel()
	const (
		cardDeclined = `{"error": {"charge": "ch_3QbDk4Ffa8e1c0b70x1y2z3a", "code": "card_declined", "decline_code": "generic_decline",
 "doc_url": "https://stripe.com/docs/error-codes/card-declined", "message": "Your card was declined.",
 "payment_method": {"id": "pm_1QbDk4Ffa8e1c0b7", "object": "payment_method",
  "billing_details": {"address": {"postal_code": "94110"}, "email": "maria.lopez@example.com", "name": "Maria Lopez", "phone": null},
  "card": {"brand": "visa", "exp_month": 8, "exp_year": 2029, "last4": "4242"}, "type": "card"},
 "request_log_url": "https://dashboard.stripe.com/test/logs/req_8Hk2Lm4Np6Qr", "type": "card_error"}}`
		rateLimit = `{"error": {"code": "rate_limit", "doc_url": "https://stripe.com/docs/error-codes/rate-limit",
 "message": "Too many requests hit the API too quickly.", "type": "invalid_request_error"}}`
		apiError     = `{"error": {"message": "An unknown error occurred", "type": "api_error"}}`
		badParameter = `{"error": {"code": "parameter_invalid_integer", "doc_url": "https://stripe.com/docs/error-codes/parameter-invalid-integer",
 "message": "Invalid integer: Maria Lopez", "param": "line_items[0][price_data][unit_amount]", "type": "invalid_request_error"}}`
		badKey = `{"error": {"message": "Invalid API Key provided: sk_test_****3b4c", "type": "invalid_request_error"}}`
		reused = `{"error": {"message": "Keys for idempotent requests can only be used with the same parameters they were first used with.",
 "type": "idempotency_error"}}`
		inUse = `{"error": {"code": "idempotency_key_in_use", "message": "There is currently another in-progress request using this Idempotent Key.",
 "type": "invalid_request_error"}}`
	)
	for _, c := range []struct {
		name     string
		reply    func(http.ResponseWriter)
		status   int
		code     string
		retry    bool
		keySpent bool
		says     string
	}{
		{"402 card error", answer(402, cardDeclined), 402, "card_declined", false, false, "with a card error"},
		{"429 rate limit", answer(429, rateLimit), 429, "rate_limit", true, false, "limiting the request rate"},
		{"500", answer(500, apiError), 500, "", true, true, "failed to create the session"},
		{"503", answer(503, apiError), 503, "", true, true, "failed to create the session"},
		{"400 parameter", answer(400, badParameter), 400, "parameter_invalid_integer", false, false,
			"refused the request at parameter line_items[0][price_data][unit_amount]"},
		{"401 key", answer(401, badKey), 401, "", false, false, "refused the secret key"},
		{"403 restricted key", answer(403, `{"error": {"type": "invalid_request_error", "message": "The provided key 'rk_test_***' does not have the required permissions"}}`),
			403, "", false, false, "not allowed to create Checkout Sessions"},
		{"key reused", answer(400, reused), 400, "", false, false, "already used for a different request"},
		{"key in use", answer(409, inUse), 409, "idempotency_key_in_use", true, false, "still running"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			b.fake.reply = c.reply
			_, err := b.client.CreateCheckout(context.Background(), b.request())
			var pe *payment.Error
			require.ErrorAs(t, err, &pe)
			require.Equal(t, c.status, pe.HTTPStatus)
			require.Equal(t, c.code, pe.Code)
			require.Equal(t, c.retry, payment.Temporary(err))
			require.Equal(t, c.keySpent, pe.KeySpent)
			require.Equal(t, "req_8Hk2Lm4Np6Qr", pe.RequestID)
			require.ErrorContains(t, err, c.says)
			requireClean(t, err)
			require.NotContains(t, err.Error(), "Invalid", "Stripe's own message is not repeated")
			require.EqualValues(t, 1, b.fake.requests.Load(), "no retries of its own")
		})
	}

	b := setup(t, nil)
	b.fake.reply = answer(402, cardDeclined)
	_, err := b.client.CreateCheckout(context.Background(), b.request())
	require.EqualError(t, err, "checkout not created (HTTP 402, code card_declined): Stripe refused the request with a card error; "+
		"request req_8Hk2Lm4Np6Qr; see https://stripe.com/docs/error-codes/card-declined")
}

func TestCreateCheckoutUnclearAnswers(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		reply    func(http.ResponseWriter)
		keySpent bool
		says     string
	}{
		{"dropped connection", dropped, false, "could not be reached"},
		{"HTML from a proxy", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><body>Bad gateway for Maria Lopez</body></html>")
		}, true, "answer could not be read"},
		{"garbled session", answer(200, `{"id": "cs_test_1", "customer_details": {"name": "Maria Lopez"`), true, "answer could not be read"},
		{"no URL", answer(200, `{"id": "cs_test_1", "object": "checkout.session", "url": null}`), true, "without a session id or checkout URL"},
		{"redirect", func(w http.ResponseWriter) {
			w.Header().Set("Location", "https://elsewhere.example/")
			w.WriteHeader(http.StatusFound)
		}, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			b.fake.reply = c.reply
			_, err := b.client.CreateCheckout(context.Background(), b.request())
			var pe *payment.Error
			require.ErrorAs(t, err, &pe)
			require.True(t, payment.Temporary(err))
			require.Equal(t, c.keySpent, pe.KeySpent)
			require.ErrorContains(t, err, c.says)
			requireClean(t, err)
			require.NotContains(t, err.Error(), "html")
			require.EqualValues(t, 1, b.fake.requests.Load(), "no retries of its own, and no redirect followed")
		})
	}
}

func TestCreateCheckoutRefusesBeforeAsking(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		edit func(*payment.CheckoutRequest)
		says string
	}{
		{"no key", func(r *payment.CheckoutRequest) { r.Key = "" }, "idempotency key is empty"},
		{"no amount", func(r *payment.CheckoutRequest) { r.AmountCents = 0 }, "amount"},
		{"under Stripe's minimum", func(r *payment.CheckoutRequest) { r.AmountCents = 49 }, "minimum of $0.50"},
		{"over Stripe's maximum", func(r *payment.CheckoutRequest) { r.AmountCents = 100_000_000 }, "maximum of $999,999.99"},
		{"expiring too soon", func(r *payment.CheckoutRequest) { r.ExpiresAt = time.Now().Add(10 * time.Minute) }, "less than 30 minutes"},
		{"expiring too late", func(r *payment.CheckoutRequest) { r.ExpiresAt = time.Now().Add(25 * time.Hour) }, "more than 24 hours"},
		{"name as reference", func(r *payment.CheckoutRequest) { r.ClientReference = payerName }, "client reference is not an id"},
		{"e-mail in metadata", func(r *payment.CheckoutRequest) { r.Metadata["payer"] = payerEmail }, "not an id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, nil)
			r := b.request()
			c.edit(&r)
			_, err := b.client.CreateCheckout(context.Background(), r)
			require.ErrorContains(t, err, c.says)
			require.False(t, payment.Temporary(err))
			requireClean(t, err)
			require.Zero(t, b.fake.requests.Load())
		})
	}
}

func TestCreateCheckoutCancelled(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.client.CreateCheckout(ctx, b.request())
	require.ErrorIs(t, err, context.Canceled)
	require.True(t, payment.Temporary(err), "a request cut short may be tried again with the same key")
	requireClean(t, err)
}

func TestCreateCheckoutWithoutKey(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "absent")
	b := setup(t, func(c *stripe.Config) { c.SecretKeyRef = "file:" + missing })
	_, err := b.client.CreateCheckout(context.Background(), b.request())
	require.EqualError(t, err, "checkout not created: stripe secret key file:"+missing+": no such file or directory")
	require.False(t, payment.Temporary(err))
	require.Zero(t, b.fake.requests.Load())
}

func TestCreateCheckoutRefusesAPublishableKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"pk_test_51QbDk4Ffa8e1c0b7", "whsec_0123", "Maria Lopez"} {
		file := filepath.Join(t.TempDir(), "key")
		require.NoError(t, os.WriteFile(file, []byte(key), 0o600))
		b := setup(t, func(c *stripe.Config) { c.SecretKeyRef = "file:" + file })
		_, err := b.client.CreateCheckout(context.Background(), b.request())
		require.ErrorContains(t, err, "stripe secret key file:"+file+": is ")
		require.NotContains(t, err.Error(), key)
		require.Zero(t, b.fake.requests.Load())
	}
}

func TestRestrictedKey(t *testing.T) {
	t.Parallel()
	const restricted = "rk_test_51QbDk4Ffa8e1c0b7d24e6a8c5b9d0e1f2a3b4c"
	file := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(file, []byte(restricted), 0o600))
	b := setup(t, func(c *stripe.Config) { c.SecretKeyRef = "file:" + file })
	b.fake.wantAuth = "Bearer " + restricted
	_, err := b.client.CreateCheckout(context.Background(), b.request())
	require.NoError(t, err)
	require.EqualValues(t, 1, b.fake.requests.Load())
}
