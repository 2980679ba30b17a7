package grant

import (
	"context"

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
		if self, err := s.people.SamePerson(ctx, by.UserID, who); err != nil || self {
			return errOr(err, ErrSelfRecertification)
		}
	}
	return nil
}
