package workqueue

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
	"github.com/backdesk/backdesk/pkg/work/workstore"
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
		practiceID, patientID, kind, err := workstore.PracticeOf(ctx, a.d.DB, p("itemID"))
		return access.Resource{PracticeID: practiceID, PatientID: patientID, Kind: kind, WorkItemID: p("itemID")}, err
	}
	g.Handle(r, http.MethodGet, "/api/v1/work/queue", own, a.queue)
	g.Handle(r, http.MethodPost, "/api/v1/work/next", own, a.next)
	const view = "/api/v1/work/items/:itemID"
	g.Handle(r, http.MethodGet, view, authz.Policy{Action: access.ReadPatient, Resolve: item},
		auditmw.PHI(http.MethodGet, view, a.d.Recorder, a.itemView))
	mine := authz.Policy{Action: access.WorkOwnQueue, Resolve: item}
	g.Handle(r, http.MethodPost, view+"/outcomes", mine, a.outcome)
	g.Handle(r, http.MethodPost, view+"/handoff", mine, a.handoff)
	g.Handle(r, http.MethodPost, view+"/release", mine, a.release)
	g.Handle(r, http.MethodPost, view+"/notes", mine, a.addNote)
	g.Handle(r, http.MethodPost, view+"/heartbeat", mine, authn.Background, a.heartbeat)
}

type queueEntry struct {
	ItemID        string            `json:"item_id"`
	PracticeID    string            `json:"practice_id"`
	Kind          policy.Kind       `json:"kind"`
	State         string            `json:"state"`
	Priority      int               `json:"priority"`
	Reasons       []priority.Reason `json:"reasons"`
	DueAt         time.Time         `json:"due_at"`
	NextContactAt *time.Time        `json:"next_contact_at"`
	Overdue       bool              `json:"overdue"`
	Version       int               `json:"version"`
	Stage         string            `json:"stage"`
	Hold          *hold             `json:"hold"`
}

func entryFrom(q workstore.QueueItem) queueEntry {
	reasons, _ := priority.Decode(q.Reasons)
	if reasons == nil {
		reasons = []priority.Reason{}
	}
	return queueEntry{ItemID: q.ID, PracticeID: q.PracticeID, Kind: q.Kind, State: q.State, Priority: q.Priority,
		Reasons: reasons, DueAt: q.DueAt, NextContactAt: q.NextContactAt, Overdue: q.Overdue, Version: q.Version, Stage: q.Stage}
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
	items, err := workstore.Queue(ctx, a.d.DB, p.UserID, kind, c.Query("practice_id"), a.d.Now(), 500)
	if err != nil {
		web.Fail(c, err)
		return
	}
	counts := map[policy.Kind]int{}
	out := make([]queueEntry, 0, len(items))
	h := a.newHolds(a.d.Now().UTC())
	for _, q := range items {
		counts[q.Kind]++
		e := entryFrom(q)
		if q.State != "waiting" {
			if e.Hold, err = h.of(ctx, q); err != nil {
				web.Fail(c, err)
				return
			}
		}
		out = append(out, e)
	}
	c.JSON(http.StatusOK, gin.H{"items": out, "counts": counts})
}

func validKind(k policy.Kind) bool {
	for _, x := range policy.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// next starts the agent's most urgent item under a lease.
func (a *API) next(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	now := a.d.Now().UTC()
	// Judge the contact rules outside the transaction that starts the
	// item: they read the patient and the week's contacts. Items are judged
	// in queue order, a few workable ones at a time, so a long queue costs
	// no more than its top.
	items, err := workstore.Queue(ctx, a.d.DB, p.UserID, "", "", now, 500)
	if err != nil {
		web.Fail(c, err)
		return
	}
	h := a.newHolds(now)
	judged := 0
	for judged < len(items) {
		held, workable := map[string]bool{}, 0
		for ; judged < len(items) && workable < nextBatch; judged++ {
			q := items[judged]
			if q.State == "waiting" {
				continue
			}
			hd, err := h.of(ctx, q)
			if err != nil {
				web.Fail(c, err)
				return
			}
			held[q.ID] = hd != nil
			if hd == nil {
				workable++
			}
		}
		for _, q := range items[judged:] {
			held[q.ID] = true // not judged yet: not a candidate this round
		}
		s, ok, err := workstore.Next(ctx, a.d.DB, p.UserID, now, held)
		if err != nil {
			web.Fail(c, err)
			return
		}
		if ok {
			c.JSON(http.StatusOK, gin.H{"item_id": s.ID, "practice_id": s.PracticeID, "kind": s.Kind, "version": s.Version, "lease_until": s.LeaseUntil})
			return
		}
	}
	c.Status(http.StatusNoContent)
}

// payerHistoryLimit bounds the payer statements an item view shows.
const payerHistoryLimit = 20

// nextBatch is how many workable items next finds before trying to start
// one; more are judged only when all of them were taken meanwhile.
const nextBatch = 5

// itemView is the account as the agent works it: the item, its full
// history, the patient projected to the kind's field set, and the
// patient's other items the agent owns (one call, several topics).
func (a *API) itemView(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	d, res, _ := authz.DecisionFrom(ctx)
	read := auditmw.StartRead(c, d, res)
	it, err := workstore.ItemFor(ctx, a.d.DB, res.PracticeID, res.WorkItemID, a.d.Now())
	if err != nil {
		return read.Answer(nil, err)
	}
	patient, err := read.Patient(a.d.Patients)
	if err != nil {
		return read.Answer(nil, err)
	}
	body := itemViewFrom(it, patient)
	// What the payer said, for claim work whose field set includes the
	// claims: the remittance and status history, newest first.
	history := []payerstore.Response{}
	if it.SubjectType == string(work.SubjectClaim) && slices.Contains(d.Fields, string(access.GroupClaims)) {
		if history, err = payerstore.History(ctx, a.d.DB, res.PracticeID, it.SubjectID, payerHistoryLimit); err != nil {
			return read.Answer(nil, err)
		}
	}
	body["payer_history"] = history
	body["last_payer_response"] = nil
	if len(history) > 0 {
		body["last_payer_response"] = history[0]
	}
	return read.Answer(body, nil)
}

type activityView struct {
	At            time.Time  `json:"at"`
	ActorID       string     `json:"actor_id"`
	Channel       string     `json:"channel"`
	Outcome       string     `json:"outcome"`
	Note          string     `json:"note"`
	NextContactAt *time.Time `json:"next_contact_at"`
	PromisedCents int64      `json:"promised_cents"`
	PaidCents     int64      `json:"paid_cents"`
}

func itemViewFrom(it workstore.Item, patient map[string]any) gin.H {
	history := make([]activityView, 0, len(it.History))
	for _, h := range it.History {
		history = append(history, activityView{At: h.At, ActorID: h.ActorID, Channel: h.Channel, Outcome: h.Outcome, Note: h.Note,
			NextContactAt: h.NextContactAt, PromisedCents: h.PromisedCents, PaidCents: h.PaidCents})
	}
	others := make([]queueEntry, 0, len(it.Others))
	for _, o := range it.Others {
		others = append(others, entryFrom(o))
	}
	return gin.H{"item": entryFrom(it.QueueItem), "attempts": it.Attempts, "cadence_step": it.CadenceStep, "stage_reason": it.StageReason,
		"patient": patient, "history": history, "other_items": others,
		"talking_points": work.TalkingPoints(it.Kind, lastOutcome(it.History))}
}

type outcomeBody struct {
	Channel       work.Channel `json:"channel"`
	Outcome       work.Outcome `json:"outcome"`
	Note          string       `json:"note"`
	NextContactAt *time.Time   `json:"next_contact_at"`
	PromisedCents int64        `json:"promised_cents"`
	PaidCents     int64        `json:"paid_cents"`
	Version       int          `json:"version"`
}

// outcome logs what came of a contact and moves the item.
func (a *API) outcome(c *gin.Context) {
	var in outcomeBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	pols, err := a.d.Practices.Policies(ctx, res.PracticeID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := work.OutcomeInput{Channel: in.Channel, Outcome: in.Outcome, Note: in.Note, NextContactAt: in.NextContactAt,
		PromisedCents: in.PromisedCents, PaidCents: in.PaidCents, Version: in.Version}
	v, err := workstore.RecordOutcome(ctx, a.d.DB, res.PracticeID, res.WorkItemID, p.UserID, out, pols.Kinds[res.Kind], a.d.Now().UTC(), auditmw.By(c))
	if errors.Is(err, workstore.ErrNotYours) {
		a.d.Guard.Deny(c, c.Request.Method, res, workstore.ErrNotYours.Code, workstore.ErrNotYours.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"item_id": res.WorkItemID, "version": v})
}

// lastOutcome is the outcome of the item's last contact, skipping notes,
// hand-offs and releases, which say nothing about the account.
func lastOutcome(h []workstore.Activity) work.Outcome {
	for i := len(h) - 1; i >= 0; i-- {
		switch h[i].Outcome {
		case "note", "handed_off", "released":
			continue
		}
		return work.Outcome(h[i].Outcome)
	}
	return ""
}

// heartbeat keeps the agent's lease on an item it is still working.
func (a *API) heartbeat(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	until, err := workstore.Heartbeat(ctx, a.d.DB, res.PracticeID, res.WorkItemID, p.UserID, a.d.Now())
	if errors.Is(err, workstore.ErrNotYours) {
		a.d.Guard.Deny(c, c.Request.Method, res, workstore.ErrNotYours.Code, workstore.ErrNotYours.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"item_id": res.WorkItemID, "lease_until": until})
}
