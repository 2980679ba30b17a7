package onboarding

import (
	"context"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// PatientReader reads everything stored about one patient of a practice.
type PatientReader func(ctx context.Context, practiceID, patientID string) (records.Full, error)

// getPatient answers a read the guard allowed, with exactly the fields the
// decision names: all of them for the practice's admins and break-glass,
// the work kind's field set for an agent working the patient.
func (a *API) getPatient(c *gin.Context) auditmw.Answer {
	d, res, _ := authz.DecisionFrom(c.Request.Context())
	read := auditmw.StartRead(c, d, res)
	return read.Answer(read.Patient(a.readPatient))
}
