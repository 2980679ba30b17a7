package access

import (
	"context"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// GrantFact is what a decision knows of one grant the principal holds,
// directly or through a team: the kinds of work and field groups it
// covers at a practice, and the window in which it works. The grant
// itself, with who gave it and why, is the grant domain's (pkg/grant).
type GrantFact struct {
	ID          string
	PracticeID  string
	Kinds       []policy.Kind
	FieldGroups []FieldGroup
	ValidFrom   time.Time
	ValidUntil  time.Time
	ReviewDueAt time.Time
	Revoked     bool
}

// Works reports whether the grant lets anyone in at now: it is not
// revoked, its window has opened and not closed, and it was re-certified
// before its review date. Expiry and lapse are computed here, from the
// dates, so a cached grant stops working on time without any message.
func (g GrantFact) Works(now time.Time) bool {
	return !g.Revoked && !now.Before(g.ValidFrom) && now.Before(g.ValidUntil) && now.Before(g.ReviewDueAt)
}

// Covers reports whether the grant lets its holder work kind at now.
func (g GrantFact) Covers(kind policy.Kind, now time.Time) bool {
	return g.Works(now) && slices.Contains(g.Kinds, kind)
}

// Fields returns the fields an agent doing kind may see under g: the
// kind's field set narrowed to the groups the grant names.
func (g GrantFact) Fields(kind policy.Kind) []string {
	var groups []FieldGroup
	for _, fg := range KindGroups[kind] {
		if slices.Contains(g.FieldGroups, fg) {
			groups = append(groups, fg)
		}
	}
	return FieldsOf(groups)
}

// BreakGlassFact is what a decision knows of one break-glass session:
// whose it is, for which patient, and until when it lets its holder in.
type BreakGlassFact struct {
	ID         string
	PracticeID string
	PatientID  string
	UserID     string
	ExpiresAt  time.Time
}

// OpenAt reports whether the session still lets its holder in at now.
func (b BreakGlassFact) OpenAt(now time.Time) bool { return now.Before(b.ExpiresAt) }

// OwnedItem is an open work item a principal owns.
type OwnedItem struct {
	ID        string
	PatientID string
	Kind      policy.Kind
}

// PracticeFacts are what decisions need of a practice.
type PracticeFacts struct {
	Status     string // "" when the practice does not exist
	RequireMFA bool   // its patients' data needs a second factor
}

// FactSource loads what decisions rest on. accessstore reads them from
// the database; factcache keeps those that change rarely in memory in
// front of it.
type FactSource interface {
	Practice(ctx context.Context, practiceID string) (PracticeFacts, error)
	GrantsFor(ctx context.Context, userID, practiceID string) ([]GrantFact, error)
	OwnedItems(ctx context.Context, userID, practiceID, patientID string) ([]OwnedItem, error)
	BreakGlassFor(ctx context.Context, userID, practiceID, patientID string) ([]BreakGlassFact, error)
}

// PatientFactSource is a FactSource that reads, together, the facts a
// patient read is decided on that are never cached: the person's
// break-glass sessions for the patient and, when items is set, the
// person's unfinished items about the patient. One call costs one round
// trip where two would cost two.
type PatientFactSource interface {
	PatientFacts(ctx context.Context, userID, practiceID, patientID string, items bool) ([]BreakGlassFact, []OwnedItem, error)
}

// Invalidator is told when facts change (a grant given or revoked, a team
// joined or left, a practice suspended), so no replica keeps deciding on
// what it cached before. The key says what changed: PracticeKey,
// UserKey or AllKey.
type Invalidator interface {
	Invalidate(ctx context.Context, key string)
}

// Invalidation keys. They travel between replicas as they are, so their
// form is fixed: a practice's key is the prefix of every cached fact
// about that practice, and a user's the suffix of every cached grant list
// of that user.

// PracticeKey invalidates a practice's status and every grant on it.
func PracticeKey(practiceID string) string { return "practice:" + practiceID + ":" }

// UserKey invalidates one person's cached grants (team changes).
func UserKey(userID string) string { return ":user:" + userID }

// AllKey invalidates everything.
const AllKey = "*"

// PrincipalsKey invalidates every cached principal (identity.Service):
// who people are, their memberships and bootstrap grants. Changes to
// those are rare, so one key drops them all.
const PrincipalsKey = "principal:"
