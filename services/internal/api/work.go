package api

import (
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
)

// QueueEntry is one item of an agent's queue, as the queue and the item
// view show it. It carries no patient data.
type QueueEntry struct {
	ItemID        string            `json:"item_id"`
	PracticeID    string            `json:"practice_id"`
	Kind          policy.Kind       `json:"kind"`
	State         string            `json:"state"`
	Priority      int               `json:"priority"`
	Reasons       []priority.Reason `json:"reasons"`
	DueAt         time.Time         `json:"due_at"`
	NextContactAt *time.Time        `json:"next_contact_at"`
	Overdue       bool              `json:"overdue"`
	Version       int               `json:"version"`
	Stage         string            `json:"stage"`
	// PayerNews is set when the newest entry of the item's history is
	// a payer's statement: the payer said something since the item was
	// last worked.
	PayerNews bool `json:"payer_news"`
	// PatientReplied is set when the patient answered a text since the
	// owner last logged an outcome on the item.
	PatientReplied bool  `json:"patient_replied"`
	Hold           *Hold `json:"hold"`
}

// Hold says why an item in an agent's queue cannot be worked now (quiet
// hours, the week's contacts, …).
type Hold struct {
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	WorkableAt *time.Time `json:"workable_at"` // null when time does not cure it
}

// Queue is an agent's own work, as the API orders it, with counts per
// kind.
type Queue struct {
	Items  []QueueEntry        `json:"items"`
	Counts map[policy.Kind]int `json:"counts"`
	// Practices names the practices of the items, by id, with the zone
	// their dates are shown in.
	Practices map[string]QueuePractice `json:"practices"`
}

// QueuePractice is a practice as a queue names it.
type QueuePractice struct {
	Name     string `json:"name"`     // empty when the service was not given the practices
	Timezone string `json:"timezone"` // IANA name
}

// Started is the item the agent's next started, under a lease.
type Started struct {
	ItemID     string      `json:"item_id"`
	PracticeID string      `json:"practice_id"`
	Kind       policy.Kind `json:"kind"`
	Version    int         `json:"version"`
	LeaseUntil time.Time   `json:"lease_until"`
}

// ItemView is the account as the agent works it: the item, its history,
// the patient projected to the kind's field set, the patient's other
// items the agent owns, and for claim work what the payer said.
type ItemView struct {
	Item        QueueEntry `json:"item"`
	Attempts    int        `json:"attempts"`
	CadenceStep int        `json:"cadence_step"`
	StageReason string     `json:"stage_reason"`
	// Patient holds only the fields of the kind's field set; which keys
	// it has is the decision's, not the type's.
	Patient           map[string]any  `json:"patient"`
	History           []Activity      `json:"history"`
	OtherItems        []QueueEntry    `json:"other_items"`
	TalkingPoints     []string        `json:"talking_points"`
	PayerHistory      []PayerResponse `json:"payer_history"` // newest first
	LastPayerResponse *PayerResponse  `json:"last_payer_response"`
	// Practice is the item's practice: its name, phone and time zone,
	// in which the page shows the item's dates.
	Practice ItemPractice `json:"practice"`
	// Claim is the claim a claim follow-up is about, when the field set
	// includes the claims; null otherwise.
	Claim *ClaimSummary `json:"claim"`
	// NextContactDefault is the date the practice's cadence suggests for
	// the next contact (YYYY-MM-DD in the practice's zone), empty when
	// the cadence has no step left.
	NextContactDefault string `json:"next_contact_default"`
	// LastInquiry is the last question a clearinghouse was asked about
	// the item, null when none was.
	LastInquiry *Inquiry `json:"last_inquiry"`
}

// Inquiry is a question a clearinghouse was asked about an item, and
// what came of its answer.
type Inquiry struct {
	Set           string     `json:"set"` // 270 or 276
	Clearinghouse string     `json:"clearinghouse"`
	AskedAt       time.Time  `json:"asked_at"`
	AnsweredAt    *time.Time `json:"answered_at"`
	// Outcome is verified, needs_agent, late or ask_again for a 270; resolved,
	// pending, awaiting_remittance, needs_agent or late for a 276; empty
	// until the answer came.
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// ItemPractice is the practice an item belongs to, as the item view
// shows it: no patient data.
type ItemPractice struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`    // E.164; empty when no location has one
	Timezone string `json:"timezone"` // IANA name
}

// ClaimSummary is the claim a claim follow-up is about: the payer, the
// claim's number at the practice, the date of service and the amounts.
type ClaimSummary struct {
	ClaimNumber     string `json:"claim_number"`
	PayerName       string `json:"payer_name"`
	DateOfService   string `json:"date_of_service"` // YYYY-MM-DD
	SubmittedDate   string `json:"submitted_date"`  // YYYY-MM-DD, empty when unknown
	BilledCents     int64  `json:"billed_cents"`
	PaidCents       int64  `json:"paid_cents"`
	Status          string `json:"status"`
	DaysOutstanding int    `json:"days_outstanding"` // since submission, else the date of service
}

// Activity is one entry of an item's history.
type Activity struct {
	At            time.Time  `json:"at"`
	ActorID       string     `json:"actor_id"`
	Channel       string     `json:"channel"`
	Outcome       string     `json:"outcome"`
	Note          string     `json:"note"`
	NextContactAt *time.Time `json:"next_contact_at"`
	PromisedCents int64      `json:"promised_cents"`
	PaidCents     int64      `json:"paid_cents"`
}

// PayerResponse is what a payer said about a claim: a remittance (835)
// or a claim status (277), as it was imported.
type PayerResponse struct {
	At                time.Time          `json:"at"` // when it was imported
	Source            string             `json:"source"`
	Summary           string             `json:"summary"`
	StatusCode        string             `json:"status_code"` // CLP02, or the STC category
	Code              string             `json:"code,omitempty"`
	PaidCents         *int64             `json:"paid_cents,omitempty"`
	PatientCents      *int64             `json:"patient_responsibility_cents,omitempty"`
	CheckNumber       string             `json:"check_number,omitempty"`
	PaymentDate       string             `json:"payment_date,omitempty"`
	EffectiveDate     string             `json:"effective_date,omitempty"`
	PayerClaimControl string             `json:"payer_claim_control,omitempty"`
	Adjustments       []payer.Adjustment `json:"adjustments,omitempty"`
	Lines             []payer.Line       `json:"service_lines,omitempty"`
	Reasons           string             `json:"reasons,omitempty"`
	// Remarks are the remittance's remark codes (RARCs) in words.
	Remarks string `json:"remarks,omitempty"`
	// Statuses are every status a claim status gave, the primary first;
	// LineStatuses are its service lines'.
	Statuses     []payer.StatusCode `json:"statuses,omitempty"`
	LineStatuses []payer.LineStatus `json:"line_statuses,omitempty"`
}

// OutcomeBody logs what came of a contact. An outcome that does not
// finish the item needs NextContactAt; the amounts are for promised and
// received payments. Version is the item's version the agent last read.
type OutcomeBody struct {
	Channel       work.Channel `json:"channel"`
	Outcome       work.Outcome `json:"outcome"`
	Note          string       `json:"note"`
	NextContactAt *time.Time   `json:"next_contact_at,omitempty"`
	PromisedCents int64        `json:"promised_cents,omitempty"`
	PaidCents     int64        `json:"paid_cents,omitempty"`
	Version       int          `json:"version"`
}

// HandoffBody hands an item to an agent (To) or a team (Team), one of
// them; a release sends only the note and the version.
type HandoffBody struct {
	To      string `json:"to,omitempty"`
	Team    string `json:"team,omitempty"`
	Note    string `json:"note"`
	Version int    `json:"version"`
}

// NoteBody carries a note: one added to an item's history, or the note
// of a decision on an access request.
type NoteBody struct {
	Note string `json:"note"`
}

// Colleague is an agent an item may be handed to, as the hand-off form
// names them: the display name, and the user id only to send back.
type Colleague struct {
	UserID      string `json:"user_id"`
	DisplayName string `json:"display_name"`
	AtCapacity  bool   `json:"at_capacity"` // their queue is full: a hand-off would be refused
}

// Colleagues are the agents an item may be handed to.
type Colleagues struct {
	Colleagues []Colleague `json:"colleagues"`
}
