package audit

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	bdaccess "github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// Grants lists grants live at now whose re-certification falls before
// until, in the given practices (nil: every practice); grant.Service does.
type Grants interface {
	DueForReview(ctx context.Context, practices []string, until, now time.Time, limit int) ([]grant.Grant, error)
}

// mountCompliance registers compliance's review routes: closing an
// anomaly with a note, grants due for re-certification, and the log's
// integrity with an on-demand check. Closing and checking are
// compliance's alone (the same rule as reviewing break-glass).
func (a *API) mountCompliance(r gin.IRouter) {
	read := authz.Policy{Action: bdaccess.ReadAudit}
	review := authz.Policy{Action: bdaccess.ReviewBreakGlass}
	a.guard.Handle(r, http.MethodPost, "/api/v1/audit/reviews", review, a.addReview)
	a.guard.Handle(r, http.MethodGet, "/api/v1/audit/integrity", read, a.integrity)
	a.guard.Handle(r, http.MethodPost, "/api/v1/audit/verifications", review, a.verifyNow)
	a.guard.Handle(r, http.MethodGet, "/api/v1/audit/access-reviews", read, a.accessReviews)
}

// minReviewNote is the shortest note that closes a review.
const minReviewNote = 10

// addReview closes an anomaly of the report with compliance's note.
func (a *API) addReview(c *gin.Context) {
	var in api.ReviewBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	in.Key, in.Note = strings.TrimSpace(in.Key), strings.TrimSpace(in.Note)
	switch {
	case !strings.HasPrefix(in.Key, "anomaly:") || len(in.Key) > 500:
		web.Fail(c, apperr.Invalid("key", "invalid_key", "give the key of an anomaly from the anomaly report"))
		return
	case len(in.Note) < minReviewNote || len(in.Note) > 4000:
		web.Fail(c, apperr.Invalid("note", "invalid_note", "write what was found and done, %d to 4000 characters", minReviewNote))
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	about, err := a.anomalyEvent(ctx, in.Key)
	if err != nil {
		web.Fail(c, err)
		return
	}
	self, err := a.people.SamePersonAs(ctx, p, about.Actor.Issuer, about.Actor.Subject)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if self {
		a.guard.Deny(c, c.Request.Method, bdaccess.Resource{PracticeID: about.PracticeID}, codeSelfReview,
			"an anomaly must be reviewed by someone other than the person it is about")
		return
	}
	ev := newEvent(c, audit.ActionUpdate, []string{"review"})
	ev.Outcome = audit.OutcomeAllow
	r := auditstore.Review{Key: in.Key, Note: in.Note, Reviewer: p.Subject, ReviewedAt: time.Now().UTC()}
	if err := a.store.AddReview(ctx, r, ev); err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, api.Review(r))
}

// People tells whether a signed-in person and the actor of an audit event,
// named by issuer and subject, are one person (identity.Service does).
type People interface {
	SamePersonAs(ctx context.Context, p identity.Principal, issuer, subject string) (bool, error)
}

// codeSelfReview is the refusal of a review by the person reviewed.
const codeSelfReview = "self_review"

var (
	errBadKey = apperr.Invalid("key", "invalid_key", "give the key of an anomaly from the anomaly report")
)

// anomalyKinds are the kinds a review's key may name.
var anomalyKinds = []audit.AnomalyKind{audit.AnomalyBreakGlass, audit.AnomalyNoWorkItem, audit.AnomalyOutsideHours, audit.AnomalyVolume}

// anomalyEvent returns the first event of the anomaly key names, whose
// actor is the person the anomaly is about. A key must name a kind and an
// existing event of the actor it names, exactly as the report builds it;
// the actor part is not parsed, since subjects may hold any character.
func (a *API) anomalyEvent(ctx context.Context, key string) (audit.Event, error) {
	rest := strings.TrimPrefix(key, "anomaly:")
	kind, _, _ := strings.Cut(rest, ":")
	cut := strings.LastIndexByte(key, ':')
	if !slices.Contains(anomalyKinds, audit.AnomalyKind(kind)) || cut < 0 {
		return audit.Event{}, errBadKey
	}
	st, err := a.store.Find(ctx, key[cut+1:])
	if errors.Is(err, apperr.ErrNotFound) {
		return audit.Event{}, errBadKey
	}
	if err != nil {
		return audit.Event{}, err
	}
	e := st.Event
	if keyOf(audit.AnomalyKind(kind), e.Actor.Issuer, e.Actor.Subject, e.ID) != key {
		return audit.Event{}, errBadKey
	}
	return e, nil
}

// integrityFields are the fields of the integrity panel's read.
var integrityFields = []string{"checkpoint", "last_verification"}

// integrity is the log's state: the latest signed checkpoint and the last
// verification with its result.
func (a *API) integrity(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, integrityFields)
	cp, err := a.latest(c)
	var cpOut *api.Checkpoint
	if err == nil {
		o := checkpointResponseFrom(cp)
		cpOut = &o
	} else if errors.Is(err, errNoCheckpoint) {
		err = nil
	}
	var last *api.Verification
	if err == nil {
		v, ok, lerr := a.store.LastVerification(c.Request.Context())
		if ok {
			out := api.Verification(v)
			last = &out
		}
		err = lerr
	}
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, api.Integrity{Checkpoint: cpOut, LastVerification: last})
}

// verifyNow recomputes the whole log from the stored events against every
// signed checkpoint, as backdeskctl audit verify does, and keeps the result.
func (a *API) verifyNow(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	ev := newEvent(c, audit.ActionRead, []string{"verification"})
	v, err := a.store.VerifyAndRecord(ctx, a.verifier, p.Subject)
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, api.Verification(v))
}

// accessReviewFields are the fields an access review listing returns.
var accessReviewFields = []string{"grant_id", "practice_id", "grantee", "kinds", "review_due_at", "overdue"}

// accessReviews lists live grants due for re-certification within the
// next within_days days (default 14), overdue first, for compliance across
// practices and for practice admins in their own.
func (a *API) accessReviews(c *gin.Context) {
	ctx := c.Request.Context()
	ev := newEvent(c, audit.ActionRead, accessReviewFields)
	days := 14
	var err error
	if v := c.Query("within_days"); v != "" {
		if days, err = parseDays(v); err != nil {
			a.record(c, ev, err)
			return
		}
	}
	now := time.Now().UTC()
	gs, err := a.grants.DueForReview(ctx, scope(ctx), now.AddDate(0, 0, days), now, 500)
	if !a.record(c, ev, err) {
		return
	}
	out := make([]api.DueGrant, 0, len(gs))
	overdue := 0
	for _, g := range gs {
		it := api.DueGrant{GrantID: g.ID, PracticeID: g.PracticeID, GranteeType: string(g.GranteeType), GranteeID: g.GranteeID,
			Kinds: api.OrEmpty(g.Kinds), ReviewDueAt: g.ReviewDueAt, ValidUntil: g.ValidUntil, Overdue: g.ReviewDueAt.Before(now), Version: g.Version}
		if it.Overdue {
			overdue++
		}
		out = append(out, it)
	}
	c.JSON(http.StatusOK, api.AccessReviews{WithinDays: days, Overdue: overdue, Items: out})
}

func parseDays(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 365 {
		return 0, apperr.Invalid("within_days", "out_of_range", "must be a whole number of days from 0 to 365")
	}
	return n, nil
}
