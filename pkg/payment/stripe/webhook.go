package stripe

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/payment"
)

// SignatureHeader is the header Stripe signs its webhooks with.
const SignatureHeader = "Stripe-Signature"

// Tolerance is how far a signature's timestamp may be from the server's
// clock, either way: Stripe's libraries' default, five minutes.
const Tolerance = 5 * time.Minute

// Why Verify refuses a webhook, found with errors.Is.
var (
	// ErrNoSignature is a request without the signature header: not from
	// Stripe.
	ErrNoSignature = errors.New("the request has no " + SignatureHeader + " header")
	// ErrBadSignature is a header that is malformed, has no v1
	// signature, or has none that matches: another endpoint's secret, or
	// a body changed on the way (re-encoded JSON included).
	ErrBadSignature = errors.New("the " + SignatureHeader + " header does not match the body")
	// ErrTooOld is a correctly signed webhook whose timestamp is more than
	// Tolerance in the past: a replay of an old delivery, or one that sat
	// too long on the way. Stripe signs each retry afresh.
	ErrTooOld = errors.New("the signature is more than 5 minutes old")
	// ErrTooNew is a correctly signed webhook whose timestamp is more than
	// Tolerance ahead of the server's clock; one of the clocks is wrong.
	ErrTooNew = errors.New("the signature's timestamp is more than 5 minutes ahead of this server's clock")
)

// Signature is the v1 signature Stripe computes for payload at time t:
// the hex HMAC-SHA256, keyed with the endpoint's signing secret (whsec_
// and all), of the Unix time in decimal, ".", and the payload's bytes.
func Signature(secret string, t time.Time, payload []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(t.Unix(), 10)))
	mac.Write([]byte("."))
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}

// SignedHeader is a Stripe-Signature header for payload signed at t with
// secret, "t=...,v1=...". Tests of webhook handlers sign their requests
// with it.
func SignedHeader(secret string, t time.Time, payload []byte) string {
	return "t=" + strconv.FormatInt(t.Unix(), 10) + ",v1=" + Signature(secret, t, payload)
}

// Verify checks a webhook's Stripe-Signature header against its raw body
// as Stripe documents the scheme: the header is comma-separated key=value
// pairs; t is the Unix time of signing, and each v1 is a signature
// (several during a secret's rollover, one per active secret). Other
// schemes, such as the v0 Stripe adds to test events, are ignored. The
// webhook is accepted if any v1 matches Signature(secret, t, payload) and
// t is within Tolerance of now.
//
// The signature is checked before the time, so ErrTooOld and ErrTooNew
// mean a genuine webhook at the wrong time. Errors never include the
// secret, the signatures or the body.
func Verify(payload []byte, header, secret string, now time.Time) error {
	if secret == "" {
		return errors.New("stripe webhook: no signing secret to check the signature with")
	}
	if strings.TrimSpace(header) == "" {
		return fmt.Errorf("stripe webhook: %w", ErrNoSignature)
	}
	t, sigs, ok := parseHeader(header)
	if !ok {
		return fmt.Errorf("stripe webhook: malformed header: %w", ErrBadSignature)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("stripe webhook: no v1 signature: %w", ErrBadSignature)
	}
	want, _ := hex.DecodeString(Signature(secret, t, payload))
	matched := false
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("stripe webhook: %w", ErrBadSignature)
	}
	switch age := now.Sub(t); {
	case age > Tolerance:
		return fmt.Errorf("stripe webhook: %w", ErrTooOld)
	case age < -Tolerance:
		return fmt.Errorf("stripe webhook: %w", ErrTooNew)
	}
	return nil
}

// parseHeader reads t and the v1 signatures, splitting at "," and then
// at the first "=", as Stripe's documentation says; there are no spaces.
// A pair without "=", a missing or repeated t, or a t that is not a whole
// number makes the header malformed.
func parseHeader(header string) (t time.Time, v1 []string, ok bool) {
	seen := false
	for pair := range strings.SplitSeq(header, ",") {
		k, v, found := strings.Cut(pair, "=")
		if !found {
			return time.Time{}, nil, false
		}
		switch k {
		case "t":
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil || seen {
				return time.Time{}, nil, false
			}
			t, seen = time.Unix(sec, 0), true
		case "v1":
			v1 = append(v1, v)
		}
	}
	return t, v1, seen
}

// Event types ParseEvent reads; see ParseEvent.
const (
	// SessionCompleted is a patient finishing checkout: Paid, or Pending
	// for a bank debit.
	SessionCompleted = "checkout.session.completed"
	// SessionAsyncPaymentSuccess is a pending bank debit that went
	// through: Paid.
	SessionAsyncPaymentSuccess = "checkout.session.async_payment_succeeded"
	// SessionAsyncPaymentFailed is a pending bank debit that did not:
	// Failed.
	SessionAsyncPaymentFailed = "checkout.session.async_payment_failed"
	// SessionExpired is a session that expired unpaid: Expired.
	SessionExpired = "checkout.session.expired"
	// ChargeRefunded is a refund, in full or in part: Refunded.
	ChargeRefunded = "charge.refunded"
)

// event is the part of a Stripe Event that Backdesk reads.
type event struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

// session is the part of a Checkout Session that Backdesk reads. Its
// customer_details (the payer's name, e-mail and address) are not.
type session struct {
	ID                string `json:"id"`
	Object            string `json:"object"`
	Mode              string `json:"mode"`
	AmountTotal       int64  `json:"amount_total"`
	Currency          string `json:"currency"`
	ClientReferenceID string `json:"client_reference_id"`
	PaymentIntent     ref    `json:"payment_intent"`
	PaymentStatus     string `json:"payment_status"`
}

// charge is the part of a Charge that Backdesk reads. Its
// billing_details and payment_method_details (the card's brand and last
// four digits) are not.
type charge struct {
	ID             string `json:"id"`
	Object         string `json:"object"`
	AmountRefunded int64  `json:"amount_refunded"`
	Currency       string `json:"currency"`
	PaymentIntent  ref    `json:"payment_intent"`
}

// ref is an expandable field: an id, null, or the object with its id.
type ref string

// UnmarshalJSON reads an id, null, or an expanded object's id.
func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*r = ""
		return nil
	case len(b) > 0 && b[0] == '{':
		var o struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*r = ref(o.ID)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*r = ref(s)
	return nil
}

// errNotEvent stands for every way a body can fail to be an event; the
// decoder's own errors can quote the body.
var errNotEvent = errors.New("stripe webhook: the body is not a Stripe event Backdesk can read")

// ParseEvent reads a verified webhook's body:
//
//   - checkout.session.completed: Paid when the session's payment_status
//     is "paid"; Pending when it is "unpaid" (a bank debit that settles
//     later).
//   - checkout.session.async_payment_succeeded: Paid.
//   - checkout.session.async_payment_failed: Failed.
//   - checkout.session.expired: Expired.
//   - charge.refunded: Refunded, with the amount refunded so far and the
//     PaymentIntent; no session or client reference, which a Charge does
//     not carry.
//
// Session events give the session's id, client_reference_id, amount_total,
// currency and payment_intent. Other event types, sessions not in payment
// mode, and a completed session that needs no payment are a
// *payment.IgnoredError. Errors never quote the body.
func ParseEvent(payload []byte) (payment.Event, error) {
	var e event
	if err := json.Unmarshal(payload, &e); err != nil || e.Object != "event" || !strings.HasPrefix(e.ID, "evt_") ||
		e.Type == "" || e.Created <= 0 || len(e.Data.Object) == 0 {
		return payment.Event{}, errNotEvent
	}
	ev := payment.Event{ID: e.ID, At: time.Unix(e.Created, 0).UTC()}
	ignore := func(why string) (payment.Event, error) {
		return payment.Event{}, &payment.IgnoredError{EventID: e.ID, EventType: e.Type, Why: why}
	}
	switch e.Type {
	case SessionCompleted, SessionAsyncPaymentSuccess, SessionAsyncPaymentFailed, SessionExpired:
		var s session
		if err := json.Unmarshal(e.Data.Object, &s); err != nil || s.Object != "checkout.session" || !strings.HasPrefix(s.ID, "cs_") {
			return payment.Event{}, fmt.Errorf("stripe webhook %s: the event's object is not a Checkout Session", e.ID)
		}
		if s.Mode != "payment" {
			return ignore("not a payment-mode session")
		}
		ev.ProviderID = s.ID
		ev.ClientReference = s.ClientReferenceID
		ev.AmountCents = s.AmountTotal
		ev.Currency = s.Currency
		ev.PaymentIntent = string(s.PaymentIntent)
		switch e.Type {
		case SessionCompleted:
			switch s.PaymentStatus {
			case "paid":
				ev.Type = payment.Paid
			case "unpaid":
				ev.Type = payment.Pending
			default:
				return ignore("the session needs no payment")
			}
		case SessionAsyncPaymentSuccess:
			ev.Type = payment.Paid
		case SessionAsyncPaymentFailed:
			ev.Type = payment.Failed
		case SessionExpired:
			ev.Type = payment.Expired
		}
	case ChargeRefunded:
		var c charge
		if err := json.Unmarshal(e.Data.Object, &c); err != nil || c.Object != "charge" || !strings.HasPrefix(c.ID, "ch_") {
			return payment.Event{}, fmt.Errorf("stripe webhook %s: the event's object is not a Charge", e.ID)
		}
		if c.PaymentIntent == "" {
			return ignore("the charge has no PaymentIntent, so it was not made by Checkout")
		}
		ev.Type = payment.Refunded
		ev.AmountCents = c.AmountRefunded
		ev.Currency = c.Currency
		ev.PaymentIntent = string(c.PaymentIntent)
	default:
		return ignore("")
	}
	return ev, nil
}

// VerifyWebhook checks a webhook's body against its Stripe-Signature
// header with the configured signing secret (see Verify) and reads it
// (see ParseEvent). now is the server's clock, time.Now() in a handler.
// The body must be the bytes as they arrived, before any JSON decoding.
func (c *Client) VerifyWebhook(payload []byte, sigHeader string, now time.Time) (payment.Event, error) {
	secret, err := c.cfg.webhookSecret()
	if err != nil {
		return payment.Event{}, fmt.Errorf("stripe webhook: %w", err)
	}
	if err := Verify(payload, sigHeader, secret, now); err != nil {
		return payment.Event{}, err
	}
	return ParseEvent(payload)
}
