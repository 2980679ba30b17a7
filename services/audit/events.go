package audit

import (
	"errors"
	"net/http"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// listEvents searches the trail, newest first, a page at a time.
func (a *API) listEvents(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, eventFields)
	f, err := parseFilter(c, true)
	ev.PracticeID = f.practiceID
	if f.patientID != "" {
		ev.PatientIDs = []string{f.patientID}
	}
	var out api.EventList
	if err == nil {
		out, err = a.page(c.Request.Context(), f)
	}
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, out)
}

// patientReport lists every access to one patient's data, newest first:
// the events that name the patient among their patients, wherever in the
// list the patient is.
func (a *API) patientReport(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, eventFields)
	f, err := parseFilter(c, true)
	f.patientID = c.Param("id")
	ev.PracticeID = f.practiceID
	ev.PatientIDs = []string{f.patientID}
	var page api.EventList
	if err == nil {
		page, err = a.page(c.Request.Context(), f)
	}
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, api.PatientReport{PatientID: f.patientID, Items: page.Items, NextAfter: page.NextAfter})
}

// getEvent returns one event with the proof that it is in the signed log.
func (a *API) getEvent(c *gin.Context) {
	ctx := c.Request.Context()
	ev := newEvent(c, audit.ActionRead, append([]string{"canonical", "leaf_index", "inclusion_proof"}, eventFields...))
	r, err := a.findEvent(ctx, c.Param("id"))
	if err != nil {
		a.record(c, ev, err)
		return
	}
	ev.PracticeID = r.Event.PracticeID
	if !visible(scope(ctx), r.Event.PracticeID) {
		ev.Outcome, ev.Reason = audit.OutcomeDeny, "other_practice"
		a.record(c, ev, errOtherPractice)
		return
	}
	ev.PatientIDs = r.Event.PatientIDs
	out, err := a.prove(c, r)
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, out)
}

// prove adds the event's leaf index and its inclusion proof against the
// latest checkpoint; both stay null until the integrator has taken it in.
func (a *API) prove(c *gin.Context, r row) (api.EventDetail, error) {
	ctx := c.Request.Context()
	out := api.EventDetail{Event: eventResponseFrom(r.Seq, r.Event), Canonical: r.Body}
	leaf, err := a.store.LeafIndex(ctx, r.Event.ID)
	if errors.Is(err, apperr.ErrNotFound) {
		return out, nil
	}
	if err != nil {
		return out, err
	}
	out.LeafIndex = &leaf
	cp, err := a.latest(c)
	if errors.Is(err, errNoCheckpoint) || (err == nil && leaf >= cp.Size) {
		return out, nil // integrated, but the checkpoint covering it is not visible yet
	}
	if err != nil {
		return out, err
	}
	hashes, err := a.store.InclusionProof(ctx, leaf, cp.Size)
	if err != nil {
		return out, err
	}
	out.InclusionProof = base64All(hashes)
	cr := checkpointResponseFrom(cp)
	out.Checkpoint = &cr
	return out, nil
}
