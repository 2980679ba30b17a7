package grant

import (
	"context"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/google/uuid"
)

// Storer keeps grants, requests and break-glass sessions. Every change is
// written in one transaction together with its audit event, so no grant
// exists without the record of who gave it.
type Storer interface {
	GranteeExists(ctx context.Context, t GranteeType, id string) (bool, error)
	// GranteeNames returns the display names of the given teams and
	// agents by id; unknown ids are left out.
	GranteeNames(ctx context.Context, ids []string) (map[string]string, error)
	PatientPractice(ctx context.Context, patientID string) (string, error)
	CreateGrant(ctx context.Context, g Grant, ev audit.Event) error
	Grant(ctx context.Context, id string) (Grant, error)
	Grants(ctx context.Context, practiceID string) ([]Grant, error)
	// UpdateGrant stores g's revocation and review fields if the stored
	// version is still version, and bumps it.
	UpdateGrant(ctx context.Context, g Grant, version int, ev audit.Event) error
	// DueForReview lists live grants whose re-certification falls before
	// until, the most overdue first, in the given practices (nil: all).
	DueForReview(ctx context.Context, practices []string, until, now time.Time, limit int) ([]Grant, error)
	CreateRequest(ctx context.Context, r Request, ev audit.Event) error
	Request(ctx context.Context, id string) (Request, error)
	Requests(ctx context.Context, practiceID string, state RequestState) ([]Request, error)
	// DecideRequest records r's decision if it is still pending, and
	// creates g when it is not nil.
	DecideRequest(ctx context.Context, r Request, g *Grant, ev audit.Event) error
	OpenBreakGlass(ctx context.Context, b BreakGlass, ev audit.Event) error
	BreakGlass(ctx context.Context, id string) (BreakGlass, error)
	BreakGlassList(ctx context.Context, unreviewedOnly bool) ([]BreakGlass, error)
	// OpenBreakGlassOf lists userID's sessions still open at now.
	OpenBreakGlassOf(ctx context.Context, userID string, now time.Time) ([]BreakGlass, error)
	ReviewBreakGlass(ctx context.Context, b BreakGlass, ev audit.Event) error
}

// Decider is the access decision point, asked before a break-glass
// session opens (access.Decider).
type Decider interface {
	Decide(ctx context.Context, p identity.Principal, a access.Action, r access.Resource) (access.Decision, error)
}

// Service gives, revokes and re-certifies grants, handles access requests
// and opens break-glass sessions. Authorization of the caller is the
// HTTP layer's (through the Decider); the rules of the domain are here.
type Service struct {
	store   Storer
	people  identity.People
	decider Decider
	facts   access.Invalidator
	windows Windows
	now     func() time.Time
}

// NewService returns a Service over store. people tells whether two users
// are one person (identity.Service), for the rule that nobody approves or
// reviews their own action; d decides on break-glass; facts is told of
// every change to grants, so every replica stops deciding on the old ones.
// Zero fields of w take DefaultWindows'.
func NewService(store Storer, people identity.People, d Decider, facts access.Invalidator, w Windows, now func() time.Time) *Service {
	if w.DefaultDays == 0 {
		w.DefaultDays = DefaultWindows.DefaultDays
	}
	if w.MaxDays == 0 {
		w.MaxDays = DefaultWindows.MaxDays
	}
	if w.ReviewDays == 0 {
		w.ReviewDays = DefaultWindows.ReviewDays
	}
	if w.BreakGlass == 0 {
		w.BreakGlass = DefaultWindows.BreakGlass
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, people: people, decider: d, facts: facts, windows: w, now: now}
}

// Windows returns the limits in force.
func (s *Service) Windows() Windows { return s.windows }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func stamp(ev audit.Event, at time.Time, action audit.Action, practiceID string) audit.Event {
	ev.ID, ev.Time, ev.Action, ev.PracticeID, ev.Outcome = newID(), at, action, practiceID, audit.OutcomeAllow
	return ev
}

// CreateGrant gives grantee access to practiceID within scope. ev carries
// the request's actor and ids.
func (s *Service) CreateGrant(ctx context.Context, by identity.Principal, ev audit.Event, practiceID string, t GranteeType, granteeID string, scope Scope) (Grant, error) {
	if t != GranteeAgent && t != GranteeTeam {
		return Grant{}, apperr.Invalid("grantee.type", "invalid_grantee", "must be agent or team")
	}
	if strings.TrimSpace(granteeID) == "" {
		return Grant{}, apperr.Invalid("grantee.id", "required", "is required")
	}
	scope, err := scope.Normalize(s.windows)
	if err != nil {
		return Grant{}, err
	}
	ok, err := s.store.GranteeExists(ctx, t, granteeID)
	if err != nil {
		return Grant{}, err
	}
	if !ok {
		return Grant{}, apperr.Invalid("grantee.id", "unknown_grantee", "no %s has this id", t)
	}
	now := s.clock()
	g := s.newGrant(now, practiceID, t, granteeID, scope, by.UserID, "")
	if err := s.store.CreateGrant(ctx, g, s.grantEvent(ev, now, audit.ActionGrant, g, "granted")); err != nil {
		return Grant{}, err
	}
	s.facts.Invalidate(ctx, access.PracticeKey(practiceID))
	return g, nil
}

func (s *Service) newGrant(now time.Time, practiceID string, t GranteeType, granteeID string, sc Scope, by, requestID string) Grant {
	until := now.AddDate(0, 0, sc.Days)
	review := now.AddDate(0, 0, s.windows.ReviewDays)
	if review.After(until) {
		review = until
	}
	return Grant{
		ID: newID(), PracticeID: practiceID, GranteeType: t, GranteeID: granteeID, Kinds: sc.Kinds,
		FieldGroups: sc.FieldGroups, Purpose: access.PurposePayment, Reason: sc.Reason, GrantedBy: by, RequestID: requestID,
		ValidFrom: now, ValidUntil: until, ReviewDueAt: review, CreatedAt: now, Version: 1,
	}
}

func (s *Service) grantEvent(ev audit.Event, at time.Time, action audit.Action, g Grant, reason string) audit.Event {
	ev = stamp(ev, at, action, g.PracticeID)
	ev.GrantID, ev.Reason, ev.Purpose = g.ID, reason, "access_management"
	return ev
}

// RevokeGrant ends a grant at once, on every replica.
func (s *Service) RevokeGrant(ctx context.Context, by identity.Principal, ev audit.Event, id string, version int, note string) (Grant, error) {
	g, err := s.store.Grant(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if g.RevokedAt != nil {
		return Grant{}, apperr.Conflict("already_revoked", "the grant was revoked already", nil)
	}
	now := s.clock()
	g.RevokedAt, g.RevokedBy, g.RevokeNote = &now, by.UserID, strings.TrimSpace(note)
	if err := s.store.UpdateGrant(ctx, g, version, s.grantEvent(ev, now, audit.ActionRevoke, g, "revoked")); err != nil {
		return Grant{}, err
	}
	g.Version = version + 1
	s.facts.Invalidate(ctx, access.PracticeKey(g.PracticeID))
	return g, nil
}

// Recertify confirms a grant is still needed and moves its review date on.
// A grant past its review date has stopped working; recertifying it
// restores it, which is the practice admin's deliberate act. Neither the
// person who gave the grant nor the one who asked for it may re-certify
// it: a review of one's own decision is no review.
func (s *Service) Recertify(ctx context.Context, by identity.Principal, ev audit.Event, id string, version int) (Grant, error) {
	g, err := s.store.Grant(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if err := s.notOwnGrant(ctx, by, g); err != nil {
		return Grant{}, err // the HTTP layer records the denial
	}
	now := s.clock()
	switch g.State(now) {
	case Revoked, Expired:
		return Grant{}, apperr.Conflict("grant_ended", "a revoked or expired grant cannot be re-certified; give a new one", nil)
	}
	review := now.AddDate(0, 0, s.windows.ReviewDays)
	if review.After(g.ValidUntil) {
		review = g.ValidUntil
	}
	g.ReviewedAt, g.ReviewedBy, g.ReviewDueAt = &now, by.UserID, review
	if err := s.store.UpdateGrant(ctx, g, version, s.grantEvent(ev, now, audit.ActionGrant, g, "re-certified")); err != nil {
		return Grant{}, err
	}
	g.Version = version + 1
	s.facts.Invalidate(ctx, access.PracticeKey(g.PracticeID))
	return g, nil
}

// Grants lists a practice's grants, newest first.
func (s *Service) Grants(ctx context.Context, practiceID string) ([]Grant, error) {
	return s.store.Grants(ctx, practiceID)
}

// Grant returns one grant.
func (s *Service) Grant(ctx context.Context, id string) (Grant, error) { return s.store.Grant(ctx, id) }

// Now is the service's clock, for handlers that show states.
func (s *Service) Now() time.Time { return s.now() }

// GranteeNames names teams and agents for people deciding about grants,
// who may not list teams or agents themselves: the names of the grantees
// of grants and requests they can already see.
func (s *Service) GranteeNames(ctx context.Context, ids []string) (map[string]string, error) {
	if len(ids) == 0 {
		return map[string]string{}, nil
	}
	return s.store.GranteeNames(ctx, ids)
}

// DueForReview lists grants live at now whose re-certification falls
// before until, the most overdue first, in the given practices (nil:
// every practice), for compliance's access reviews.
func (s *Service) DueForReview(ctx context.Context, practices []string, until, now time.Time, limit int) ([]Grant, error) {
	return s.store.DueForReview(ctx, practices, until, now, limit)
}
