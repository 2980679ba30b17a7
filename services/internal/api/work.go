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
	Hold          *Hold             `json:"hold"`
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
