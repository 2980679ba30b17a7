package access

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

// Nobody approves or reviews their own action. Each check compares people
// (identity.People), not user ids, so a second account of the same person
// is refused too. The HTTP layer records each refusal as a denial.
var (
	// ErrSelfApproval refuses a requester deciding its own request.
	ErrSelfApproval = &apperr.Error{Kind: apperr.KindForbidden, Code: "self_approval",
		Message: "a request must be decided by a practice admin other than the person who made it"}
	// ErrSelfRecertification refuses the person who gave a grant, or
	// asked for it, re-certifying it.
	ErrSelfRecertification = &apperr.Error{Kind: apperr.KindForbidden, Code: "self_review",
		Message: "a grant must be re-certified by a practice admin other than the people who asked for it and gave it"}
	// ErrSelfReview refuses the person who opened a break-glass session
	// reviewing it.
	ErrSelfReview = &apperr.Error{Kind: apperr.KindForbidden, Code: "self_review",
		Message: "a break-glass session must be reviewed by someone other than the person who opened it"}
)

// SelfRefusal reports whether err is one of the refusals above, which the
// HTTP layer answers through the guard so that each is audited.
func SelfRefusal(err error) (*apperr.Error, bool) {
	for _, e := range []*apperr.Error{ErrSelfApproval, ErrSelfRecertification, ErrSelfReview} {
		if err == e {
			return e, true
		}
	}
	return nil, false
}

// errOr returns err if there is one, else refusal.
func errOr(err error, refusal *apperr.Error) error {
	if err != nil {
		return err
	}
	return refusal
}

// notOwnGrant refuses a re-certification of g by the person who gave it
// or, for a grant that answered an access request, who asked for it.
func (s *Service) notOwnGrant(ctx context.Context, by identity.Principal, g Grant) error {
	people := []string{g.GrantedBy}
	if g.RequestID != "" {
		r, err := s.store.Request(ctx, g.RequestID)
		if err != nil {
			return err
		}
		people = append(people, r.RequestedBy)
	}
	for _, who := range people {
		if self, err := s.store.SamePerson(ctx, by.UserID, who); err != nil || self {
			return errOr(err, ErrSelfRecertification)
		}
	}
	return nil
}

// Disposition is what a break-glass review concluded.
type Disposition string

// The dispositions a review may reach.
const (
	// Justified: the access was needed and stayed within its reason.
	Justified Disposition = "justified"
	// NotJustified: it was not needed, or went beyond its reason.
	NotJustified Disposition = "not_justified"
	// Referred: handed on (to the privacy officer, the practice, HR) for
	// a decision the reviewer cannot make alone.
	Referred Disposition = "referred"
)

// Dispositions lists every disposition, for validation and documents.
var Dispositions = []Disposition{Justified, NotJustified, Referred}

// MinReviewNote is the shortest break-glass review note accepted: enough
// to say what was checked, not a tick in a box.
const MinReviewNote = 20

// Review is compliance's finding on a break-glass session.
type Review struct {
	Note        string
	Disposition Disposition
}

// normalize trims the note and checks both fields, naming the one at fault.
func (r Review) normalize() (Review, error) {
	r.Note = strings.TrimSpace(r.Note)
	r.Disposition = Disposition(strings.TrimSpace(string(r.Disposition)))
	if len([]rune(r.Note)) < MinReviewNote {
		return r, apperr.Invalid("note", "too_short", "say what was checked and found, in at least %d characters", MinReviewNote)
	}
	if !slices.Contains(Dispositions, r.Disposition) {
		return r, apperr.Invalid("disposition", "invalid_disposition", "must be justified, not_justified or referred")
	}
	return r, nil
}

// ReviewBreakGlass closes a session's review with compliance's finding.
// The person who opened the session cannot review it; the session is then
// returned with ErrSelfReview so the refusal can be recorded against it.
func (s *Service) ReviewBreakGlass(ctx context.Context, by identity.Principal, ev audit.Event, id string, r Review) (BreakGlass, error) {
	r, err := r.normalize()
	if err != nil {
		return BreakGlass{}, err
	}
	b, err := s.store.BreakGlass(ctx, id)
	if err != nil {
		return BreakGlass{}, err
	}
	if self, err := s.store.SamePerson(ctx, by.UserID, b.UserID); err != nil || self {
		return b, errOr(err, ErrSelfReview)
	}
	if b.ReviewedAt != nil {
		return BreakGlass{}, apperr.Conflict("already_reviewed", "this break-glass session was reviewed already", nil)
	}
	now := s.clock()
	b.ReviewedAt, b.ReviewedBy, b.ReviewNote, b.ReviewDisposition = &now, by.UserID, r.Note, r.Disposition
	if b.ExpiresAt.After(now) {
		b.ExpiresAt = now // a reviewed session is closed
	}
	e := stamp(ev, now, audit.ActionUpdate, b.PracticeID)
	// The disposition is a code and may be searched for; the note is free
	// text and stays in the session record.
	e.PatientIDs, e.BreakGlass, e.Purpose = []string{b.PatientID}, true, PurposeCompliance
	e.Reason = fmt.Sprintf("break-glass session %s reviewed: %s", b.ID, r.Disposition)
	if err := s.store.ReviewBreakGlass(ctx, b, e); err != nil {
		return BreakGlass{}, err
	}
	return b, nil
}
