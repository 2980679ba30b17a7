package workqueue

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// mountWork registers the agent's own routes: the queue, next, the item
// view (PHI, audited, projected to the kind's field set) and outcomes.
func (a *API) mountWork(r gin.IRouter) {
	g := a.d.Guard
	own := authz.Policy{Action: access.WorkOwnQueue}
	item := func(ctx context.Context, p authz.Params) (access.Resource, error) {
		ref, err := a.d.Desk.Locate(ctx, p("itemID"))
		return access.Resource{PracticeID: ref.PracticeID, PatientID: ref.PatientID, Kind: ref.Kind, WorkItemID: p("itemID")}, err
	}
	g.Handle(r, http.MethodGet, "/api/v1/work/queue", own, a.queue)
	g.Handle(r, http.MethodPost, "/api/v1/work/next", own, a.next)
	const view = "/api/v1/work/items/:itemID"
	g.Handle(r, http.MethodGet, view, authz.Policy{Action: access.ReadPatient, Resolve: item},
		auditmw.PHI(http.MethodGet, view, a.d.Recorder, a.itemView))
	mine := authz.Policy{Action: access.WorkOwnQueue, Resolve: item}
	g.Handle(r, http.MethodPost, view+"/outcomes", mine, a.outcome)
	g.Handle(r, http.MethodPost, view+"/handoff", mine, a.handoff)
	g.Handle(r, http.MethodGet, view+"/colleagues", mine, a.colleagues)
	g.Handle(r, http.MethodPost, view+"/release", mine, a.release)
	g.Handle(r, http.MethodPost, view+"/notes", mine, a.addNote)
	g.Handle(r, http.MethodPost, view+"/heartbeat", mine, authn.Background, a.heartbeat)
	a.mountMessages(r, item)
	a.mountPayLink(r, item)
	a.mountStatements(r, item)
	a.mountLedger(r, item)
}

func entryFrom(q work.QueueItem) api.QueueEntry {
	reasons, _ := priority.Decode(q.Reasons)
	if reasons == nil {
		reasons = []priority.Reason{}
	}
	return api.QueueEntry{ItemID: q.ID, PracticeID: q.PracticeID, Kind: q.Kind, State: q.State, Priority: q.Priority,
		Reasons: reasons, DueAt: q.DueAt, NextContactAt: q.NextContactAt, Overdue: q.Overdue, Version: q.Version, Stage: q.Stage,
		PayerNews: q.PayerNews, PatientReplied: q.Replied}
}

// queue is the agent's own work, overdue first, then by priority, with
// counts per kind. It carries no patient data.
func (a *API) queue(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	kind := policy.Kind(c.Query("kind"))
	if kind != "" && !validKind(kind) {
		web.Fail(c, apperr.Invalid("kind", "unknown_kind", "is not a kind of work"))
		return
	}
	entries, err := a.d.Desk.Queue(ctx, p.UserID, work.QueueFilter{Kind: kind, PracticeID: c.Query("practice_id")})
	if err != nil {
		web.Fail(c, err)
		return
	}
	counts := map[policy.Kind]int{}
	out := make([]api.QueueEntry, 0, len(entries))
	for _, q := range entries {
		counts[q.Kind]++
		e := entryFrom(q.QueueItem)
		if h := q.Hold; h != nil {
			e.Hold = &api.Hold{Code: h.Code, Message: h.Message, WorkableAt: h.WorkableAt}
		}
		out = append(out, e)
	}
	practices, err := a.queuePractices(ctx, out)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.Queue{Items: out, Counts: counts, Practices: practices})
}

func validKind(k policy.Kind) bool {
	for _, x := range policy.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// next gives the agent back the item it has in progress, if any, else
// starts its most urgent item that may be worked now, under a lease.
func (a *API) next(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	s, ok, err := a.d.Desk.Take(ctx, p.UserID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !ok {
		c.Status(http.StatusNoContent)
		return
	}
	c.JSON(http.StatusOK, api.Started{ItemID: s.ID, PracticeID: s.PracticeID, Kind: s.Kind, Version: s.Version, LeaseUntil: s.LeaseUntil})
}

// payerHistoryLimit bounds the payer statements an item view shows.
const payerHistoryLimit = 20

// itemView is the account as the agent works it: the item, its full
// history, the patient projected to the kind's field set, and the
// patient's other items the agent owns (one call, several topics).
func (a *API) itemView(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	d, res, _ := authz.DecisionFrom(ctx)
	read := auditmw.StartRead(c, d, res)
	it, err := a.d.Desk.Item(ctx, res.PracticeID, res.WorkItemID)
	if err != nil {
		return read.Answer(nil, err)
	}
	patient, err := read.Patient(a.d.Patients)
	if err != nil {
		return read.Answer(nil, err)
	}
	body := itemViewFrom(it, patient)
	if q := it.LastInquiry; q != nil {
		body.LastInquiry = &api.Inquiry{Set: q.Set, Clearinghouse: q.Clearinghouse, AskedAt: q.AskedAt, AnsweredAt: q.AnsweredAt,
			Outcome: q.Outcome, Reason: q.Reason}
	}
	if err := a.callSheet(ctx, &body, it, patient); err != nil {
		return read.Answer(nil, err)
	}
	// What the payer said, for claim work whose field set includes the
	// claims: the remittance and status history, newest first.
	history := []payer.Response{}
	if it.SubjectType == string(work.SubjectClaim) && slices.Contains(d.Fields, string(access.GroupClaims)) {
		if history, err = a.d.Payers.History(ctx, res.PracticeID, it.SubjectID, payerHistoryLimit); err != nil {
			return read.Answer(nil, err)
		}
	}
	body.PayerHistory = api.Each(history, payerResponseFrom)
	if len(history) > 0 {
		body.LastPayerResponse = &body.PayerHistory[0]
		body.TalkingPoints = append(body.TalkingPoints, payer.Points(history[0])...)
	}
	return read.Answer(body, nil)
}

func itemViewFrom(it work.Detail, patient map[string]any) api.ItemView {
	history := make([]api.Activity, 0, len(it.History))
	for _, h := range it.History {
		history = append(history, api.Activity{At: h.At, ActorID: h.ActorID, Channel: h.Channel, Outcome: h.Outcome, Note: h.Note,
			NextContactAt: h.NextContactAt, PromisedCents: h.PromisedCents, PaidCents: h.PaidCents})
	}
	others := make([]api.QueueEntry, 0, len(it.Others))
	for _, o := range it.Others {
		others = append(others, entryFrom(o))
	}
	return api.ItemView{Item: entryFrom(it.QueueItem), Attempts: it.Attempts, CadenceStep: it.CadenceStep, StageReason: it.StageReason,
		Patient: patient, History: history, OtherItems: others,
		TalkingPoints: work.TalkingPoints(it.Kind, it.LastOutcome())}
}

// payerResponseFrom is what a payer said, as the item view shows it.
func payerResponseFrom(r payer.Response) api.PayerResponse { return api.PayerResponse(r) }

// outcome logs what came of a contact and moves the item.
func (a *API) outcome(c *gin.Context) {
	var in api.OutcomeBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	out := work.OutcomeInput{Channel: in.Channel, Outcome: in.Outcome, Note: in.Note, NextContactAt: in.NextContactAt,
		PromisedCents: in.PromisedCents, PaidCents: in.PaidCents, Version: in.Version}
	ref := work.Ref{PracticeID: res.PracticeID, PatientID: res.PatientID, Kind: res.Kind}
	v, err := a.d.Desk.RecordOutcome(ctx, ref, res.WorkItemID, p.UserID, out, auditmw.By(c))
	if errors.Is(err, work.ErrNotYours) {
		a.d.Guard.Deny(c, c.Request.Method, res, work.ErrNotYours.Code, work.ErrNotYours.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"item_id": res.WorkItemID, "version": v})
}

// heartbeat keeps the agent's lease on an item it is still working.
func (a *API) heartbeat(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	until, err := a.d.Desk.Heartbeat(ctx, res.PracticeID, res.WorkItemID, p.UserID)
	if errors.Is(err, work.ErrNotYours) {
		a.d.Guard.Deny(c, c.Request.Method, res, work.ErrNotYours.Code, work.ErrNotYours.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"item_id": res.WorkItemID, "lease_until": until})
}
