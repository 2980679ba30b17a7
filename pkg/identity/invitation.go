package identity

import (
	"context"
	"net/mail"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/google/uuid"
)

// InvitationState says where an invitation stands (docs/identity.md).
type InvitationState string

// The states of an invitation.
const (
	// InvitationOpen binds at the next sign-in with its email verified,
	// unless that person holds platform_admin or compliance.
	InvitationOpen InvitationState = "open"
	// InvitationAwaiting is an invitation to someone who holds
	// platform_admin or compliance: it binds only after a second platform
	// admin confirms it.
	InvitationAwaiting InvitationState = "awaiting_confirmation"
	// InvitationConfirmed binds at the next sign-in with its email
	// verified, whatever that person's roles.
	InvitationConfirmed InvitationState = "confirmed"
	// InvitationAccepted has become a membership.
	InvitationAccepted InvitationState = "accepted"
	// InvitationRefused was refused at sign-in because the person signing
	// in sent or confirmed it; it never binds.
	InvitationRefused InvitationState = "refused"
)

// Invitation asks a person, by email, to administer a practice.
type Invitation struct {
	ID          string
	PracticeID  string
	Email       string
	Role        Role
	State       InvitationState
	InvitedBy   string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	ConfirmedBy string
	ConfirmedAt *time.Time
	AcceptedBy  string
	AcceptedAt  *time.Time
}

// InvitationTTL is how long an invitation stays open.
const InvitationTTL = 14 * 24 * time.Hour

// Refusal codes: what a refused invitation, confirmation or binding
// answers and records as its audit event's reason.
const (
	CodeSelfInvitation    = "self_invitation"
	CodeSelfApproval      = "self_approval"
	CodeNeedsConfirmation = "needs_confirmation"
	CodeRoleNotPermitted  = "role_not_permitted"
)

var (
	// ErrSelfInvitation refuses an invitation to the inviter.
	ErrSelfInvitation = &apperr.Error{Kind: apperr.KindForbidden, Code: CodeSelfInvitation,
		Message: "you cannot invite yourself to administer a practice; another person must invite you"}
	// ErrSelfConfirmation refuses a confirmation by the person who sent
	// the invitation or the person it is for.
	ErrSelfConfirmation = &apperr.Error{Kind: apperr.KindForbidden, Code: CodeSelfApproval,
		Message: "an invitation must be confirmed by a platform admin who neither sent it nor receives it"}
	errConfirmRole = &apperr.Error{Kind: apperr.KindForbidden, Code: CodeRoleNotPermitted,
		Message: "only platform administrators confirm invitations"}
)

// purpose is the purpose of every invitation and membership event: they
// decide who may see a practice's patients.
const purpose = "access_management"

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func stamp(ev audit.Event, at time.Time, action audit.Action, practiceID string, outcome audit.Outcome, reason string) audit.Event {
	ev.ID, ev.Time, ev.Action, ev.PracticeID = uuid.Must(uuid.NewV7()).String(), at, action, practiceID
	ev.Outcome, ev.Reason, ev.Purpose = outcome, reason, purpose
	return ev
}

// about names the invitation an event is about, so compliance finds every
// event of one invitation with target_type=invitation&target_id=<id>.
func about(ev audit.Event, invitationID, userID string) audit.Event {
	ev.TargetType, ev.TargetID, ev.UserID = audit.TargetInvitation, invitationID, userID
	return ev
}

// refuse records a refused attempt and returns err; if the refusal cannot
// be recorded, that error is returned instead, so nothing is refused
// unrecorded.
func (s *Service) refuse(ctx context.Context, ev audit.Event, err error) error {
	if rerr := s.store.RecordRefusal(ctx, ev); rerr != nil {
		return rerr
	}
	return err
}

// Invite records an invitation for email to administer practiceID; ev
// carries the request's actor. The caller must already have checked that
// by may administer the practice.
//
// Nobody invites themselves: an address that is by's own, or belongs to a
// user who is the same person as by, is refused. An invitation to someone
// Backdesk knows as a platform admin or compliance officer waits for a
// second platform admin's confirmation (ConfirmInvitation).
func (s *Service) Invite(ctx context.Context, by Principal, ev audit.Event, practiceID, email string) (Invitation, error) {
	email = NormalizeEmail(email)
	if email == "" {
		return Invitation{}, apperr.Invalid("email", "required", "is required")
	}
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return Invitation{}, apperr.Invalid("email", "invalid_email", "must be a plain email address such as name@example.com")
	}
	now := s.clock()
	self, users, err := s.isInvitee(ctx, by, email)
	if err != nil {
		return Invitation{}, err
	}
	if self {
		return Invitation{}, s.refuse(ctx, stamp(ev, now, audit.ActionInvitationCreate, practiceID, audit.OutcomeDeny,
			"invitation refused ("+CodeSelfInvitation+")"), ErrSelfInvitation)
	}
	inv := Invitation{
		ID: uuid.Must(uuid.NewV7()).String(), PracticeID: practiceID, Email: email, Role: PracticeAdmin, State: InvitationOpen,
		InvitedBy: by.UserID, CreatedAt: now, ExpiresAt: now.Add(InvitationTTL),
	}
	reason := "invitation " + inv.ID + " created"
	for _, u := range users {
		if Privileged(u.Roles) {
			inv.State = InvitationAwaiting
			reason += ", awaiting confirmation"
			break
		}
	}
	if err := s.store.CreateInvitation(ctx, inv, about(stamp(ev, now, audit.ActionInvitationCreate, practiceID, audit.OutcomeAllow, reason), inv.ID, "")); err != nil {
		return Invitation{}, err
	}
	// A cached principal of the invited person would not settle it.
	s.changed(ctx)
	return inv, nil
}

// ConfirmInvitation lets an invitation awaiting confirmation bind. Only a
// platform admin confirms, and never the one who sent the invitation or
// the one it is for (compared as people, see People): the point is that
// a second person agrees.
func (s *Service) ConfirmInvitation(ctx context.Context, by Principal, ev audit.Event, practiceID, id string) (Invitation, error) {
	inv, err := s.store.Invitation(ctx, id)
	if err != nil {
		return Invitation{}, err
	}
	if inv.PracticeID != practiceID {
		return Invitation{}, apperr.NotFound("invitation")
	}
	now := s.clock()
	refused := func(code string, err error) (Invitation, error) {
		return Invitation{}, s.refuse(ctx, about(stamp(ev, now, audit.ActionInvitationConfirm, practiceID, audit.OutcomeDeny,
			"invitation "+inv.ID+" confirmation refused ("+code+")"), inv.ID, ""), err)
	}
	if !by.Has(PlatformAdmin) {
		return refused(CodeRoleNotPermitted, errConfirmRole)
	}
	self := by.UserID == inv.InvitedBy
	if !self {
		if self, err = s.store.SamePerson(ctx, by.UserID, inv.InvitedBy); err != nil {
			return Invitation{}, err
		}
	}
	if !self {
		if self, _, err = s.isInvitee(ctx, by, inv.Email); err != nil {
			return Invitation{}, err
		}
	}
	if self {
		return refused(CodeSelfApproval, ErrSelfConfirmation)
	}
	switch {
	case inv.State != InvitationAwaiting:
		return Invitation{}, apperr.Conflict("not_awaiting_confirmation", "this invitation is "+string(inv.State)+", not awaiting confirmation", nil)
	case !inv.ExpiresAt.After(now):
		return Invitation{}, apperr.Conflict("invitation_expired", "this invitation has expired; send a new one", nil)
	}
	inv.State, inv.ConfirmedBy, inv.ConfirmedAt = InvitationConfirmed, by.UserID, &now
	if err := s.store.ConfirmInvitation(ctx, inv, about(stamp(ev, now, audit.ActionInvitationConfirm, practiceID, audit.OutcomeAllow,
		"invitation "+inv.ID+" confirmed"), inv.ID, "")); err != nil {
		return Invitation{}, err
	}
	s.changed(ctx)
	return inv, nil
}

// Candidate is an invitation that the email of a sign-in matches, with
// what the store found out about the person signing in.
type Candidate struct {
	Invitation Invitation
	// ByInviter and ByConfirmer report whether the person signing in is
	// the one who sent, or confirmed, the invitation.
	ByInviter, ByConfirmer bool
}

// Settle decides, at sign-in, what becomes of an open or confirmed
// invitation whose email the provider vouched for, and returns its new
// state with the audit event that records the decision:
//
//   - the person who sent or confirmed it never receives it (refused);
//   - a confirmed invitation binds;
//   - an open one does not bind to someone signing in with platform_admin
//     or compliance: it waits for a second platform admin's confirmation;
//   - otherwise it binds.
func Settle(in SignIn, c Candidate) (InvitationState, audit.Event) {
	inv := c.Invitation
	deny := func(state InvitationState, code string) (InvitationState, audit.Event) {
		return state, signInEvent(in, audit.ActionInvitationAccept, inv, audit.OutcomeDeny, "invitation "+inv.ID+" refused ("+code+")")
	}
	switch {
	case c.ByInviter:
		return deny(InvitationRefused, CodeSelfInvitation)
	case c.ByConfirmer:
		return deny(InvitationRefused, CodeSelfApproval)
	case inv.State == InvitationOpen && Privileged(in.Roles):
		return deny(InvitationAwaiting, CodeNeedsConfirmation)
	}
	return InvitationAccepted, signInEvent(in, audit.ActionInvitationAccept, inv, audit.OutcomeAllow, "invitation "+inv.ID+" accepted")
}

// MembershipEvent records the membership an accepted invitation made.
func MembershipEvent(in SignIn, inv Invitation) audit.Event {
	return signInEvent(in, audit.ActionMembershipAdd, inv, audit.OutcomeAllow, string(inv.Role)+" membership from invitation "+inv.ID)
}

func signInEvent(in SignIn, action audit.Action, inv Invitation, outcome audit.Outcome, reason string) audit.Event {
	actor := audit.Actor{Issuer: in.Identity.Issuer, Subject: in.Identity.Subject}
	if len(in.Roles) > 0 {
		actor.Role = string(in.Roles[0])
	}
	return about(stamp(audit.Event{Actor: actor}, in.At, action, inv.PracticeID, outcome, reason), inv.ID, "")
}
