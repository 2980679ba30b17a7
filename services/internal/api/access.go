package api

import (
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Me is the caller as Backdesk knows it: identity, roles, practice
// memberships and how the call was authenticated.
type Me struct {
	UserID      string       `json:"user_id"`
	Issuer      string       `json:"issuer"`
	Subject     string       `json:"subject"`
	Name        string       `json:"name"`
	Email       string       `json:"email"`
	Roles       []string     `json:"roles"`
	Memberships []Membership `json:"memberships"`
	AuthMethod  string       `json:"auth_method"`
	// MFA says the provider vouched for a second factor at sign-in.
	MFA bool `json:"mfa"`
}

// Membership is a role the caller holds in one practice.
type Membership struct {
	PracticeID string `json:"practice_id"`
	Role       string `json:"role"`
}

// Grantee names who a grant is for: a team or an agent.
type Grantee struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name,omitempty"` // answers only: the team's or agent's display name
}

// Scope is what a grant or an access request covers. Leaving out the
// field groups means every group the kinds need; leaving out the days
// means the default term.
type Scope struct {
	Kinds       []policy.Kind       `json:"kinds"`
	FieldGroups []access.FieldGroup `json:"field_groups,omitempty"`
	Days        int                 `json:"days,omitempty"`
	Reason      string              `json:"reason"`
}

// GrantBody gives a team or an agent access to a practice's patients.
type GrantBody struct {
	Grantee Grantee `json:"grantee"`
	Scope
}

// AccessRequestBody asks a practice to grant a team access.
type AccessRequestBody struct {
	TeamID string `json:"team_id"`
	Scope
}

// VersionBody changes a grant at the version last read: a revocation
// with its note, or a re-certification.
type VersionBody struct {
	Version int    `json:"version"`
	Note    string `json:"note,omitempty"`
}

// Grant is a practice's grant of access to its patients.
type Grant struct {
	ID          string              `json:"id"`
	PracticeID  string              `json:"practice_id"`
	Grantee     Grantee             `json:"grantee"`
	Kinds       []policy.Kind       `json:"kinds"`
	FieldGroups []access.FieldGroup `json:"field_groups"`
	Purpose     string              `json:"purpose"`
	Reason      string              `json:"reason"`
	GrantedBy   string              `json:"granted_by"`
	RequestID   string              `json:"request_id,omitempty"`
	ValidFrom   time.Time           `json:"valid_from"`
	ValidUntil  time.Time           `json:"valid_until"`
	ReviewDueAt time.Time           `json:"review_due_at"`
	ReviewedAt  *time.Time          `json:"reviewed_at"`
	RevokedAt   *time.Time          `json:"revoked_at"`
	RevokedBy   string              `json:"revoked_by,omitempty"`
	RevokeNote  string              `json:"revoke_note,omitempty"`
	State       grant.State         `json:"state"`
	Version     int                 `json:"version"`
}

// GrantList is a practice's grants.
type GrantList struct {
	Grants []Grant `json:"grants"`
}

// AccessRequest is a billing manager's request for a team's access, and
// the practice admin's decision on it.
type AccessRequest struct {
	ID           string              `json:"id"`
	PracticeID   string              `json:"practice_id"`
	TeamID       string              `json:"team_id"`
	TeamName     string              `json:"team_name,omitempty"` // in lists: the team's name
	Kinds        []policy.Kind       `json:"kinds"`
	FieldGroups  []access.FieldGroup `json:"field_groups"`
	Days         int                 `json:"days"`
	Reason       string              `json:"reason"`
	RequestedBy  string              `json:"requested_by"`
	RequestedAt  time.Time           `json:"requested_at"`
	State        grant.RequestState  `json:"state"`
	DecidedBy    string              `json:"decided_by,omitempty"`
	DecidedAt    *time.Time          `json:"decided_at"`
	DecisionNote string              `json:"decision_note,omitempty"`
	GrantID      string              `json:"grant_id,omitempty"`
}

// AccessRequestList is a practice's access requests.
type AccessRequestList struct {
	Requests []AccessRequest `json:"requests"`
}

// Decision is an access request as decided, with the grant an approval
// made.
type Decision struct {
	Request AccessRequest `json:"request"`
	Grant   *Grant        `json:"grant,omitempty"`
}

// BreakGlass is a break-glass session without its patient's details: the
// patient id is an internal key, never PHI.
type BreakGlass struct {
	ID         string     `json:"id"`
	PracticeID string     `json:"practice_id"`
	PatientID  string     `json:"patient_id"`
	UserID     string     `json:"user_id"`
	Reason     string     `json:"reason"`
	OpenedAt   time.Time  `json:"opened_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	Open       bool       `json:"open"`
	ReviewedAt *time.Time `json:"reviewed_at"`
	ReviewedBy string     `json:"reviewed_by,omitempty"`
	ReviewNote string     `json:"review_note,omitempty"`
	// ReviewDisposition is justified, not_justified or referred once reviewed.
	ReviewDisposition grant.Disposition `json:"review_disposition,omitempty"`
}

// BreakGlassList is the break-glass sessions compliance reviews.
type BreakGlassList struct {
	Sessions []BreakGlass `json:"sessions"`
}

// BreakGlassBody opens a break-glass session on a patient, with the
// written reason.
type BreakGlassBody struct {
	PatientID string `json:"patient_id"`
	Reason    string `json:"reason"`
}

// BreakGlassReviewBody closes a break-glass session with compliance's
// note and disposition.
type BreakGlassReviewBody struct {
	Note        string            `json:"note"`
	Disposition grant.Disposition `json:"disposition"`
}
