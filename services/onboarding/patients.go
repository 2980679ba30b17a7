package onboarding

import (
	"context"
	"net/http"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// PatientReader reads one patient of a practice.
type PatientReader func(ctx context.Context, practiceID, patientID string) (records.Patient, error)

// WithPatients enables the patient record route, which returns protected
// health information and is audited through rec before it answers.
func (a *API) WithPatients(rec *recorder.Recorder, read PatientReader) *API {
	a.rec, a.readPatient = rec, read
	return a
}

// patientFields are the fields the practice's own admins see: the whole
// billing record, since it is their practice's data.
var patientFields = []string{"patient_id", "first_name", "last_name", "date_of_birth", "phone", "email", "address",
	"guarantor_name", "preferred_channel", "text_consent", "do_not_contact"}

var errNotPracticeAdmin = &apperr.Error{Kind: apperr.KindForbidden, Code: "not_a_member", Message: "only the practice's own admins read its patients' records"}

// getPatient serves a practice's patient record to that practice's admins.
// Everyone else, platform admins included, is refused and the refusal is
// recorded: reading patient data outside one's practice is never routine.
func (a *API) getPatient(c *gin.Context) auditmw.Answer {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	practiceID, patientID := c.Param("id"), c.Param("patientID")
	ev := auditmw.Event(c, audit.ActionRead)
	ev.PracticeID, ev.PatientIDs, ev.Purpose = practiceID, []string{patientID}, "practice_administration"
	if !p.AdminOf(practiceID) {
		ev.Outcome, ev.Reason = audit.OutcomeDeny, "not an admin of this practice"
		return auditmw.Answer{Event: ev, Err: errNotPracticeAdmin}
	}
	pat, err := a.readPatient(ctx, practiceID, patientID)
	if err != nil {
		ev.Outcome, ev.Reason = audit.OutcomeError, string(apperr.KindOf(err))
		return auditmw.Answer{Event: ev, Err: err}
	}
	ev.Outcome, ev.Fields = audit.OutcomeAllow, patientFields
	return auditmw.Answer{Status: http.StatusOK, Body: patientResponseFrom(patientID, pat), Event: ev}
}

type patientResponse struct {
	ID               string `json:"id"`
	PatientID        string `json:"patient_id"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	DateOfBirth      string `json:"date_of_birth"`
	Phone            string `json:"phone"`
	Email            string `json:"email"`
	AddressLine1     string `json:"address_line1"`
	AddressLine2     string `json:"address_line2"`
	City             string `json:"city"`
	State            string `json:"state"`
	PostalCode       string `json:"postal_code"`
	GuarantorName    string `json:"guarantor_name"`
	PreferredChannel string `json:"preferred_channel"`
	TextConsent      bool   `json:"text_consent"`
	DoNotContact     bool   `json:"do_not_contact"`
}

func patientResponseFrom(id string, p records.Patient) patientResponse {
	return patientResponse{
		ID: id, PatientID: p.ExternalID, FirstName: p.FirstName, LastName: p.LastName, DateOfBirth: p.DateOfBirth.String(),
		Phone: p.Phone, Email: p.Email, AddressLine1: p.AddressLine1, AddressLine2: p.AddressLine2, City: p.City,
		State: p.State, PostalCode: p.PostalCode, GuarantorName: p.GuarantorName,
		PreferredChannel: string(p.PreferredChannel), TextConsent: p.TextConsent, DoNotContact: p.DoNotContact,
	}
}
