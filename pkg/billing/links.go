package billing

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// PayPath is where a payment link's page is: PayPath + token.
const PayPath = "/m/pay/"

// TargetPaymentLink and TargetPayment are the audit targets of a link and
// of a payment recorded from a provider's event.
const (
	TargetPaymentLink = "payment_link"
	TargetPayment     = "payment"
)

// Audit actions of pay-by-link. Events name the link or payment, the
// patient and the item; never an amount, a date of birth or a token.
const (
	ActionLinkCreate audit.Action = "payment_link_create"
	ActionLinkOpen   audit.Action = "payment_link_open"
	ActionCheckout   audit.Action = "payment_checkout"
	ActionPaid       audit.Action = "payment_received"
)

// SendLink makes a payment link for a balance follow-up, for what is due
// now, and sends it to the patient as the owner's message (template
// payment_link) with the outcome "sent". It returns the message and the
// item's new version.
func (s *Service) SendLink(ctx context.Context, ref work.Ref, itemID, actorID string, in message.SendInput, ev audit.Event) (message.Message, int, error) {
	if ref.Kind != policy.BalanceFollowup {
		return message.Message{}, 0, apperr.Invalid("item", "not_a_balance", "a payment link is sent from a balance follow-up")
	}
	due, err := s.store.Due(ctx, ref.PracticeID, itemID)
	if err != nil {
		return message.Message{}, 0, err
	}
	if due.TotalCents < MinimumCents {
		return message.Message{}, 0, apperr.Invalid("item", "nothing_due", "the balance has less than $1.00 due; there is nothing to pay by link")
	}
	token, hash, err := newToken()
	if err != nil {
		return message.Message{}, 0, err
	}
	now := s.clock()
	l := Link{ID: uuid.Must(uuid.NewV7()).String(), PracticeID: ref.PracticeID, PatientID: due.PatientID, BalanceID: due.BalanceID,
		WorkItemID: itemID, AmountCents: due.TotalCents, State: LinkOpen, ExpiresAt: now.Add(LinkLife)}
	e := audit.Change(ev, now, ActionLinkCreate, ref.PracticeID, TargetPaymentLink, l.ID)
	e.PatientIDs, e.WorkItemID = []string{due.PatientID}, itemID
	if err := s.store.CreateLink(ctx, l, hash, e, now); err != nil {
		return message.Message{}, 0, err
	}
	in.Template, in.Link = "payment_link", s.publicURL+PayPath+token
	return s.messages.Send(ctx, ref, itemID, actorID, in, ev)
}

// PageState is what a payment link's page shows.
type PageState string

// The page's states. Unknown is the one neutral page for a link that
// does not exist, has expired or cannot be verified.
const (
	PageUnknown  PageState = "unknown"
	PageAsk      PageState = "ask"
	PageLocked   PageState = "locked"
	PageVerified PageState = "verified"
	PagePaid     PageState = "paid"
)

// Page is a payment link's page. Before the patient verifies, it holds
// nothing about the patient, the practice or the amount.
type Page struct {
	State     PageState
	Problem   string // "mismatch" or "invalid", next to the date field
	TriesLeft int
	// Set once verified.
	PracticeName  string
	PracticePhone string
	AmountCents   int64
}

// Open reads a link's page before the patient verifies.
func (s *Service) Open(ctx context.Context, token string) (Page, error) {
	l, _, ok, err := s.find(ctx, token)
	if err != nil || !ok {
		return Page{State: PageUnknown}, err
	}
	return s.before(l), nil
}

// before is the page of a link before (or without) a try.
func (s *Service) before(l Link) Page {
	switch {
	case l.State == LinkPaid || (l.PaidCents > 0 && l.DueNowCents() <= 0):
		return Page{State: PagePaid}
	case l.State != LinkOpen || !s.clock().Before(l.ExpiresAt):
		return Page{State: PageUnknown}
	case l.Failures >= Tries:
		return Page{State: PageLocked}
	}
	return Page{State: PageAsk, TriesLeft: Tries - l.Failures}
}

// Verify checks a date of birth (YYYY-MM-DD) on a link's page. A match
// shows the practice and the amount due; a mismatch counts toward the
// lock. Each try is audited (not one that is not a date).
func (s *Service) Verify(ctx context.Context, token, dob string, ev audit.Event) (Page, error) {
	l, want, ok, err := s.find(ctx, token)
	if err != nil || !ok {
		return Page{State: PageUnknown}, err
	}
	p := s.before(l)
	if p.State != PageAsk {
		return p, nil
	}
	if _, err := time.Parse(time.DateOnly, dob); err != nil {
		p.Problem = "invalid"
		return p, nil
	}
	match := message.SameBirthDate(want, dob)
	now := s.clock()
	e := audit.Change(ev, now, ActionLinkOpen, l.PracticeID, TargetPaymentLink, l.ID)
	e.PatientIDs, e.WorkItemID = []string{l.PatientID}, l.WorkItemID
	if match {
		e.Reason = "verified"
	} else {
		e.Outcome, e.Reason = audit.OutcomeDeny, "mismatch"
	}
	counted, failures, err := s.store.Verified(ctx, l.ID, match, e, now)
	if err != nil {
		return Page{}, err
	}
	if !counted {
		return Page{State: PageLocked}, nil // locked (or closed) by a try that came first
	}
	if !match {
		l.Failures = failures
		p = s.before(l)
		if p.State == PageAsk {
			p.Problem = "mismatch"
		}
		return p, nil
	}
	return s.verified(ctx, l)
}

// verified is the page of a verified link.
func (s *Service) verified(ctx context.Context, l Link) (Page, error) {
	prof, err := s.profiles.Profile(ctx, l.PracticeID)
	if err != nil {
		return Page{}, err
	}
	return Page{State: PageVerified, PracticeName: prof.Practice.Name, PracticePhone: prof.Phone, AmountCents: l.DueNowCents()}, nil
}

// Checkout starts the provider's hosted checkout for amountCents (at
// least MinimumCents, at most what the link is for) on a link verified in
// the last VerifiedFor, and returns the page to send the patient to.
func (s *Service) Checkout(ctx context.Context, token string, amountCents int64, ev audit.Event) (string, error) {
	if s.provider == nil {
		return "", apperr.Unavailable("no payment provider is configured", nil)
	}
	l, _, ok, err := s.find(ctx, token)
	if err != nil {
		return "", err
	}
	now := s.clock()
	if !ok || s.before(l).State != PageAsk || l.VerifiedAt == nil || now.Sub(*l.VerifiedAt) > VerifiedFor {
		return "", apperr.Invalid("date_of_birth", "verify_again", "confirm your date of birth again before paying")
	}
	if amountCents < MinimumCents || amountCents > l.DueNowCents() {
		return "", apperr.Invalid("amount", "out_of_range", "pay between $1.00 and the amount due")
	}
	prof, err := s.profiles.Profile(ctx, l.PracticeID)
	if err != nil {
		return "", err
	}
	back := s.publicURL + PayPath + token
	c, err := s.provider.CreateCheckout(ctx, payment.CheckoutRequest{
		// A new key for each start: the patient may choose another amount.
		Key:         l.ID + ":" + strconv.FormatInt(now.UnixMicro(), 10),
		AmountCents: amountCents, Currency: payment.USD, Description: "Payment to " + oneLine(prof.Practice.Name),
		SuccessURL: back + "?paid=1", CancelURL: back, ClientReference: l.ID, ExpiresAt: now.Add(time.Hour),
		Metadata: map[string]string{"practice": l.PracticeID, "link": l.ID},
	})
	if err != nil {
		return "", fmt.Errorf("checkout: %w", err)
	}
	// The provider now knows the practice and the amount: a disclosure.
	e := audit.Change(ev, now, ActionCheckout, l.PracticeID, TargetPaymentLink, l.ID)
	e.PatientIDs, e.WorkItemID, e.Reason = []string{l.PatientID}, l.WorkItemID, s.name
	if err := s.store.SetCheckout(ctx, l.ID, c.ProviderID, e); err != nil {
		return "", err
	}
	s.log.InfoContext(ctx, "checkout started", "link", l.ID)
	return c.URL, nil
}

// Apply records what a provider's verified event says. A payment is
// recorded once per event id, so a replayed or repeated webhook changes
// nothing; other event types are acknowledged and change nothing.
func (s *Service) Apply(ctx context.Context, ev payment.Event) (Paid, error) {
	if ev.Type != payment.Paid {
		return Paid{}, nil
	}
	if ev.Currency != "" && !strings.EqualFold(ev.Currency, payment.USD) {
		return Paid{}, apperr.Invalid("currency", "not_usd", "payments are taken in US dollars")
	}
	return s.store.ApplyPaid(ctx, s.name, ev, s.clock())
}

// find reads a link by its token.
func (s *Service) find(ctx context.Context, token string) (Link, string, bool, error) {
	if len(token) < 22 || len(token) > 64 || strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return Link{}, "", false, nil
	}
	return s.store.LinkByHash(ctx, message.HashToken(token))
}

// newToken returns a link's token (128 random bits: the page behind it
// also asks for the date of birth and locks after five wrong ones) and
// the hash it is kept by. It is short, so a statement's QR code stays
// small.
func newToken() (token, hash string, err error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("billing: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, message.HashToken(token), nil
}

// oneLine keeps a name to one line for the provider's page.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Reverified is a verified link's page again, while its verification
// lasts (VerifiedFor): to show a problem with the amount chosen without
// asking for the date of birth again.
func (s *Service) Reverified(ctx context.Context, token string) (Page, error) {
	l, _, ok, err := s.find(ctx, token)
	if err != nil || !ok {
		return Page{State: PageUnknown}, err
	}
	p := s.before(l)
	if p.State != PageAsk || l.VerifiedAt == nil || s.clock().Sub(*l.VerifiedAt) > VerifiedFor {
		return p, nil
	}
	return s.verified(ctx, l)
}
