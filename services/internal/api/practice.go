package api

import (
	"encoding/json"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Practice is a dental practice: its identity, where it stands in its
// lifecycle (draft, active, suspended, offboarded) and its recorded BAA.
type Practice struct {
	ID              string     `json:"id"`
	Name            string     `json:"name"`
	NPI             string     `json:"npi"`
	Timezone        string     `json:"timezone"`
	Status          string     `json:"status"`
	StatusReason    *string    `json:"status_reason"`
	StatusChangedAt *time.Time `json:"status_changed_at"`
	RetainUntil     *string    `json:"retain_until"`
	BAA             *BAA       `json:"baa"`
	Version         int        `json:"version"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	ProvisionedAt   *time.Time `json:"provisioned_at"`
	RequireMFA      bool       `json:"require_mfa"`
}

// BAA is a practice's recorded business associate agreement: what was
// recorded, and when.
type BAA struct {
	BAABody
	RecordedAt time.Time `json:"recorded_at"`
}

// PracticeList is a page of practices.
type PracticeList struct {
	Items     []Practice `json:"items"`
	NextAfter string     `json:"next_after,omitempty"`
}

// PracticeBody creates a practice.
type PracticeBody struct {
	Name     string `json:"name"`
	NPI      string `json:"npi"`
	Timezone string `json:"timezone"`
}

// PracticeUpdateBody changes a practice at the version last read.
type PracticeUpdateBody struct {
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
	Version  int    `json:"version"`
	// RequireMFA, when sent, sets whether reading the practice's patients
	// needs a sign-in with a second factor.
	RequireMFA *bool `json:"require_mfa"`
}

// BAABody records the practice's BAA; SignedOn is a date, YYYY-MM-DD.
type BAABody struct {
	SignerName     string `json:"signer_name"`
	SignerTitle    string `json:"signer_title"`
	SignedOn       string `json:"signed_on"`
	DocumentSHA256 string `json:"document_sha256"`
}

// ReasonBody gives the reason for a change of a practice's status.
type ReasonBody struct {
	Reason string `json:"reason"`
}

// Location is one of a practice's offices: the address as it was added,
// with its id and when it was added.
type Location struct {
	ID string `json:"id"`
	LocationBody
	CreatedAt time.Time `json:"created_at"`
}

// LocationList is a practice's locations.
type LocationList struct {
	Items []Location `json:"items"`
}

// LocationBody adds a location.
type LocationBody struct {
	Name         string `json:"name"`
	AddressLine1 string `json:"address_line1"`
	AddressLine2 string `json:"address_line2"`
	City         string `json:"city"`
	State        string `json:"state"`
	PostalCode   string `json:"postal_code"`
	Phone        string `json:"phone"`
}

// Policies are a practice's follow-up rules per kind of work, its contact
// rules, and the version of each kind's policy.
type Policies struct {
	Kinds    map[string]policy.Policy `json:"kinds"`
	Contact  policy.ContactRules      `json:"contact"`
	Versions map[string]int           `json:"versions"`
}

// PolicyBody replaces one kind's policy at the version last read. The
// policy is read by the policy package, which names the field it refuses.
type PolicyBody struct {
	Version int             `json:"version"`
	Policy  json.RawMessage `json:"policy"`
}

// InviteBody invites a practice admin by email.
type InviteBody struct {
	Email string `json:"email"`
}

// Invitation is an invitation to administer a practice.
type Invitation struct {
	ID          string     `json:"id"`
	PracticeID  string     `json:"practice_id"`
	Email       string     `json:"email"`
	Role        string     `json:"role"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

// Checklist is a practice's onboarding: each step, done or not, the key
// of the next one to take, and how many are done.
type Checklist struct {
	PracticeID string          `json:"practice_id"`
	Steps      []ChecklistStep `json:"steps"`
	Next       string          `json:"next"`
	Done       int             `json:"done"`
}

// ChecklistStep is one step of the onboarding. A done step says when it
// was done, and the name of who did it, where those are kept.
type ChecklistStep struct {
	Key    string     `json:"key"`
	Title  string     `json:"title"`
	Done   bool       `json:"done"`
	Hint   string     `json:"hint"` // what to do, where
	DoneAt *time.Time `json:"done_at,omitempty"`
	DoneBy string     `json:"done_by,omitempty"`
}
