package work

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Channel is how a contact was made.
type Channel string

// The channels an outcome may name.
const (
	ByCall        Channel = "call"
	ByText        Channel = "text"
	ByEmail       Channel = "email"
	ByStatement   Channel = "statement"
	ByPayerPortal Channel = "payer_portal"
	ByPayerCall   Channel = "payer_call"
	ByNote        Channel = "note"
	// ByPayer is a payer's own statement (a remittance, a claim status):
	// written by imports, never logged by an agent.
	ByPayer Channel = "payer"
)

// Channels lists them.
var Channels = []Channel{ByCall, ByText, ByEmail, ByStatement, ByPayerPortal, ByPayerCall, ByNote}

// Outcome is what came of a contact.
type Outcome string

// The outcomes, and what each does to the item.
const (
	Reached         Outcome = "reached"
	Voicemail       Outcome = "voicemail"
	NoAnswer        Outcome = "no_answer"
	PromisedPayment Outcome = "promised_payment"
	Paid            Outcome = "paid"
	Disputed        Outcome = "disputed"
	WrongNumber     Outcome = "wrong_number"
	StatusReceived  Outcome = "claim_status_received"
	Resubmitted     Outcome = "resubmitted"
	Appealed        Outcome = "appealed"
	Scheduled       Outcome = "scheduled"
	Declined        Outcome = "declined"
	Sent            Outcome = "sent"
)

// The outcomes payers' statements write into an item's history; agents
// cannot log them.
const (
	PayerPaid          Outcome = "payer_paid"
	PayerDenied        Outcome = "payer_denied"
	PayerReversed      Outcome = "payer_reversed"
	PayerRejected      Outcome = "payer_rejected"
	PayerInfoRequested Outcome = "payer_info_requested"
	PayerStatus        Outcome = "payer_status"
)

// SystemActor is the actor of a history entry Backdesk writes on its own,
// such as closing a check whose visit is gone.
const SystemActor = "system"

// The outcomes a clearinghouse exchange writes into an eligibility
// check's history; agents cannot log them either.
const (
	// ClearinghouseAsked: the check went out in a 270 batch.
	ClearinghouseAsked Outcome = "clearinghouse_asked"
	// CoverageVerified: the 271 answer was clear; the check is resolved
	// with the benefits attached.
	CoverageVerified Outcome = "coverage_verified"
	// CoverageQuestion: the answer, or its lack, needs a person.
	CoverageQuestion Outcome = "coverage_question"
	// VisitGone: the visit was cancelled, missed or has passed before
	// anyone took the check; the check was closed unasked.
	VisitGone Outcome = "visit_gone"
)

// outcomeEnds says which outcomes finish an item: resolved means the work
// succeeded (paid, scheduled), closed that it ended without (declined).
var outcomeEnds = map[Outcome]State{Paid: Resolved, Scheduled: Resolved, Declined: Closed}

// Outcomes lists them.
var Outcomes = []Outcome{Reached, Voicemail, NoAnswer, PromisedPayment, Paid, Disputed, WrongNumber, StatusReceived,
	Resubmitted, Appealed, Scheduled, Declined, Sent}

// OutcomeInput is what an agent logs.
type OutcomeInput struct {
	Channel       Channel
	Outcome       Outcome
	Note          string
	NextContactAt *time.Time
	PromisedCents int64
	PaidCents     int64 // collected during this contact, as the agent records it
	Version       int
	// Alongside, when set, writes another domain's change in the
	// outcome's transaction once the item's update succeeded: a message
	// that goes out with the outcome "sent". It is given the item's
	// patient, the activity's id and the time of the outcome.
	Alongside func(ctx context.Context, w *sqldb.Writer, patientID, activityID string, now time.Time) error `json:"-"`
}

// MaxNoteLen bounds a note.
const MaxNoteLen = 4000

// Apply validates in against the item's kind policy at now and returns the
// state the item moves to: resolved or closed for an outcome that finishes
// it, else waiting until the next contact date, which must then be given,
// not in the past, and within the policy's maximum. The error names the
// field at fault.
func (in OutcomeInput) Apply(p policy.Policy, now time.Time) (State, error) {
	switch {
	case !slices.Contains(Channels, in.Channel):
		return "", apperr.Invalid("channel", "unknown_channel", "must be one of %s", names(Channels))
	case !slices.Contains(Outcomes, in.Outcome):
		return "", apperr.Invalid("outcome", "unknown_outcome", "must be one of %s", names(Outcomes))
	case len(in.Note) > MaxNoteLen:
		return "", apperr.Invalid("note", "too_long", "must be at most %d characters", MaxNoteLen)
	case in.Outcome == PromisedPayment && in.PromisedCents <= 0:
		return "", apperr.Invalid("promised_cents", "required", "a promised payment needs its amount in cents")
	case in.PaidCents < 0:
		return "", apperr.Invalid("paid_cents", "negative", "must not be negative")
	case in.PaidCents > 0 && in.Outcome != Paid && in.Outcome != Reached && in.Outcome != PromisedPayment:
		return "", apperr.Invalid("paid_cents", "not_allowed", "a payment is recorded with the outcome paid, reached or promised payment, not %s", words(in.Outcome))
	case in.Version < 1:
		return "", apperr.Invalid("version", "required", "send the item's version you last read")
	}
	if end, ok := outcomeEnds[in.Outcome]; ok {
		if in.NextContactAt != nil {
			return "", apperr.Invalid("next_contact_at", "not_allowed", "%s finishes the item; it takes no next contact date", words(in.Outcome))
		}
		return end, nil
	}
	if in.NextContactAt == nil {
		return "", apperr.Invalid("next_contact_at", "required", "%s does not finish the item: write the next contact date", words(in.Outcome))
	}
	next := *in.NextContactAt
	if next.Before(now.Add(-time.Minute)) {
		return "", apperr.Invalid("next_contact_at", "in_the_past", "must not be in the past")
	}
	if limit := now.AddDate(0, 0, p.MaxNextContactDays); p.MaxNextContactDays > 0 && next.After(limit) {
		return "", apperr.Invalid("next_contact_at", "too_far", "must be within %d days, the practice's limit for %s", p.MaxNextContactDays, words(p.Kind))
	}
	return Waiting, nil
}

func names[T ~string](vs []T) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return strings.Join(out, ", ")
}

// words writes a code in words for a message people read:
// "promised_payment" is "promised payment".
func words[T ~string](v T) string { return strings.ReplaceAll(string(v), "_", " ") }
