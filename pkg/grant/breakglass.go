package grant

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

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
func (b BreakGlass) OpenAt(now time.Time) bool { return b.Fact().OpenAt(now) }

// Fact is b as an access decision sees it.
func (b BreakGlass) Fact() access.BreakGlassFact {
	return access.BreakGlassFact{ID: b.ID, PracticeID: b.PracticeID, PatientID: b.PatientID, UserID: b.UserID, ExpiresAt: b.ExpiresAt}
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

// OpenBreakGlass opens time-boxed access to one patient for by. The
// session stays on compliance's review queue until reviewed.
func (s *Service) OpenBreakGlass(ctx context.Context, by identity.Principal, ev audit.Event, patientID, reason string) (BreakGlass, error) {
	reason = strings.TrimSpace(reason)
	if strings.TrimSpace(patientID) == "" {
		return BreakGlass{}, apperr.Invalid("patient_id", "required", "is required")
	}
	if len([]rune(reason)) < MinBreakGlassReason {
		return BreakGlass{}, apperr.Invalid("reason", "too_short", "say why, in at least %d characters", MinBreakGlassReason)
	}
	practiceID, err := s.store.PatientPractice(ctx, patientID)
	if err != nil {
		return BreakGlass{}, err
	}
	d, err := s.decider.Decide(ctx, by, access.OpenBreakGlass, access.Resource{PracticeID: practiceID, PatientID: patientID})
	if err != nil {
		return BreakGlass{}, err
	}
	if !d.Allow {
		return BreakGlass{}, &apperr.Error{Kind: apperr.KindForbidden, Code: d.Code, Message: d.Reason}
	}
	now := s.clock()
	b := BreakGlass{ID: newID(), PracticeID: practiceID, PatientID: patientID, UserID: by.UserID, Reason: reason,
		OpenedAt: now, ExpiresAt: now.Add(s.windows.BreakGlass)}
	e := stamp(ev, now, audit.ActionBreakGlass, practiceID)
	// The reason a person wrote stays in the session record: free text may
	// name the patient, and audit events carry ids and codes only.
	e.PatientIDs, e.BreakGlass, e.Purpose, e.Reason = []string{patientID}, true, access.PurposeBreakGlass, "break-glass session "+b.ID+" opened"
	if err := s.store.OpenBreakGlass(ctx, b, e); err != nil {
		return BreakGlass{}, err
	}
	return b, nil
}

// MyBreakGlass lists the break-glass sessions by holds open now, for the
// banner that reminds a person every page long that they are in one.
func (s *Service) MyBreakGlass(ctx context.Context, by identity.Principal) ([]BreakGlass, error) {
	return s.store.OpenBreakGlassOf(ctx, by.UserID, s.Now())
}

// BreakGlassQueue lists break-glass sessions, unreviewed first.
func (s *Service) BreakGlassQueue(ctx context.Context, unreviewedOnly bool) ([]BreakGlass, error) {
	return s.store.BreakGlassList(ctx, unreviewedOnly)
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
	if self, err := s.people.SamePerson(ctx, by.UserID, b.UserID); err != nil || self {
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
	e.PatientIDs, e.BreakGlass, e.Purpose = []string{b.PatientID}, true, access.PurposeCompliance
	e.Reason = fmt.Sprintf("break-glass session %s reviewed: %s", b.ID, r.Disposition)
	if err := s.store.ReviewBreakGlass(ctx, b, e); err != nil {
		return BreakGlass{}, err
	}
	return b, nil
}
