package access

import (
	"time"

	bdaccess "github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
)

var (
	errVersion = apperr.Invalid("version", "required", "send the version you last read")
	errState   = apperr.Invalid("state", "invalid_state", "must be pending, approved or denied")
)

type grantResponse struct {
	ID          string                `json:"id"`
	PracticeID  string                `json:"practice_id"`
	Grantee     granteeBody           `json:"grantee"`
	Kinds       []policy.Kind         `json:"kinds"`
	FieldGroups []bdaccess.FieldGroup `json:"field_groups"`
	Purpose     string                `json:"purpose"`
	Reason      string                `json:"reason"`
	GrantedBy   string                `json:"granted_by"`
	RequestID   string                `json:"request_id,omitempty"`
	ValidFrom   time.Time             `json:"valid_from"`
	ValidUntil  time.Time             `json:"valid_until"`
	ReviewDueAt time.Time             `json:"review_due_at"`
	ReviewedAt  *time.Time            `json:"reviewed_at"`
	RevokedAt   *time.Time            `json:"revoked_at"`
	RevokedBy   string                `json:"revoked_by,omitempty"`
	RevokeNote  string                `json:"revoke_note,omitempty"`
	State       grant.State           `json:"state"`
	Version     int                   `json:"version"`
}

func grantResponseFrom(g grant.Grant, now time.Time) grantResponse {
	return grantResponse{
		ID: g.ID, PracticeID: g.PracticeID, Grantee: granteeBody{Type: string(g.GranteeType), ID: g.GranteeID},
		Kinds: g.Kinds, FieldGroups: g.FieldGroups, Purpose: g.Purpose, Reason: g.Reason, GrantedBy: g.GrantedBy,
		RequestID: g.RequestID, ValidFrom: g.ValidFrom, ValidUntil: g.ValidUntil, ReviewDueAt: g.ReviewDueAt,
		ReviewedAt: g.ReviewedAt, RevokedAt: g.RevokedAt, RevokedBy: g.RevokedBy, RevokeNote: g.RevokeNote,
		State: g.State(now), Version: g.Version,
	}
}

type requestResponse struct {
	ID           string                `json:"id"`
	PracticeID   string                `json:"practice_id"`
	TeamID       string                `json:"team_id"`
	TeamName     string                `json:"team_name,omitempty"` // in lists: the team's name
	Kinds        []policy.Kind         `json:"kinds"`
	FieldGroups  []bdaccess.FieldGroup `json:"field_groups"`
	Days         int                   `json:"days"`
	Reason       string                `json:"reason"`
	RequestedBy  string                `json:"requested_by"`
	RequestedAt  time.Time             `json:"requested_at"`
	State        grant.RequestState    `json:"state"`
	DecidedBy    string                `json:"decided_by,omitempty"`
	DecidedAt    *time.Time            `json:"decided_at"`
	DecisionNote string                `json:"decision_note,omitempty"`
	GrantID      string                `json:"grant_id,omitempty"`
}

func requestResponseFrom(r grant.Request) requestResponse {
	return requestResponse{
		ID: r.ID, PracticeID: r.PracticeID, TeamID: r.TeamID, Kinds: r.Scope.Kinds, FieldGroups: r.Scope.FieldGroups,
		Days: r.Scope.Days, Reason: r.Scope.Reason, RequestedBy: r.RequestedBy, RequestedAt: r.RequestedAt,
		State: r.State, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, DecisionNote: r.DecisionNote, GrantID: r.GrantID,
	}
}

// breakGlassResponse shows a session without its patient's details: the
// patient id is an internal key, never PHI.
type breakGlassResponse struct {
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

func breakGlassResponseFrom(b grant.BreakGlass, now time.Time) breakGlassResponse {
	return breakGlassResponse{
		ID: b.ID, PracticeID: b.PracticeID, PatientID: b.PatientID, UserID: b.UserID, Reason: b.Reason,
		OpenedAt: b.OpenedAt, ExpiresAt: b.ExpiresAt, Open: b.OpenAt(now), ReviewedAt: b.ReviewedAt,
		ReviewedBy: b.ReviewedBy, ReviewNote: b.ReviewNote, ReviewDisposition: b.ReviewDisposition,
	}
}
