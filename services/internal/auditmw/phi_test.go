package auditmw_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// A PHI read reads the patient the decision names, returns only the
// fields it allows, and records them; a failed read answers its error and
// records the failure with no fields.
func TestPHIReadAnswersWhatTheDecisionAllows(t *testing.T) {
	t.Parallel()
	d := access.Decision{Allow: true, Code: access.CodeAllowed, GrantID: "g1", WorkItemID: "w1",
		Fields: access.FieldsOf([]access.FieldGroup{access.GroupIdentity}), Purpose: access.PurposePayment}
	res := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodGet, "/x", nil)
	var asked []string
	reader := func(err error) func(context.Context, string, string) (records.Full, error) {
		return func(_ context.Context, practiceID, patientID string) (records.Full, error) {
			asked = append(asked, practiceID+"/"+patientID)
			return records.Full{Patient: records.Patient{FirstName: "Ana", Phone: "+15125550123"}}, err
		}
	}

	read := auditmw.StartRead(c, d, res)
	patient, err := read.Patient(reader(nil))
	require.NoError(t, err)
	require.Equal(t, []string{"pA/pt1"}, asked)
	require.Equal(t, "Ana", patient["first_name"])
	require.Equal(t, "pt1", patient["patient_id"])
	require.NotContains(t, patient, "phone", "contact is not in the decision's fields")
	a := read.Answer(patient, nil)
	require.Equal(t, http.StatusOK, a.Status)
	require.Equal(t, patient, a.Body)
	require.NoError(t, a.Err)
	require.Equal(t, audit.OutcomeAllow, a.Event.Outcome)
	require.Equal(t, d.Fields, a.Event.Fields)
	require.Equal(t, []string{"pt1"}, a.Event.PatientIDs)
	require.Equal(t, "g1", a.Event.GrantID)

	_, err = read.Patient(reader(apperr.NotFound("patient")))
	require.Error(t, err)
	a = read.Answer(nil, err)
	require.ErrorIs(t, a.Err, err)
	require.Nil(t, a.Body)
	require.Equal(t, audit.OutcomeError, a.Event.Outcome)
	require.Empty(t, a.Event.Fields)
}
