package api

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Board is the billing managers' view of all the work: depth per
// practice and kind, each agent's load and output, who is on shift, the
// depth per kind over the last days and the SLA breaches.
type Board struct {
	At       time.Time   `json:"at"`
	Depth    []Depth     `json:"depth"`
	Agents   []AgentLoad `json:"agents"`
	OnShift  int         `json:"agents_on_shift"`
	History  []DayDepth  `json:"history"`
	Breaches []Breach    `json:"breaches"` // the oldest first, a bounded number
	Totals   Depth       `json:"totals"`
	// Clearinghouse is what clearinghouses were asked over the last 7
	// days, per practice and kind.
	Clearinghouse []Inquiries `json:"clearinghouse"`
}

// Inquiries counts the questions a clearinghouse was asked for one
// practice about one kind of work (eligibility checks as 270s, claim
// follow-ups as 276s) over a period, and how the answers that came in it
// ended: settled without a call, or sent to an agent with the reason.
type Inquiries struct {
	PracticeID   string      `json:"practice_id"`
	PracticeName string      `json:"practice_name"`
	Kind         policy.Kind `json:"kind"`
	Asked        int         `json:"asked"`
	Answered     int         `json:"answered"`
	WithoutCall  int         `json:"without_call"`
	ToAgents     int         `json:"to_agents"`
}

// Depth counts one practice's unfinished items of one kind, or in the
// board's totals all of them.
type Depth struct {
	PracticeID   string      `json:"practice_id,omitempty"`   // empty in totals
	PracticeName string      `json:"practice_name,omitempty"` // empty in totals
	Kind         policy.Kind `json:"kind,omitempty"`
	Open         int         `json:"open"` // waiting for an owner
	Assigned     int         `json:"assigned"`
	InProgress   int         `json:"in_progress"`
	Waiting      int         `json:"waiting"` // until the next contact date
	// Unfinished is every item still to work, whatever its state.
	Unfinished int `json:"unfinished"`
	// DueToday counts the items whose next contact (or first-contact due
	// date) falls in the current UTC day and has not passed.
	DueToday  int `json:"due_today"`
	Overdue   int `json:"overdue"` // next contact (or first-contact due date) passed
	Escalated int `json:"escalated"`
	Breached  int `json:"sla_breached"` // past the first-contact due date with no contact yet
}

// AgentLoad is one agent's load and output.
type AgentLoad struct {
	UserID         string `json:"user_id"`
	DisplayName    string `json:"display_name"`
	Presence       string `json:"presence"`
	OnShift        bool   `json:"on_shift"`
	Capacity       int    `json:"capacity"`
	Open           int    `json:"open"`
	Overdue        int    `json:"overdue"`
	ContactsToday  int    `json:"contacts_today"`
	CompletedToday int    `json:"completed_today"`
	Completed7d    int    `json:"completed_7d"`
}

// DayDepth is how many items of a kind were unfinished at the end of a
// day (UTC).
type DayDepth struct {
	Day  string      `json:"day"`
	Kind policy.Kind `json:"kind"`
	Open int         `json:"open"`
}

// Breach is an item past its first-contact due date with no contact.
type Breach struct {
	ItemID       string      `json:"item_id"`
	PracticeID   string      `json:"practice_id"`
	PracticeName string      `json:"practice_name"`
	Kind         policy.Kind `json:"kind"`
	OwnerID      string      `json:"owner_id"`
	DueAt        time.Time   `json:"due_at"`
	EscalatedAt  *time.Time  `json:"escalated_at"`
}

// PracticeSummary is a practice's view of the work done for it. It holds
// counts, amounts and opaque ids, never patient data.
type PracticeSummary struct {
	PracticeID       string        `json:"practice_id"`
	At               time.Time     `json:"at"`
	WeekStart        time.Time     `json:"week_start"`
	ByState          []StateCount  `json:"by_state"`
	Overdue          []KindCount   `json:"overdue"`
	ResolvedThisWeek []KindCount   `json:"resolved_this_week"`
	ClosedThisWeek   []KindCount   `json:"closed_this_week"`
	ThisWeek         Money         `json:"this_week"`
	Last30Days       Money         `json:"last_30_days"`
	LastContacts     []LastContact `json:"last_contacts"` // newest first
	ARAging          []AgingBucket `json:"ar_aging"`
	Recare           Recare        `json:"recare"`
	Treatment        Treatment     `json:"treatment"`
	// Clearinghouse is what clearinghouses were asked for the practice
	// over the last 30 days, per kind.
	Clearinghouse []Inquiries `json:"clearinghouse"`
}

// StateCount counts a practice's items of one kind in one state.
type StateCount struct {
	Kind  policy.Kind `json:"kind"`
	State string      `json:"state"`
	Count int         `json:"count"`
}

// KindCount counts items of one kind.
type KindCount struct {
	Kind  policy.Kind `json:"kind"`
	Count int         `json:"count"`
}

// Money sums what agents recorded over a period.
type Money struct {
	PromisedCents int64 `json:"promised_cents"`
	PaidCents     int64 `json:"paid_cents"`
}

// LastContact is the most recent contact logged for one patient.
type LastContact struct {
	PatientID  string      `json:"patient_id"`
	WorkItemID string      `json:"work_item_id"`
	Kind       policy.Kind `json:"kind"`
	At         time.Time   `json:"at"`
	Channel    string      `json:"channel"`
	Outcome    string      `json:"outcome"`
	ActorID    string      `json:"actor_id"`
}

// AgingBucket is one age band of a practice's patient balances.
type AgingBucket struct {
	Band        string `json:"band"` // "0-30", "31-60", "61-90", "90+"
	AmountCents int64  `json:"amount_cents"`
	Accounts    int    `json:"accounts"` // accounts with money in the band
}

// Recare is how recall reactivation is going.
type Recare struct {
	DueUnscheduled  int `json:"due_unscheduled"`     // recalls past due with no visit booked
	Scheduled       int `json:"scheduled"`           // recalls with a visit booked
	Reactivated30d  int `json:"reactivated_30d"`     // recare follow-ups resolved (booked) in the last 30 days
	OpenFollowups   int `json:"open_followups"`      // recare follow-ups being worked
	ClosedNoVisit30 int `json:"closed_no_visit_30d"` // recare follow-ups closed without a booking in the last 30 days
}

// Treatment is how unscheduled treatment outreach is going.
type Treatment struct {
	Unscheduled      int   `json:"unscheduled"`       // presented plans not yet booked
	UnscheduledCents int64 `json:"unscheduled_cents"` // their estimated patient portion
	Scheduled        int   `json:"scheduled"`
	Scheduled30d     int   `json:"scheduled_30d"` // treatment follow-ups resolved (booked) in the last 30 days
	OpenFollowups    int   `json:"open_followups"`
}

// Coverage is how the insurance of a practice's coming visits stands, day
// by day in the practice's time zone. It holds counts, never patient
// data.
type Coverage struct {
	PracticeID string    `json:"practice_id"`
	Timezone   string    `json:"timezone"`
	At         time.Time `json:"at"`
	// CheckedThrough is the last day whose visits are verified now; later
	// ones are checked as they come within the policy's days ahead.
	CheckedThrough string        `json:"checked_through"`
	FreshDays      int           `json:"fresh_days"`
	Days           []CoverageDay `json:"days"`
}

// CoverageDay counts one day's visits by where their patient's
// verification stands; each visit counts once.
type CoverageDay struct {
	Date       string `json:"date"`
	Visits     int    `json:"visits"`
	Verified   int    `json:"verified"`
	Asked      int    `json:"asked"`       // waiting for the clearinghouse's answer
	WithAgents int    `json:"with_agents"` // an agent verifies it
	NotChecked int    `json:"not_checked"`
}
