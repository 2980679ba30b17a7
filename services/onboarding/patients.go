package onboarding

import (
	"context"
	"net/http"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// PatientReader reads everything stored about one patient of a practice.
type PatientReader func(ctx context.Context, practiceID, patientID string) (records.Full, error)

// WithPatients serves the patient route, recording each read with rec.
func (a *API) WithPatients(rec *recorder.Recorder, read PatientReader) *API {
	a.rec, a.readPatient = rec, read
	return a
}

// getPatient answers a read the guard allowed, with exactly the fields the
// decision names: all of them for the practice's admins and break-glass,
// the work kind's field set for an agent working the patient.
func (a *API) getPatient(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	d, res, _ := authz.DecisionFrom(ctx)
	ev := auditmw.Event(c, audit.ActionRead)
	ev.PracticeID, ev.PatientIDs, ev.Purpose = res.PracticeID, []string{res.PatientID}, d.Purpose
	ev.GrantID, ev.WorkItemID, ev.BreakGlass = d.GrantID, d.WorkItemID, d.BreakGlass()
	full, err := a.readPatient(ctx, res.PracticeID, res.PatientID)
	if err != nil {
		ev.Outcome, ev.Reason = audit.OutcomeError, string(apperr.KindOf(err))
		return auditmw.Answer{Event: ev, Err: err}
	}
	ev.Outcome, ev.Fields = audit.OutcomeAllow, d.Fields
	rec := access.Record{ID: res.PatientID, Patient: full.Patient, Balance: full.Balance, Claims: full.Claims,
		Recalls: full.Recalls, Treatments: full.Treatments}
	return auditmw.Answer{Status: http.StatusOK, Body: access.Project(rec, d.Fields), Event: ev}
}
