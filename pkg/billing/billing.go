// Package billing is the patient's side of a balance: pay-by-link and the
// payments it brings, and (statements.go) the practice's statement runs.
//
// A payment link is made for a balance follow-up, for what is due when it
// is made. Its page asks for the patient's date of birth before it shows
// anything; then it shows the amount due and sends the patient to the
// payment provider's hosted checkout (pkg/payment), so card data never
// reaches Backdesk. The provider's signed webhook (or the dev payment
// page) reports the payment, which is recorded once per provider event:
// the balance goes down, the follow-up logs the outcome "paid" and is
// resolved when nothing is left, or comes back to its owner when
// something is. Every step is audited.
package billing

import (
	"context"
	"log/slog"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work"
)

// LinkLife is how long a payment link works.
const LinkLife = 30 * 24 * time.Hour

// VerifiedFor is how long a verified page may start a checkout before the
// date of birth is asked again.
const VerifiedFor = 15 * time.Minute

// Tries is how many wrong dates of birth a payment link takes before it
// locks for good.
const Tries = 5

// MinimumCents is the least a patient may pay at once: the providers'
// floor (Stripe's is 50 cents) rounded up to a dollar.
const MinimumCents = 100

// LinkState is where a payment link stands.
type LinkState string

// The link states: open until paid in full or expired.
const (
	LinkOpen    LinkState = "open"
	LinkPaid    LinkState = "paid"
	LinkExpired LinkState = "expired"
)

// Link is a payment link.
type Link struct {
	ID          string
	PracticeID  string
	PatientID   string
	BalanceID   string
	WorkItemID  string
	AmountCents int64 // due when the link was made
	State       LinkState
	Failures    int
	VerifiedAt  *time.Time
	CheckoutID  string
	ExpiresAt   time.Time
	// Read with the link: what is left on the balance now, and what has
	// been paid through the link.
	BalanceCents int64
	PaidCents    int64
}

// DueNowCents is what the link may still take: what it was made for less
// what was paid through it, and never more than the balance holds now.
func (l Link) DueNowCents() int64 { return max(min(l.AmountCents-l.PaidCents, l.BalanceCents), 0) }

// Due is what a balance follow-up is about: the balance and what is due.
type Due struct {
	PatientID  string
	BalanceID  string
	TotalCents int64
}

// Paid is a payment recorded from a provider's event.
type Paid struct {
	Applied      bool // false: the event was seen before, or names no link
	PracticeID   string
	PatientID    string
	WorkItemID   string
	AmountCents  int64
	BalanceCents int64 // what is left on the balance
	Resolved     bool  // the follow-up was resolved
}

// Store keeps links and payments; billstore.Store is one.
type Store interface {
	// Due reads the balance a balance follow-up is about.
	Due(ctx context.Context, practiceID, itemID string) (Due, error)
	// CreateLink keeps a new link by the hash of its token, with its
	// audit event, in one transaction.
	CreateLink(ctx context.Context, l Link, tokenHash string, ev audit.Event, now time.Time) error
	// LinkByHash reads a link across practices, with its patient's date
	// of birth (YYYY-MM-DD) for the check; false when none has the hash.
	LinkByHash(ctx context.Context, tokenHash string) (Link, string, bool, error)
	// Verified records a try on the link's page, with its audit event, in
	// one transaction: a match sets verified_at, a mismatch counts a
	// failure; each only while the link is open and not locked, so tries
	// sent at once cannot get past the lock. It returns whether the try
	// counted (false: the link locked, was paid or expired meanwhile) and
	// the failures after it.
	Verified(ctx context.Context, linkID string, match bool, ev audit.Event, now time.Time) (bool, int, error)
	// SetCheckout records the checkout made for the link, with its audit
	// event.
	SetCheckout(ctx context.Context, linkID, checkoutID string, ev audit.Event) error
	// ApplyPaid records a paid event once per provider event id: the
	// payment, the balance, the link, the follow-up's outcome and the
	// audit event, in one transaction.
	ApplyPaid(ctx context.Context, provider string, ev payment.Event, now time.Time) (Paid, error)
}

// Messages sends the link, and e-statements' notices; message.Service is
// one.
type Messages interface {
	Send(ctx context.Context, ref work.Ref, itemID, actorID string, in message.SendInput, ev audit.Event) (message.Message, int, error)
	Notify(ctx context.Context, n message.Notice, ev audit.Event) (message.Message, error)
}

// Profiles gives a practice's name and phone; practice.Service is one.
type Profiles interface {
	Profile(ctx context.Context, practiceID string) (practice.Profile, error)
}

// Service runs payment links.
type Service struct {
	store     Store
	messages  Messages
	profiles  Profiles
	provider  payment.Provider
	name      string // the provider's name, kept with each payment
	publicURL string
	now       func() time.Time
	log       *slog.Logger
}

// Deps is what a Service needs.
type Deps struct {
	Store    Store
	Messages Messages
	Profiles Profiles
	// Provider makes checkouts; ProviderName ("stripe", "dev") is kept
	// with each payment. Without one, links can be made but not paid.
	Provider     payment.Provider
	ProviderName string
	PublicURL    string
	Now          func() time.Time
	Log          *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, messages: d.Messages, profiles: d.Profiles, provider: d.Provider, name: d.ProviderName,
		publicURL: d.PublicURL, now: d.Now, log: d.Log}
}

// clock returns now in UTC, to the microsecond the databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// Provider returns the payment provider, for the dev payment page.
func (s *Service) Provider() payment.Provider { return s.provider }
