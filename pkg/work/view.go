package work

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// QueueItem is one line of an agent's queue: ids, kind, dates and the
// priority's reasons, no patient data.
type QueueItem struct {
	ID, PracticeID, PatientID string
	Kind                      policy.Kind
	State                     string
	Priority                  int
	Reasons                   string // as priority.Encode writes them
	DueAt                     time.Time
	NextContactAt             *time.Time
	Version                   int
	Overdue                   bool
	CadenceStep               int
	Stage                     string // where it stands with the payer, e.g. "denied"; empty for most
	PayerNews                 bool   // the payer said something since anyone last worked it
	Replied                   bool   // the patient replied to a message since the owner last logged an outcome
}

// ref is where the item is.
func (q QueueItem) ref() Ref {
	return Ref{PracticeID: q.PracticeID, PatientID: q.PatientID, Kind: q.Kind}
}

// QueueFilter narrows a queue to one kind or one practice when set.
type QueueFilter struct {
	Kind       policy.Kind
	PracticeID string
}

// Activity is one entry of an item's history.
type Activity struct {
	ID, ActorID, Channel, Outcome, Note string
	NextContactAt                       *time.Time
	PromisedCents, PaidCents            int64
	At                                  time.Time
}

// Detail is what the item view shows of an item besides the patient.
type Detail struct {
	QueueItem
	Attempts, CadenceStep int
	SubjectType           string
	SubjectID             string
	SubjectNumber         string // the subject's number at the practice (a claim's), when it has one
	StageReason           string // the payer's reasons for the stage
	History               []Activity
	Others                []QueueItem // the patient's other unfinished items with the same owner
	LastInquiry           *Inquiry    // the last question a clearinghouse was asked about the item
}

// Inquiry is the last question a clearinghouse was asked about an item,
// and what came of its answer once one came.
type Inquiry struct {
	Set           string // the transaction set asked: "270" (eligibility) or "276" (claim status)
	Clearinghouse string // the connection's name
	AskedAt       time.Time
	AnsweredAt    *time.Time
	Outcome       string // the answer's outcome; empty until it came
	Reason        string // why the answer needed a person, in words
}

// LastOutcome is the outcome of the item's last contact, skipping notes,
// hand-offs and releases, which say nothing about the account.
func (d Detail) LastOutcome() Outcome {
	for i := len(d.History) - 1; i >= 0; i-- {
		switch d.History[i].Outcome {
		case "note", "handed_off", "released":
			continue
		}
		return Outcome(d.History[i].Outcome)
	}
	return ""
}

// Started is an item an agent has just started.
type Started struct {
	ID, PracticeID, PatientID string
	Kind                      policy.Kind
	Version                   int
	LeaseUntil                time.Time
}

// Ref locates an item: its practice, patient and kind.
type Ref struct {
	PracticeID, PatientID string
	Kind                  policy.Kind
}

// Lease is how long a started item stays with the agent who started it
// before it counts as abandoned and returns to that agent's queue.
const Lease = 15 * time.Minute
