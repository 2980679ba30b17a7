package stripe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"

	"github.com/backdesk/backdesk/pkg/payment"
	stripego "github.com/stripe/stripe-go/v82"
)

// Stripe's bounds on a Checkout Session.
const (
	// MinAmountCents is Stripe's smallest charge in US dollars, $0.50.
	MinAmountCents = 50
	// MaxAmountCents is the largest amount Stripe takes in one charge,
	// $999,999.99.
	MaxAmountCents = 99_999_999
	// MinExpiry is the soonest a session may expire, from its creation.
	MinExpiry = 30 * time.Minute
	// MaxExpiry is the latest a session may expire, from its creation.
	MaxExpiry = 24 * time.Hour
)

// Client makes Checkout Sessions for one Stripe account and verifies its
// webhooks.
type Client struct {
	cfg      Config
	backends *stripego.Backends
}

var _ payment.Provider = (*Client)(nil)

// New makes a client, refusing a configuration with problems (all of them
// named in the error). The secrets are not read until they are needed.
func New(cfg Config) (*Client, error) {
	if p := cfg.Problems(); len(p) > 0 {
		return nil, apperr.ProviderSettings("stripe", p)
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	hc := http.Client{Timeout: 30 * time.Second}
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	}
	// A redirected POST would be replayed as a GET elsewhere; a request
	// takes Stripe's first answer.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	backends := stripego.NewBackendsWithConfig(&stripego.BackendConfig{
		HTTPClient: &hc,
		URL:        stripego.String(base),
		// Callers decide on retries, with payment.Temporary and the
		// request's Key.
		MaxNetworkRetries: stripego.Int64(0),
		// The library logs Stripe's answers, which can hold a payer's
		// name and e-mail; failures come back as errors instead.
		LeveledLogger:   &stripego.LeveledLogger{Level: stripego.LevelNull},
		EnableTelemetry: stripego.Bool(false),
	})
	return &Client{cfg: cfg, backends: backends}, nil
}

// CreateCheckout creates a Checkout Session: a POST to
// /v1/checkout/sessions with mode=payment, one line item priced inline
// (unit_amount, currency, product_data[name] = Description, quantity 1),
// success_url, cancel_url, client_reference_id, expires_at (when set) and
// metadata, and the request's Key in the Idempotency-Key header.
//
// The request is checked first (payment.CheckoutRequest.Check, Stripe's
// amount bounds, an expiry 30 minutes to 24 hours away) and refused
// without asking Stripe if it fails. Errors are *payment.Error except for
// a configuration or secret key that cannot be used; none contains the
// key, Stripe's own message, or what Stripe knows of the payer.
func (c *Client) CreateCheckout(ctx context.Context, r payment.CheckoutRequest) (payment.Checkout, error) {
	params, err := c.params(r, time.Now())
	if err != nil {
		return payment.Checkout{}, err
	}
	key, err := c.cfg.secretKey()
	if err != nil {
		return payment.Checkout{}, fmt.Errorf("checkout not created: %w", err)
	}
	sc := stripego.NewClient(key, stripego.WithBackends(c.backends))
	s, err := sc.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return payment.Checkout{}, failure(err)
	}
	return created(s)
}

// params builds the session's parameters, refusing a request Stripe would
// refuse anyway.
func (c *Client) params(r payment.CheckoutRequest, now time.Time) (*stripego.CheckoutSessionCreateParams, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	switch {
	case r.AmountCents < MinAmountCents:
		return nil, &payment.Error{Reason: "the amount is less than Stripe's minimum of $0.50"}
	case r.AmountCents > MaxAmountCents:
		return nil, &payment.Error{Reason: "the amount is more than Stripe's maximum of $999,999.99"}
	case !r.ExpiresAt.IsZero() && r.ExpiresAt.Sub(now) < MinExpiry:
		return nil, &payment.Error{Reason: "the expiry is less than 30 minutes away; Stripe takes 30 minutes to 24 hours"}
	case !r.ExpiresAt.IsZero() && r.ExpiresAt.Sub(now) > MaxExpiry:
		return nil, &payment.Error{Reason: "the expiry is more than 24 hours away; Stripe takes 30 minutes to 24 hours"}
	}
	p := &stripego.CheckoutSessionCreateParams{
		Mode: stripego.String(string(stripego.CheckoutSessionModePayment)),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:   stripego.String(r.Currency),
				UnitAmount: stripego.Int64(r.AmountCents),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{
					Name: stripego.String(r.Description),
				},
			},
			Quantity: stripego.Int64(1),
		}},
		SuccessURL:        stripego.String(r.SuccessURL),
		CancelURL:         stripego.String(r.CancelURL),
		ClientReferenceID: stripego.String(r.ClientReference),
	}
	if !r.ExpiresAt.IsZero() {
		p.ExpiresAt = stripego.Int64(r.ExpiresAt.Unix())
	}
	for k, v := range r.Metadata {
		p.AddMetadata(k, v)
	}
	p.SetIdempotencyKey(r.Key)
	return p, nil
}

// created reads the session Stripe made. One without an id or an https
// URL is not usable; asking again with the same Key would replay it, so
// a retry needs a new one.
func created(s *stripego.CheckoutSession) (payment.Checkout, error) {
	u, err := url.Parse(s.URL)
	if s.ID == "" || err != nil || u.Scheme != "https" || u.Host == "" {
		return payment.Checkout{}, &payment.Error{Retry: true, KeySpent: true,
			Reason: "Stripe answered without a session id or checkout URL"}
	}
	co := payment.Checkout{ProviderID: s.ID, URL: s.URL}
	if s.ExpiresAt > 0 {
		co.ExpiresAt = time.Unix(s.ExpiresAt, 0).UTC()
	}
	return co, nil
}
