package payment

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// USD is the currency Backdesk collects in: the ISO 4217 code in lower
// case, as providers write it.
const USD = "usd"

// Limits on a CheckoutRequest's fields. They are the strictest among the
// providers Backdesk uses (Stripe's, for keys and metadata), so a request
// Check accepts is not refused for its shape by any of them.
const (
	// MaxKeyLength is the longest Key, in bytes.
	MaxKeyLength = 255
	// MaxDescriptionLength is the longest Description, in characters.
	MaxDescriptionLength = 250
	// MaxReferenceLength is the longest ClientReference, in bytes.
	MaxReferenceLength = 200
	// MaxMetadataEntries is the most Metadata entries.
	MaxMetadataEntries = 50
	// MaxMetadataKeyLength is the longest Metadata key, in bytes.
	MaxMetadataKeyLength = 40
	// MaxMetadataValLength is the longest Metadata value, in bytes.
	MaxMetadataValLength = 500
)

// CheckoutRequest asks a provider for a hosted checkout: a page where the
// patient pays AmountCents.
type CheckoutRequest struct {
	// Key is the caller's idempotency key for this attempt to create a
	// checkout, e.g. the payment link's id and an attempt number.
	// Providers that support idempotency keys pass it on, so that asking
	// again with the same Key and the same request returns the checkout
	// made the first time instead of making a second one; a retry must
	// therefore repeat the request exactly, ExpiresAt included. Asking
	// with the same Key and a different request is refused. A provider
	// may also replay a failure for the same Key; Error.KeySpent says
	// when a retry needs a new one.
	Key string
	// AmountCents is the amount to pay, in cents; more than zero.
	AmountCents int64
	// Currency is USD.
	Currency string
	// Description is what the patient sees on the provider's page and
	// statement, e.g. "Payment to Bright Smile Dental". It names the
	// practice only: never a procedure, a diagnosis or the patient.
	Description string
	// SuccessURL and CancelURL are absolute http(s) URLs on Backdesk the
	// provider sends the patient back to after paying or giving up. They
	// must not carry patient data; the payment link's id is enough.
	SuccessURL, CancelURL string
	// ClientReference is Backdesk's id for what is being paid (the
	// payment link's id). The provider keeps it with the checkout and
	// returns it in Events. Letters, digits, "-", "_", "." and ":" only.
	ClientReference string
	// ExpiresAt is when the checkout stops taking payment; zero means the
	// provider's default. Providers bound it (Stripe: 30 minutes to 24
	// hours after creation).
	ExpiresAt time.Time
	// Metadata is kept with the checkout at the provider, for
	// reconciliation there. Ids only: keys and values are letters, digits,
	// "-", "_", "." and ":", so a name, an address or a sentence cannot be
	// put here by mistake.
	Metadata map[string]string
}

// Checkout is a hosted checkout a provider made.
type Checkout struct {
	// ProviderID is the provider's id for the checkout (Stripe's Checkout
	// Session id, "cs_..."). Events name it.
	ProviderID string
	// URL is the provider's page to send the patient to.
	URL string
	// ExpiresAt is when the checkout stops taking payment.
	ExpiresAt time.Time
}

// EventType is what happened to a checkout or its payment.
type EventType string

// The events a provider reports.
const (
	// Paid: the patient paid AmountCents. Record the payment.
	Paid EventType = "paid"
	// Pending: the patient finished checkout with a payment method that
	// settles later (a bank debit). Paid or Failed follows, days later.
	Pending EventType = "pending"
	// Failed: a payment that was Pending did not go through.
	Failed EventType = "failed"
	// Expired: the checkout expired without a payment; the link may offer
	// a new one.
	Expired EventType = "expired"
	// Refunded: money went back to the patient. AmountCents is the total
	// refunded so far on the payment, which may be less than was paid;
	// refund events can arrive in any order, so keep the largest.
	Refunded EventType = "refunded"
)

// Event is a provider's report about a checkout or its payment, taken
// from a verified webhook (or, for DevProvider, handed over in process).
type Event struct {
	// ID is the provider's id for the event. Providers deliver an event
	// at least once, and may deliver it again; the caller records the
	// ids it applied and refuses one it has seen.
	ID string
	// Type is what happened.
	Type EventType
	// ProviderID is the checkout's id, as in Checkout.ProviderID; empty
	// for Refunded, which names the payment by PaymentIntent instead.
	ProviderID string
	// ClientReference is the request's ClientReference; empty for
	// Refunded.
	ClientReference string
	// AmountCents is the checkout's total (Paid, Pending, Failed,
	// Expired) or the amount refunded so far (Refunded), in cents.
	AmountCents int64
	// Currency is AmountCents' currency, as the provider writes it
	// ("usd").
	Currency string
	// PaymentIntent is the provider's id for the payment itself (Stripe's
	// PaymentIntent, "pi_..."); set once the patient has paid or started
	// to, and the only link from a Refunded event to its payment.
	PaymentIntent string
	// At is when the provider says it happened.
	At time.Time
}

// Provider makes hosted checkouts.
type Provider interface {
	// CreateCheckout asks the provider for a checkout page for the
	// request. On failure, Temporary says whether to ask again.
	CreateCheckout(ctx context.Context, r CheckoutRequest) (Checkout, error)
}

var (
	idLike      = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)
	metadataKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
)

// Check refuses a request no provider should get, naming the field and
// the rule, never the value: an empty or overlong key, an amount of zero
// or less, a currency other than USD, a missing or overlong description,
// return URLs that are not absolute http(s), a reference or metadata that
// is not ids. It cannot tell a practice's name from a patient's; keeping
// patient data out of Description is the caller's part.
func (r CheckoutRequest) Check() error {
	switch {
	case r.Key == "":
		return refuse("the idempotency key is empty")
	case len(r.Key) > MaxKeyLength:
		return refuse(fmt.Sprintf("the idempotency key is longer than %d bytes", MaxKeyLength))
	case strings.TrimSpace(r.Key) != r.Key || strings.ContainsFunc(r.Key, unicode.IsControl):
		return refuse("the idempotency key has surrounding spaces or control characters")
	case r.AmountCents <= 0:
		return refuse("the amount is not more than zero")
	case r.Currency != USD:
		return refuse(`the currency is not "usd"`)
	case strings.TrimSpace(r.Description) == "":
		return refuse("the description is empty")
	case !utf8.ValidString(r.Description) || strings.ContainsFunc(r.Description, unicode.IsControl):
		return refuse("the description is not valid UTF-8 on one line")
	case utf8.RuneCountInString(r.Description) > MaxDescriptionLength:
		return refuse(fmt.Sprintf("the description is longer than %d characters", MaxDescriptionLength))
	case !returnURL(r.SuccessURL):
		return refuse("the success URL is not an absolute http(s) URL")
	case !returnURL(r.CancelURL):
		return refuse("the cancel URL is not an absolute http(s) URL")
	case r.ClientReference == "":
		return refuse("the client reference is empty")
	case len(r.ClientReference) > MaxReferenceLength:
		return refuse(fmt.Sprintf("the client reference is longer than %d characters", MaxReferenceLength))
	case !idLike.MatchString(r.ClientReference):
		return refuse(`the client reference is not an id (letters, digits, "-", "_", ".", ":")`)
	case len(r.Metadata) > MaxMetadataEntries:
		return refuse(fmt.Sprintf("the metadata has more than %d entries", MaxMetadataEntries))
	}
	for k, v := range r.Metadata {
		switch {
		case len(k) > MaxMetadataKeyLength || !metadataKey.MatchString(k):
			return refuse(fmt.Sprintf(`a metadata key is not a name of up to %d letters, digits, "-", "_" or "."`, MaxMetadataKeyLength))
		case len(v) > MaxMetadataValLength || !idLike.MatchString(v):
			return refuse(fmt.Sprintf(`the metadata value for %s is not an id of up to %d characters (letters, digits, "-", "_", ".", ":")`, k, MaxMetadataValLength))
		}
	}
	return nil
}

// refuse is a request refused before any provider is asked: not
// temporary, since it fails the same way every time.
func refuse(reason string) *Error {
	return &Error{Reason: reason}
}

// returnURL reports whether s is an absolute http(s) URL with a host and
// no credentials.
func returnURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}
