package grant

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

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

// RequestAccess records a billing manager's request for a team's access.
func (s *Service) RequestAccess(ctx context.Context, by identity.Principal, ev audit.Event, practiceID, teamID string, scope Scope) (Request, error) {
	if strings.TrimSpace(teamID) == "" {
		return Request{}, apperr.Invalid("team_id", "required", "is required")
	}
	scope, err := scope.Normalize(s.windows)
	if err != nil {
		return Request{}, err
	}
	ok, err := s.store.GranteeExists(ctx, GranteeTeam, teamID)
	if err != nil {
		return Request{}, err
	}
	if !ok {
		return Request{}, apperr.Invalid("team_id", "unknown_team", "no team has this id")
	}
	now := s.clock()
	r := Request{ID: newID(), PracticeID: practiceID, TeamID: teamID, Scope: scope, RequestedBy: by.UserID,
		RequestedAt: now, State: RequestPending}
	e := stamp(ev, now, audit.ActionCreate, practiceID)
	e.Reason, e.Purpose = "access requested", "access_management"
	if err := s.store.CreateRequest(ctx, r, e); err != nil {
		return Request{}, err
	}
	return r, nil
}

// DecideRequest approves (creating the grant) or denies a pending request.
func (s *Service) DecideRequest(ctx context.Context, by identity.Principal, ev audit.Event, id string, approve bool, note string) (Request, *Grant, error) {
	r, err := s.store.Request(ctx, id)
	if err != nil {
		return Request{}, nil, err
	}
	now := s.clock()
	if self, err := s.people.SamePerson(ctx, by.UserID, r.RequestedBy); err != nil || self {
		return Request{}, nil, errOr(err, ErrSelfApproval) // the HTTP layer records the denial
	}
	if r.State != RequestPending {
		return Request{}, nil, apperr.Conflict("already_decided", fmt.Sprintf("the request was %s already", r.State), nil)
	}
	note = strings.TrimSpace(note)
	if !approve && note == "" {
		return Request{}, nil, apperr.Invalid("note", "required", "say why the request is denied")
	}
	r.DecidedBy, r.DecidedAt, r.DecisionNote = by.UserID, &now, note
	var g *Grant
	e := stamp(ev, now, audit.ActionGrant, r.PracticeID)
	e.Purpose = "access_management"
	if approve {
		ng := s.newGrant(now, r.PracticeID, GranteeTeam, r.TeamID, r.Scope, by.UserID, r.ID)
		g, r.State, r.GrantID = &ng, RequestApproved, ng.ID
		e.GrantID, e.Reason = ng.ID, "access request approved"
	} else {
		r.State = RequestDenied
		e.Action, e.Reason = audit.ActionRevoke, "access request denied"
	}
	if err := s.store.DecideRequest(ctx, r, g, e); err != nil {
		return Request{}, nil, err
	}
	if g != nil {
		s.facts.Invalidate(ctx, access.PracticeKey(r.PracticeID))
	}
	return r, g, nil
}

// Requests lists a practice's access requests in a state ("" for all).
func (s *Service) Requests(ctx context.Context, practiceID string, state RequestState) ([]Request, error) {
	return s.store.Requests(ctx, practiceID, state)
}

// Request returns one access request.
func (s *Service) Request(ctx context.Context, id string) (Request, error) {
	return s.store.Request(ctx, id)
}
