// Package grant is how a practice decides who sees its patients: grants
// to an agent or a team for chosen kinds of work and field groups, for a
// window and with a reason; billing managers' access requests, which
// become grants only when a practice admin other than the requester
// approves; and break-glass sessions, time-boxed access to one patient
// outside the usual rules, held open for compliance's review. Every
// change is stored with its audit event in one transaction, and nobody
// approves or reviews their own action. Whether a grant lets someone read
// a patient is the access policy's to decide (pkg/access); this package
// keeps the grants it decides on.
package grant

import (
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
)

// GranteeType says whether a grant names one agent or a team.
type GranteeType string

// The grantee types.
const (
	GranteeAgent GranteeType = "agent"
	GranteeTeam  GranteeType = "team"
)

// Grant lets an agent or a team work chosen kinds of a practice's
// follow-up and see chosen field groups, for a window, for a reason.
type Grant struct {
	ID          string
	PracticeID  string
	GranteeType GranteeType
	GranteeID   string // an agent's user id or a team id
	Kinds       []policy.Kind
	FieldGroups []access.FieldGroup
	Purpose     string
	Reason      string
	GrantedBy   string
	RequestID   string
	ValidFrom   time.Time
	ValidUntil  time.Time
	ReviewDueAt time.Time
	ReviewedAt  *time.Time
	ReviewedBy  string
	RevokedAt   *time.Time
	RevokedBy   string
	RevokeNote  string
	CreatedAt   time.Time
	Version     int
}

// State is where a grant stands at a moment.
type State string

// The grant states. Only an active grant lets anyone in.
const (
	Active  State = "active"
	Pending State = "not_yet_valid"
	Expired State = "expired"
	Revoked State = "revoked"
	Lapsed  State = "review_overdue"
)

// State reports the grant's state at now. It is active exactly when the
// access policy finds it working (access.GrantFact.Works); the other
// states say why it is not.
func (g Grant) State(now time.Time) State {
	switch {
	case g.RevokedAt != nil:
		return Revoked
	case now.Before(g.ValidFrom):
		return Pending
	case !now.Before(g.ValidUntil):
		return Expired
	case !now.Before(g.ReviewDueAt):
		return Lapsed
	}
	return Active
}

// Fact is g as an access decision sees it.
func (g Grant) Fact() access.GrantFact {
	return access.GrantFact{ID: g.ID, PracticeID: g.PracticeID, Kinds: g.Kinds, FieldGroups: g.FieldGroups,
		ValidFrom: g.ValidFrom, ValidUntil: g.ValidUntil, ReviewDueAt: g.ReviewDueAt, Revoked: g.RevokedAt != nil}
}

// Covers reports whether the grant lets its grantee work kind at now.
func (g Grant) Covers(kind policy.Kind, now time.Time) bool { return g.Fact().Covers(kind, now) }

// Windows are the limits on how long grants last and how often they are
// re-certified.
type Windows struct {
	DefaultDays int // a grant's length when none is asked for
	MaxDays     int // the longest grant a practice can give
	ReviewDays  int // how long a grant works before it must be re-certified
	BreakGlass  time.Duration
}

// DefaultWindows are the documented defaults.
var DefaultWindows = Windows{DefaultDays: 90, MaxDays: 365, ReviewDays: 30, BreakGlass: 15 * time.Minute}

// MinReasonLen is the shortest reason accepted for a grant or a request.
const MinReasonLen = 10

// MinBreakGlassReason is the shortest reason accepted for break-glass.
const MinBreakGlassReason = 20
