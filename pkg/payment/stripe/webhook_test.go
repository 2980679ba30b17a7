package stripe_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/payment/stripe"
	"github.com/stretchr/testify/require"
)

const (
	eventID       = "evt_1QbDk4Ffa8e1c0b7Wx3Yz4Ab"
	paymentIntent = "pi_3QbDk4Ffa8e1c0b71AbCdEfG"
	chargeID      = "ch_3QbDk4Ffa8e1c0b71XyZ9876"
	created       = 1791306000 // 2026-10-06 17:00 UTC
)

// sessionEvent is a Checkout Session event as Stripe sends it, trimmed,
// with the payer's details Stripe collected on its page.
func sessionEvent(typ, mode, paymentStatus, intent string) []byte {
	return fmt.Appendf(nil, `{
  "id": %q,
  "object": "event",
  "api_version": "2025-08-27.basil",
  "created": %d,
  "data": {
    "object": {
      "id": %q,
      "object": "checkout.session",
      "amount_subtotal": 12550,
      "amount_total": 12550,
      "cancel_url": "https://pay.backdesk.example/p/6f1c2a9e",
      "client_reference_id": %q,
      "currency": "usd",
      "customer_details": {
        "address": {"city": "San Francisco", "country": "US", "line1": "1 Mission St", "postal_code": "94105", "state": "CA"},
        "email": "maria.lopez@example.com", "name": "Maria Lopez", "phone": null, "tax_exempt": "none", "tax_ids": []
      },
      "expires_at": 1791313200,
      "livemode": false,
      "metadata": {"practice": "bright-smile", "statement": "st_8812"},
      "mode": %q,
      "payment_intent": %s,
      "payment_method_types": ["card", "us_bank_account"],
      "payment_status": %q,
      "status": "complete",
      "success_url": "https://pay.backdesk.example/p/6f1c2a9e/done",
      "url": null
    }
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": null, "idempotency_key": null},
  "type": %q
}`, eventID, created, sessionID, linkID, mode, intent, paymentStatus, typ)
}

// refundEvent is a charge.refunded event, trimmed, with the card's and
// payer's details.
func refundEvent(intent string) []byte {
	return fmt.Appendf(nil, `{
  "id": %q,
  "object": "event",
  "api_version": "2025-08-27.basil",
  "created": %d,
  "data": {
    "object": {
      "id": %q,
      "object": "charge",
      "amount": 12550,
      "amount_captured": 12550,
      "amount_refunded": 5000,
      "billing_details": {"address": {"postal_code": "94105"}, "email": "maria.lopez@example.com", "name": "Maria Lopez", "phone": null},
      "captured": true,
      "currency": "usd",
      "paid": true,
      "payment_intent": %s,
      "payment_method_details": {"card": {"brand": "visa", "exp_month": 8, "exp_year": 2029, "last4": "4242"}, "type": "card"},
      "refunded": false,
      "status": "succeeded"
    },
    "previous_attributes": {"amount_refunded": 0}
  },
  "livemode": false,
  "pending_webhooks": 1,
  "request": {"id": "req_Zx9Yw8Vu7", "idempotency_key": "a7f3e1d2-refund"},
  "type": "charge.refunded"
}`, eventID, created, chargeID, intent)
}

var at = time.Unix(created, 0).UTC()

func sessionPayment(typ payment.EventType, intent string) payment.Event {
	return payment.Event{ID: eventID, Type: typ, ProviderID: sessionID, ClientReference: linkID,
		AmountCents: 12550, Currency: "usd", PaymentIntent: intent, At: at}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	pi := `"` + paymentIntent + `"`
	for _, c := range []struct {
		name string
		body []byte
		want payment.Event
	}{
		{"completed and paid", sessionEvent("checkout.session.completed", "payment", "paid", pi), sessionPayment(payment.Paid, paymentIntent)},
		{"completed, bank debit pending", sessionEvent("checkout.session.completed", "payment", "unpaid", pi), sessionPayment(payment.Pending, paymentIntent)},
		{"bank debit succeeded", sessionEvent("checkout.session.async_payment_succeeded", "payment", "paid", pi), sessionPayment(payment.Paid, paymentIntent)},
		{"bank debit failed", sessionEvent("checkout.session.async_payment_failed", "payment", "unpaid", pi), sessionPayment(payment.Failed, paymentIntent)},
		{"expired", sessionEvent("checkout.session.expired", "payment", "unpaid", "null"), sessionPayment(payment.Expired, "")},
		{"payment intent expanded", sessionEvent("checkout.session.completed", "payment", "paid", `{"id": "`+paymentIntent+`", "object": "payment_intent"}`),
			sessionPayment(payment.Paid, paymentIntent)},
		{"refunded in part", refundEvent(pi), payment.Event{ID: eventID, Type: payment.Refunded, AmountCents: 5000, Currency: "usd",
			PaymentIntent: paymentIntent, At: at}},
	} {
		got, err := stripe.ParseEvent(c.body)
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, got, c.name)
	}
}

func TestParseEventIgnores(t *testing.T) {
	t.Parallel()
	pi := `"` + paymentIntent + `"`
	for _, c := range []struct {
		name, typ, why string
		body           []byte
	}{
		{"another type", "payment_intent.succeeded", "",
			[]byte(`{"id": "` + eventID + `", "object": "event", "created": 1791306000, "type": "payment_intent.succeeded",
			"data": {"object": {"id": "pi_1", "object": "payment_intent"}}}`)},
		{"a customer", "customer.created", "",
			[]byte(`{"id": "` + eventID + `", "object": "event", "created": 1791306000, "type": "customer.created",
			"data": {"object": {"id": "cus_1", "object": "customer", "name": "Maria Lopez"}}}`)},
		{"a subscription checkout", "checkout.session.completed", "not a payment-mode session",
			sessionEvent("checkout.session.completed", "subscription", "paid", "null")},
		{"nothing to pay", "checkout.session.completed", "the session needs no payment",
			sessionEvent("checkout.session.completed", "payment", "no_payment_required", pi)},
		{"a charge not from Checkout", "charge.refunded", "the charge has no PaymentIntent, so it was not made by Checkout",
			refundEvent("null")},
	} {
		_, err := stripe.ParseEvent(c.body)
		require.ErrorIs(t, err, payment.ErrIgnored, c.name)
		var ie *payment.IgnoredError
		require.ErrorAs(t, err, &ie)
		require.Equal(t, payment.IgnoredError{EventID: eventID, EventType: c.typ, Why: c.why}, *ie, c.name)
		requireClean(t, err)
	}
}

func TestParseEventRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		body string
		says string
	}{
		{"not JSON", `Maria Lopez paid`, "not a Stripe event"},
		{"truncated", string(sessionEvent("checkout.session.completed", "payment", "paid", "null"))[:300], "not a Stripe event"},
		{"an array", `[{"id": "evt_1"}]`, "not a Stripe event"},
		{"not an event", `{"id": "cs_test_1", "object": "checkout.session", "created": 1, "type": "x", "data": {"object": {}}}`, "not a Stripe event"},
		{"no id", `{"object": "event", "created": 1, "type": "charge.refunded", "data": {"object": {}}}`, "not a Stripe event"},
		{"no type", `{"id": "evt_1", "object": "event", "created": 1, "data": {"object": {}}}`, "not a Stripe event"},
		{"no time", `{"id": "evt_1", "object": "event", "type": "charge.refunded", "data": {"object": {}}}`, "not a Stripe event"},
		{"no object", `{"id": "evt_1", "object": "event", "created": 1, "type": "charge.refunded"}`, "not a Stripe event"},
		{"session event with a charge", `{"id": "evt_1", "object": "event", "created": 1, "type": "checkout.session.completed",
			"data": {"object": {"id": "ch_1", "object": "charge", "billing_details": {"name": "Maria Lopez"}}}}`, "evt_1: the event's object is not a Checkout Session"},
		{"refund with a session", `{"id": "evt_1", "object": "event", "created": 1, "type": "charge.refunded",
			"data": {"object": {"id": "cs_1", "object": "checkout.session"}}}`, "evt_1: the event's object is not a Charge"},
		{"amount as text", `{"id": "evt_1", "object": "event", "created": 1, "type": "checkout.session.expired",
			"data": {"object": {"id": "cs_1", "object": "checkout.session", "amount_total": "Maria Lopez"}}}`, "not a Checkout Session"},
	} {
		_, err := stripe.ParseEvent([]byte(c.body))
		require.ErrorContains(t, err, c.says, c.name)
		require.NotErrorIs(t, err, payment.ErrIgnored, c.name)
		requireClean(t, err)
	}
}

func TestClientVerifyWebhook(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	body := sessionEvent("checkout.session.completed", "payment", "paid", `"`+paymentIntent+`"`)
	now := time.Now()
	ev, err := b.client.VerifyWebhook(body, stripe.SignedHeader(testSecret, now.Add(-3*time.Second), body), now)
	require.NoError(t, err)
	require.Equal(t, sessionPayment(payment.Paid, paymentIntent), ev)

	_, err = b.client.VerifyWebhook(body, stripe.SignedHeader(otherSecret, now, body), now)
	require.ErrorIs(t, err, stripe.ErrBadSignature)
	_, err = b.client.VerifyWebhook(body, "", now)
	require.ErrorIs(t, err, stripe.ErrNoSignature)
	_, err = b.client.VerifyWebhook(body, stripe.SignedHeader(testSecret, now.Add(-time.Hour), body), now)
	require.ErrorIs(t, err, stripe.ErrTooOld)

	ignored := []byte(`{"id": "` + eventID + `", "object": "event", "created": 1791306000, "type": "customer.created",
		"data": {"object": {"id": "cus_1", "object": "customer"}}}`)
	_, err = b.client.VerifyWebhook(ignored, stripe.SignedHeader(testSecret, now, ignored), now)
	require.ErrorIs(t, err, payment.ErrIgnored, "ignored once verified")
	_, err = b.client.VerifyWebhook(ignored, stripe.SignedHeader(otherSecret, now, ignored), now)
	require.ErrorIs(t, err, stripe.ErrBadSignature, "the signature is checked first")
	require.NotErrorIs(t, err, payment.ErrIgnored)
}

func TestClientVerifyWebhookSecret(t *testing.T) {
	t.Parallel()
	body := sessionEvent("checkout.session.expired", "payment", "unpaid", "null")
	now := time.Now()
	missing := filepath.Join(t.TempDir(), "absent")
	b := setup(t, func(c *stripe.Config) { c.WebhookSecretRef = "file:" + missing })
	_, err := b.client.VerifyWebhook(body, stripe.SignedHeader(testSecret, now, body), now)
	require.EqualError(t, err, "stripe webhook: stripe webhook secret file:"+missing+": no such file or directory")

	notASecret := filepath.Join(t.TempDir(), "hook")
	require.NoError(t, os.WriteFile(notASecret, []byte(testKey), 0o600))
	b = setup(t, func(c *stripe.Config) { c.WebhookSecretRef = "file:" + notASecret })
	_, err = b.client.VerifyWebhook(body, stripe.SignedHeader(testKey, now, body), now)
	require.EqualError(t, err, "stripe webhook: stripe webhook secret file:"+notASecret+": is not a webhook signing secret (whsec_)")
	requireClean(t, err)
}

// Not parallel: it sets the environment.
func TestWebhookSecretFromEnvironment(t *testing.T) {
	b := setup(t, func(c *stripe.Config) { c.WebhookSecretRef = "env:BACKDESK_TEST_STRIPE_WEBHOOK_SECRET" })
	body := sessionEvent("checkout.session.expired", "payment", "unpaid", "null")
	now := time.Now()
	t.Setenv("BACKDESK_TEST_STRIPE_WEBHOOK_SECRET", "")
	_, err := b.client.VerifyWebhook(body, stripe.SignedHeader(testSecret, now, body), now)
	require.EqualError(t, err, "stripe webhook: stripe webhook secret env:BACKDESK_TEST_STRIPE_WEBHOOK_SECRET: not set or empty")

	t.Setenv("BACKDESK_TEST_STRIPE_WEBHOOK_SECRET", testSecret+"\n")
	ev, err := b.client.VerifyWebhook(body, stripe.SignedHeader(testSecret, now, body), now)
	require.NoError(t, err)
	require.Equal(t, payment.Expired, ev.Type)
}
