package message

import (
	"context"
	"log/slog"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work"
)

// Settings are how a practice's messages go out.
type Settings struct {
	// TextFrom is the number the practice's texts come from and replies
	// arrive at (E.164); empty: the provider's own.
	TextFrom string `json:"text_from"`
	// Automatic lets the cadence's text and e-mail steps send without a
	// person.
	Automatic bool `json:"automatic"`
	// PerMinute bounds the practice's messages a minute, across workers.
	PerMinute int `json:"per_minute"`
}

// DefaultPerMinute is a practice's rate when it has set none.
const DefaultPerMinute = 30

// Account is what a message about one work item needs to know, read in
// one round trip: the item, the patient's contact facts, the opt-outs of
// their number and address, their recent contacts, the practice's
// settings and its own templates.
type Account struct {
	PracticeID    string
	PatientID     string
	WorkItemID    string
	Kind          policy.Kind
	OwnerID       string
	FirstName     string
	Phone         string
	Email         string
	DoNotContact  bool
	TextConsent   bool
	TextOptedOut  bool
	EmailOptedOut bool
	Recent        []time.Time // patient contacts within contact.Window
	DueDate       string      // a recall's due date (YYYY-MM-DD); empty for other kinds
	Settings      Settings
	Templates     []Template // the practice's own copies
}

// Outgoing is a message ready to be written with its activity.
type Outgoing struct {
	Message
	ActivityID     string
	UnsubscribeURL string
	Links          []LinkRow
	// Disclosure is the audit event of the send: who asked for it.
	Disclosure audit.Event
}

// LinkRow is a link a message carries, by the hash of its token.
type LinkRow struct {
	TokenHash string
	Purpose   string // "verify" or "unsubscribe"
	ExpiresAt time.Time
}

// Claimed is a message a worker took to deliver.
type Claimed struct {
	Message
	UnsubscribeURL string
	TextFrom       string
	PerMinute      int
	// Blocked says why it must not go after all (the patient opted out or
	// asked not to be contacted since it was queued); empty otherwise.
	Blocked string
}

// Inbound is what a received text came to, as the store applied it.
type Inbound struct {
	Found      bool // false: nobody Backdesk wrote to, dropped
	PracticeID string
	PatientID  string
	WorkItemID string
	MessageID  string
	From       string // the patient's number, for an answer
	// Keyword is what the text did: a stop, a start (only from a number
	// that had opted out), a help, or none (a reply).
	Keyword sms.Keyword
}

// Store keeps messages. Methods taking a Writer run in the caller's
// transaction.
type Store interface {
	// PatientAccount reads what a message to the patient needs, with no
	// work item.
	PatientAccount(ctx context.Context, practiceID, patientID string) (Account, error)
	// Account reads what a message about the item needs.
	Account(ctx context.Context, practiceID, itemID string, now time.Time) (Account, error)
	// Queue writes o, its links, its delivery task and its audit event in w.
	Queue(ctx context.Context, w *sqldb.Writer, o Outgoing, now time.Time) error
	// Claim takes a queued message (or one whose hand-over was cut off
	// long enough ago) for delivery; false when there is nothing to take.
	Claim(ctx context.Context, id string, now time.Time) (Claimed, bool, error)
	// Requeue gives a claimed message back, with why it did not go.
	Requeue(ctx context.Context, id, reason string, now time.Time) error
	// Finish records a claimed message's end: sent (with the provider's
	// id), delivered, or failed with a reason; audited.
	Finish(ctx context.Context, id string, state State, providerID, reason string, now time.Time) error
	// Status applies a provider's receipt to the message it names, by
	// Backdesk's id or the provider's.
	Status(ctx context.Context, messageID, providerID string, state State, reason string, now time.Time) (bool, error)
	// Receive applies an inbound text: recorded, threaded with what was
	// sent, the item brought to its owner; keyword says what else it did.
	Receive(ctx context.Context, in sms.Inbound, keyword sms.Keyword, now time.Time) (Inbound, error)
	// Templates reads the practice's own templates.
	Templates(ctx context.Context, practiceID string) ([]Template, error)
	// Unsubscribe opts the address an unsubscribe link was sent to out
	// of its practice's e-mails; false for a link it does not know.
	Unsubscribe(ctx context.Context, tokenHash string, now time.Time) (bool, error)
	// Message reads one message, across practices.
	Message(ctx context.Context, id string) (Message, bool, error)
	// Outbox lists the latest messages of every practice, newest first.
	Outbox(ctx context.Context, limit int) ([]Message, error)
	// TextFrom reads the number a practice's texts come from.
	TextFrom(ctx context.Context, practiceID string) (string, error)
	// Thread lists an item's messages, oldest first.
	Thread(ctx context.Context, practiceID, itemID string) ([]Message, error)
	// Link reads a message's verify link, across practices: whether its
	// page asks for a date of birth, is locked or does not work, and how
	// many wrong dates it still takes.
	Link(ctx context.Context, tokenHash string, now time.Time) (LinkState, int, error)
	// VerifyLink checks a date of birth (YYYY-MM-DD) against the link's
	// patient's, counts a mismatch, and audits the try in the same
	// transaction; ev carries where the try came from.
	VerifyLink(ctx context.Context, tokenHash, dob string, ev audit.Event, now time.Time) (LinkVerdict, error)
}

// Outcomes records an agent's outcome with the message that goes with it;
// work.Desk is one.
type Outcomes interface {
	RecordOutcome(ctx context.Context, ref work.Ref, itemID, actorID string, in work.OutcomeInput, ev audit.Event) (int, error)
}

// Profiles gives a practice's name, phone, zone and rules; practice.Service
// is one.
type Profiles interface {
	Profile(ctx context.Context, practiceID string) (practice.Profile, error)
}

// Limiter bounds a practice's messages a minute: Wait says how long to
// wait before the next may go (zero: now), counting it when it may.
type Limiter interface {
	Wait(ctx context.Context, key string, perMinute int, now time.Time) (time.Duration, error)
}

// Service sends and receives patients' messages.
type Service struct {
	db        *sqldb.DB
	store     Store
	outcomes  Outcomes
	profiles  Profiles
	providers map[Channel]Provider
	limiter   Limiter
	cadence   CadenceStore
	publicURL string
	answers   bool
	now       func() time.Time
	log       *slog.Logger
}

// Deps is what a Service needs.
type Deps struct {
	DB       *sqldb.DB
	Store    Store
	Outcomes Outcomes
	Profiles Profiles
	// Providers deliver each channel; a channel without one keeps its
	// messages queued until one is configured.
	Providers map[Channel]Provider
	// Cadence keeps the automatic steps' items; nil: no automatic steps.
	Cadence CadenceStore
	// Limiter bounds each practice's rate; nil: an in-process one.
	Limiter Limiter
	// PublicURL is where patients reach Backdesk's pages (links, one-click
	// unsubscribe) and providers its webhooks, e.g. https://backdesk.example.com.
	PublicURL string
	// KeywordAnswers makes Backdesk answer STOP, START and HELP itself.
	// Leave it off for a provider that answers them (Twilio's opt-out
	// handling does on ordinary numbers), so patients get one answer.
	KeywordAnswers bool
	Now            func() time.Time
	Log            *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Limiter == nil {
		d.Limiter = NewMemoryLimiter()
	}
	return &Service{db: d.DB, store: d.Store, outcomes: d.Outcomes, profiles: d.Profiles, providers: d.Providers,
		limiter: d.Limiter, cadence: d.Cadence, publicURL: d.PublicURL, answers: d.KeywordAnswers, now: d.Now, log: d.Log}
}

// Store returns the service's store, for the HTTP layer's reads.
func (s *Service) Store() Store { return s.store }

// clock returns now in UTC, to the microsecond the databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
