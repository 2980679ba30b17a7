package api

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Event is an audit event as its canonical body holds it, plus its seq,
// the cursor of the listings.
type Event struct {
	Seq        int64     `json:"seq"`
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	Actor      Actor     `json:"actor"`
	Action     string    `json:"action"`
	PracticeID string    `json:"practice_id"`
	PatientIDs []string  `json:"patient_ids"`
	Fields     []string  `json:"fields"`
	WorkItemID string    `json:"work_item_id"`
	GrantID    string    `json:"grant_id"`
	Purpose    string    `json:"purpose"`
	Outcome    string    `json:"outcome"`
	Reason     string    `json:"reason"`
	RequestID  string    `json:"request_id"`
	TraceID    string    `json:"trace_id"`
	BreakGlass bool      `json:"break_glass"`
	// Set on change events only.
	TargetType string         `json:"target_type,omitempty"`
	TargetID   string         `json:"target_id,omitempty"`
	UserID     string         `json:"user_id,omitempty"`
	Counts     map[string]int `json:"counts,omitempty"`
}

// Actor is who acted, as an audit event names them.
type Actor struct {
	Issuer     string `json:"issuer"`
	Subject    string `json:"subject"`
	Role       string `json:"role"`
	SessionRef string `json:"session_ref"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
}

// EventList is a page of the trail, newest first; NextAfter is the
// cursor of the next, older page.
type EventList struct {
	Items     []Event `json:"items"`
	NextAfter *int64  `json:"next_after,omitempty"`
	// People names the actors of the page's events, each once.
	People []Person `json:"people"`
}

// PatientReport is a page of the events about one patient: who accessed
// the record, when, what and under which grant or break-glass session.
type PatientReport struct {
	PatientID string  `json:"patient_id"`
	Items     []Event `json:"items"`
	NextAfter *int64  `json:"next_after,omitempty"`
	// People names the actors of the page's events, each once.
	People []Person `json:"people"`
}

// Person is an actor of audit events as the identity records of the
// latest sign-in name them. Name and Email are empty for an identity
// nobody signed in as (the platform itself, a refused sign-in).
type Person struct {
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Email   string `json:"email"`
}

// Checkpoint is a signed checkpoint of the audit log: the tree's size,
// its root hash (base64) and the signed note.
type Checkpoint struct {
	Size     uint64 `json:"size"`
	RootHash string `json:"root_hash"`
	Note     string `json:"note"`
}

// EventDetail carries what an auditor needs to check one event without
// trusting Backdesk: the stored canonical body (its RFC 6962 leaf hash is
// SHA-256(0x00 ‖ canonical)), the leaf index and the audit path (base64
// hashes) to the root of a signed checkpoint. The index and checkpoint
// are null until the event is integrated.
type EventDetail struct {
	Event          Event       `json:"event"`
	Canonical      string      `json:"canonical"`
	LeafIndex      *uint64     `json:"leaf_index"`
	InclusionProof []string    `json:"inclusion_proof"`
	Checkpoint     *Checkpoint `json:"checkpoint"`
	// People names the event's actor (one person, or none for an event
	// without one).
	People []Person `json:"people"`
}

// Consistency proves that the log at size From is a prefix of the log at
// size To.
type Consistency struct {
	From       uint64     `json:"from"`
	To         uint64     `json:"to"`
	Proof      []string   `json:"proof"`
	Checkpoint Checkpoint `json:"checkpoint"`
}

// AnomalyReport is what the anomaly rules found in a window.
type AnomalyReport struct {
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	PracticeID     string    `json:"practice_id,omitempty"`
	VolumeFactor   float64   `json:"volume_factor"`
	VolumeMinReads int       `json:"volume_min_reads"`
	HoursUnknown   int       `json:"hours_unknown"`
	Items          []Anomaly `json:"items"`
}

// Anomaly is one finding: ids, counts and a reason, no patient data.
type Anomaly struct {
	Key         string       `json:"key"` // names the anomaly for its review
	Kind        string       `json:"kind"`
	Actor       AnomalyActor `json:"actor"`
	PracticeIDs []string     `json:"practice_ids"`
	EventIDs    []string     `json:"event_ids"`
	EventCount  int          `json:"event_count"`
	FirstAt     time.Time    `json:"first_at"`
	LastAt      time.Time    `json:"last_at"`
	Reason      string       `json:"reason"`
	Review      *Review      `json:"review"` // null until compliance closes it with a note
}

// AnomalyActor is whose events an anomaly is about.
type AnomalyActor struct {
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
	Role    string `json:"role"`
}

// Review closes something compliance looked at (an anomaly) with a note.
type Review struct {
	Key        string    `json:"key"`
	Note       string    `json:"note"`
	Reviewer   string    `json:"reviewer"`
	ReviewedAt time.Time `json:"reviewed_at"`
}

// ReviewBody closes the anomaly Key names with compliance's note.
type ReviewBody struct {
	Key  string `json:"key"`
	Note string `json:"note"`
}

// AccessReviews are the live grants due for re-certification within the
// days asked for, overdue first.
type AccessReviews struct {
	WithinDays int        `json:"within_days"`
	Overdue    int        `json:"overdue"`
	Items      []DueGrant `json:"items"`
}

// DueGrant is a grant due for re-certification.
type DueGrant struct {
	GrantID     string        `json:"grant_id"`
	PracticeID  string        `json:"practice_id"`
	GranteeType string        `json:"grantee_type"`
	GranteeID   string        `json:"grantee_id"`
	Kinds       []policy.Kind `json:"kinds"`
	ReviewDueAt time.Time     `json:"review_due_at"`
	ValidUntil  time.Time     `json:"valid_until"`
	Overdue     bool          `json:"overdue"`
	Version     int           `json:"version"`
}

// Integrity is the log's state: the latest signed checkpoint and the
// last verification, each null until there is one.
type Integrity struct {
	Checkpoint       *Checkpoint   `json:"checkpoint"`
	LastVerification *Verification `json:"last_verification"`
}

// Verification is the result of one check of the whole log.
type Verification struct {
	At             time.Time `json:"at"`
	OK             bool      `json:"ok"`
	Leaves         uint64    `json:"leaves"`
	Checkpoints    int       `json:"checkpoints"`
	CheckpointSize uint64    `json:"checkpoint_size"`
	Problem        string    `json:"problem"` // the first problem found; empty when OK
	RequestedBy    string    `json:"requested_by"`
}

// RetentionPolicy is what any archival of the trail must honour.
type RetentionPolicy struct {
	// RetentionDays is how long every event must stay available.
	RetentionDays int `json:"retention_days"`
	// MinimumRetentionDays is the floor Backdesk accepts: six years.
	MinimumRetentionDays int `json:"minimum_retention_days"`
	// KeepSince: no event at or after this time may be removed.
	KeepSince time.Time `json:"keep_since"`
	// DeletesEvents is false: Backdesk itself never deletes an event.
	DeletesEvents bool `json:"deletes_events"`
}
