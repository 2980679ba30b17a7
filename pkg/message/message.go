package message

import (
	"context"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/message/email"
	"github.com/backdesk/backdesk/pkg/message/sms"
)

// Direction says whether a message went to the patient or came from them.
type Direction string

// The directions.
const (
	Out Direction = "out"
	In  Direction = "in"
)

// State is where a message is on its way.
type State string

// The states. An outbound message is queued with its activity, sending
// while a worker hands it to the provider, then sent (the provider took
// it) and delivered or failed as the provider's receipts say. A text
// whose hand-over broke off without an answer is unconfirmed: the
// provider may have it, so it is not sent again until its receipt has had
// time to come. An inbound message is received.
const (
	Queued      State = "queued"
	Sending     State = "sending"
	Unconfirmed State = "unconfirmed"
	Sent        State = "sent"
	Delivered   State = "delivered"
	Failed      State = "failed"
	Received    State = "received"
)

// Message is one text or e-mail to or from a patient, as the item view
// and the outboxes show it.
type Message struct {
	ID          string
	PracticeID  string
	PatientID   string
	WorkItemID  string
	Direction   Direction
	Channel     Channel
	TemplateKey string
	Address     string // the patient's number or e-mail address
	Subject     string
	Body        string
	State       State
	Error       string // why it failed, in words
	ActorID     string // who sent it; SystemActor for the cadence and for keyword answers
	CreatedAt   time.Time
	SentAt      *time.Time
}

// SystemActor is the actor of messages Backdesk sends on its own: the
// cadence's automatic steps and the answers to STOP, START and HELP.
const SystemActor = "system"

// Delivery is what a provider is handed to deliver one message.
type Delivery struct {
	ID      string // the message's id: the idempotency key
	Channel Channel
	To      string
	From    string // the practice's number for a text; empty: the provider's own
	Subject string
	Body    string
	// UnsubscribeURL is the one-click unsubscribe link of an e-mail.
	UnsubscribeURL string
	// StatusURL is where the provider reports what became of a text.
	StatusURL string
}

// Receipt is a provider's answer to a delivery it took.
type Receipt struct {
	ProviderID string
	// Delivered is set by a provider that knows the message arrived as it
	// took it (the dev outbox); others report delivery later.
	Delivered bool
}

// Provider delivers one channel's messages.
type Provider interface {
	Deliver(ctx context.Context, d Delivery) (Receipt, error)
}

// Temporary reports whether a failed delivery may be tried again later:
// the provider was unreachable, busy or failing on its side.
func Temporary(err error) bool {
	var se *sms.Error
	if errors.As(err, &se) {
		return se.Retry
	}
	var ee *email.Error
	if errors.As(err, &ee) {
		return email.Temporary(err)
	}
	return !errors.Is(err, ErrPermanent)
}

// ErrPermanent marks a delivery that cannot succeed however often it is
// tried, for providers whose errors are not sms or email errors.
var ErrPermanent = errors.New("the message cannot be delivered")
