package audit

import (
	"errors"
	"net/http"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// listEvents searches the trail, newest first, a page at a time, with
// the names of the people who acted.
func (a *API) listEvents(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, listFields)
	f, err := parseFilter(c, true)
	ev.PracticeID = f.practiceID
	if f.patientID != "" {
		ev.PatientIDs = []string{f.patientID}
	}
	if err == nil {
		err = a.resolvePatient(c, &f)
	}
	ev.PatientIDs = append(ev.PatientIDs, f.patients...)
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
// list the patient is, with the names and e-mail addresses of the people
// who acted. With format=csv it is the whole report, oldest first, as a
// download: what a practice hands a patient who asks who saw their record.
func (a *API) patientReport(c *gin.Context) {
	format := c.Query("format")
	if format == formatCSV {
		a.patientReportCSV(c)
		return
	}
	ev := newEvent(c, audit.ActionRead, listFields)
	f, err := parseFilter(c, true)
	f.patientID = c.Param("id")
	ev.PracticeID = f.practiceID
	ev.PatientIDs = []string{f.patientID}
	if err == nil && format != "" {
		err = apperr.Invalid("format", "invalid_format", "must be csv, or absent for JSON")
	}
	var page api.EventList
	if err == nil {
		page, err = a.page(c.Request.Context(), f)
	}
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, api.PatientReport{PatientID: f.patientID, Items: page.Items, NextAfter: page.NextAfter, People: page.People})
}

// getEvent returns one event with the proof that it is in the signed log.
func (a *API) getEvent(c *gin.Context) {
	ctx := c.Request.Context()
	ev := newEvent(c, audit.ActionRead, append([]string{"canonical", "leaf_index", "inclusion_proof"}, listFields...))
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
	if err == nil {
		out.People, err = a.peopleOf(ctx, []api.Event{out.Event})
	}
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
