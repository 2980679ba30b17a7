package payment

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DevPayPath is where on Backdesk DevProvider's checkout pages are: a
// checkout's URL is the base URL, DevPayPath and the session's id.
const DevPayPath = "/dev/pay/"

// DevDefaultExpiry is how long a DevProvider checkout stays open when the
// request names no ExpiresAt, as Stripe's do.
const DevDefaultExpiry = 24 * time.Hour

// Why DevProvider refuses to finish a session, found with errors.Is.
var (
	// ErrUnknownSession is a session id DevProvider never made, or made
	// before the process restarted.
	ErrUnknownSession = errors.New("no such dev checkout session")
	// ErrSessionClosed is a session already paid, failed or expired.
	ErrSessionClosed = errors.New("the dev checkout session is no longer open")
)

// DevState is where a DevProvider session stands.
type DevState string

// A dev session is open until the dev page pays, fails or expires it.
const (
	// DevOpen is a session that still takes payment.
	DevOpen DevState = "open"
	// DevPaid is a session Complete paid.
	DevPaid DevState = "paid"
	// DevFailed is a session Fail failed.
	DevFailed DevState = "failed"
	// DevExpired is a session Expire closed, or an open one past its
	// expiry.
	DevExpired DevState = "expired"
)

// DevSession is what the dev checkout page shows: the request as it was
// made and where the session stands.
type DevSession struct {
	// ID is the session's id, as in Checkout.ProviderID.
	ID string
	// Request is the request that made it.
	Request CheckoutRequest
	// ExpiresAt is when it stops taking payment.
	ExpiresAt time.Time
	// State is open, paid, failed or expired; an open session past
	// ExpiresAt reads as expired.
	State DevState
}

// DevProvider is a Provider for development and tests. It moves no money
// and needs no network: CreateCheckout keeps the session in memory and
// returns a URL on Backdesk's own dev payment page, base URL +
// "/dev/pay/{session}".
//
// There is no webhook. The dev page, which Backdesk serves only where
// DevProvider is the configured provider, shows the session (Session) and
// offers to pay, fail or let it expire; each button calls Complete, Fail
// or Expire, which return the Event a provider's verified webhook would
// have produced. The page hands that Event to the same code that applies
// a webhook's events, so the dev flow runs the production path from the
// verified Event on. The Event needs no signature: it never crosses the
// network, and nothing outside the process can make one.
//
// Sessions live until the process ends. A DevProvider is safe for
// concurrent use.
type DevProvider struct {
	base string
	now  func() time.Time

	mu       sync.Mutex
	sessions map[string]*devSession
	byKey    map[string]string
}

type devSession struct {
	DevSession
	paymentIntent string
}

var _ Provider = (*DevProvider)(nil)

// NewDevProvider makes a DevProvider whose checkout pages are under
// baseURL, Backdesk's own absolute http(s) URL (e.g.
// "http://localhost:8080"). now is its clock; nil means time.Now.
func NewDevProvider(baseURL string, now func() time.Time) (*DevProvider, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("dev payment provider: the base URL must be an absolute http(s) URL with no credentials, query or fragment")
	}
	if now == nil {
		now = time.Now
	}
	return &DevProvider{
		base:     strings.TrimRight(baseURL, "/"),
		now:      now,
		sessions: map[string]*devSession{},
		byKey:    map[string]string{},
	}, nil
}

// CreateCheckout checks the request as a real provider would and keeps a
// new open session. The same Key with the same request returns the same
// session; the same Key with another request is refused, as Stripe
// refuses it. ExpiresAt, when set, must be in the future.
func (d *DevProvider) CreateCheckout(ctx context.Context, r CheckoutRequest) (Checkout, error) {
	if err := ctx.Err(); err != nil {
		return Checkout{}, &Error{Retry: true, Err: err}
	}
	if err := r.Check(); err != nil {
		return Checkout{}, err
	}
	now := d.now()
	if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(now) {
		return Checkout{}, refuse("the expiry is not in the future")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if id, ok := d.byKey[r.Key]; ok {
		s := d.sessions[id]
		if !sameRequest(s.Request, r) {
			return Checkout{}, &Error{Code: "idempotency_error",
				Reason: "the key was already used for a different request"}
		}
		return d.checkout(s), nil
	}
	r.Metadata = maps.Clone(r.Metadata)
	expires := r.ExpiresAt
	if expires.IsZero() {
		expires = now.Add(DevDefaultExpiry)
	}
	s := &devSession{DevSession: DevSession{ID: "cs_dev_" + token(), Request: r, ExpiresAt: expires, State: DevOpen}}
	d.sessions[s.ID] = s
	d.byKey[r.Key] = s.ID
	return d.checkout(s), nil
}

func (d *DevProvider) checkout(s *devSession) Checkout {
	return Checkout{ProviderID: s.ID, URL: d.base + DevPayPath + s.ID, ExpiresAt: s.ExpiresAt}
}

// Session returns the session for the dev page to show, and whether
// there is one by that id.
func (d *DevProvider) Session(id string) (DevSession, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[id]
	if !ok {
		return DevSession{}, false
	}
	out := s.DevSession
	out.Request.Metadata = maps.Clone(out.Request.Metadata)
	if out.State == DevOpen && !d.now().Before(out.ExpiresAt) {
		out.State = DevExpired
	}
	return out, true
}

// Complete pays an open session in full, as the patient paying on the
// provider's page would, and returns the Paid event.
func (d *DevProvider) Complete(id string) (Event, error) {
	return d.finish(id, Paid)
}

// Fail returns the Failed event for an open session, as a bank debit
// that bounced would.
func (d *DevProvider) Fail(id string) (Event, error) {
	return d.finish(id, Failed)
}

// Expire closes an open session, or one past its expiry, without a
// payment and returns the Expired event.
func (d *DevProvider) Expire(id string) (Event, error) {
	return d.finish(id, Expired)
}

// finish moves an open session to its end and makes the event for it.
// Paying or failing a session past its expiry is refused; expiring it is
// not.
func (d *DevProvider) finish(id string, t EventType) (Event, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.sessions[id]
	if !ok {
		return Event{}, fmt.Errorf("dev payment: %w", ErrUnknownSession)
	}
	now := d.now()
	if s.State != DevOpen || (t != Expired && !now.Before(s.ExpiresAt)) {
		return Event{}, fmt.Errorf("dev payment %s: %w", id, ErrSessionClosed)
	}
	switch t {
	case Paid:
		s.State = DevPaid
		s.paymentIntent = "pi_dev_" + token()
	case Failed:
		s.State = DevFailed
		s.paymentIntent = "pi_dev_" + token()
	case Expired:
		s.State = DevExpired
	}
	return Event{
		ID:              "evt_dev_" + token(),
		Type:            t,
		ProviderID:      s.ID,
		ClientReference: s.Request.ClientReference,
		AmountCents:     s.Request.AmountCents,
		Currency:        s.Request.Currency,
		PaymentIntent:   s.paymentIntent,
		At:              now,
	}, nil
}

// sameRequest reports whether two requests are the same, as a provider
// compares a retry with the request first made under its key.
func sameRequest(a, b CheckoutRequest) bool {
	return a.Key == b.Key && a.AmountCents == b.AmountCents && a.Currency == b.Currency &&
		a.Description == b.Description && a.SuccessURL == b.SuccessURL && a.CancelURL == b.CancelURL &&
		a.ClientReference == b.ClientReference && a.ExpiresAt.Equal(b.ExpiresAt) &&
		maps.Equal(a.Metadata, b.Metadata)
}

// token is 16 random bytes in hex, for ids no one can guess.
func token() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
