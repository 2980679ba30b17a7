package access

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
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
	FieldGroups []FieldGroup
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

// GrantState is where a grant stands at a moment.
type GrantState string

// The grant states. Only an active grant lets anyone in.
const (
	GrantActive  GrantState = "active"
	GrantPending GrantState = "not_yet_valid"
	GrantExpired GrantState = "expired"
	GrantRevoked GrantState = "revoked"
	GrantLapsed  GrantState = "review_overdue"
)

// State reports the grant's state at now.
func (g Grant) State(now time.Time) GrantState {
	switch {
	case g.RevokedAt != nil:
		return GrantRevoked
	case now.Before(g.ValidFrom):
		return GrantPending
	case !now.Before(g.ValidUntil):
		return GrantExpired
	case !now.Before(g.ReviewDueAt):
		return GrantLapsed
	}
	return GrantActive
}

// Covers reports whether the grant lets its grantee work kind at now.
func (g Grant) Covers(kind policy.Kind, now time.Time) bool {
	return g.State(now) == GrantActive && slices.Contains(g.Kinds, kind)
}

// Fields returns the fields an agent doing kind may see under g: the
// kind's field set narrowed to the groups the grant names.
func (g Grant) Fields(kind policy.Kind) []string {
	var groups []FieldGroup
	for _, fg := range KindGroups[kind] {
		if slices.Contains(g.FieldGroups, fg) {
			groups = append(groups, fg)
		}
	}
	return FieldsOf(groups)
}

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

// Scope is what a grant or an access request asks for.
type Scope struct {
	Kinds       []policy.Kind
	FieldGroups []FieldGroup // empty means every group the kinds need
	Days        int          // empty means the default
	Reason      string
}

// Normalize validates s against w and fills its defaults. The error names
// the field at fault.
func (s Scope) Normalize(w Windows) (Scope, error) {
	if len(s.Kinds) == 0 {
		return s, apperr.Invalid("kinds", "required", "name at least one kind of work: %s", kindNames())
	}
	seenK := map[policy.Kind]bool{}
	var kinds []policy.Kind
	for i, k := range s.Kinds {
		if !slices.Contains(policy.Kinds, k) {
			return s, apperr.Invalid(fmt.Sprintf("kinds[%d]", i), "unknown_kind", "%q is not a kind of work; use one of %s", k, kindNames())
		}
		if !seenK[k] {
			seenK[k] = true
			kinds = append(kinds, k)
		}
	}
	s.Kinds = kinds
	need := GroupsFor(kinds)
	if len(s.FieldGroups) == 0 {
		s.FieldGroups = need
	}
	var groups []FieldGroup
	for i, g := range s.FieldGroups {
		field := fmt.Sprintf("field_groups[%d]", i)
		if !slices.Contains(Groups, g) {
			return s, apperr.Invalid(field, "unknown_field_group", "%q is not a field group; use one of %s", g, groupNames(Groups))
		}
		if !slices.Contains(need, g) {
			return s, apperr.Invalid(field, "field_group_not_needed", "no kind in this grant needs %q (they need %s)", g, groupNames(need))
		}
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	if !slices.Contains(groups, GroupIdentity) {
		return s, apperr.Invalid("field_groups", "identity_required", "the identity group is required: nobody can work an account without knowing whose it is")
	}
	s.FieldGroups = groups
	switch {
	case s.Days == 0:
		s.Days = w.DefaultDays
	case s.Days < 1 || s.Days > w.MaxDays:
		return s, apperr.Invalid("days", "out_of_range", "must be between 1 and %d", w.MaxDays)
	}
	s.Reason = strings.TrimSpace(s.Reason)
	if len([]rune(s.Reason)) < MinReasonLen {
		return s, apperr.Invalid("reason", "too_short", "say why, in at least %d characters", MinReasonLen)
	}
	return s, nil
}

func kindNames() string {
	names := make([]string, len(policy.Kinds))
	for i, k := range policy.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func groupNames(gs []FieldGroup) string {
	names := make([]string, len(gs))
	for i, g := range gs {
		names[i] = string(g)
	}
	return strings.Join(names, ", ")
}

// RequestState is where an access request stands.
type RequestState string

// The request states.
const (
	RequestPending  RequestState = "pending"
	RequestApproved RequestState = "approved"
	RequestDenied   RequestState = "denied"
)

// Request is a billing manager's request for a team's access to a practice.
type Request struct {
	ID           string
	PracticeID   string
	TeamID       string
	Scope        Scope
	RequestedBy  string
	RequestedAt  time.Time
	State        RequestState
	DecidedBy    string
	DecidedAt    *time.Time
	DecisionNote string
	GrantID      string
}

// BreakGlass is time-boxed access to one patient outside the usual rules.
type BreakGlass struct {
	ID         string
	PracticeID string
	PatientID  string
	UserID     string
	Reason     string
	OpenedAt   time.Time
	ExpiresAt  time.Time
	ReviewedAt *time.Time
	ReviewedBy string
	ReviewNote string
	// ReviewDisposition is what the reviewer concluded.
	ReviewDisposition Disposition
}

// OpenAt reports whether the session still lets its holder in at now.
func (b BreakGlass) OpenAt(now time.Time) bool { return now.Before(b.ExpiresAt) }
