package audit

import (
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/gin-gonic/gin"
)

// errOtherPracticePatients refuses a patient lookup in a practice whose
// trail the caller does not read: looking a patient up is reading patient
// data, and it is allowed only where the caller may see the practice.
var errOtherPracticePatients = &apperr.Error{Kind: apperr.KindForbidden, Code: "other_practice",
	Message: "patients can be looked up only in a practice whose audit trail you read"}

// wantsPatient reports whether the search names a patient by name or
// date of birth.
func (f filter) wantsPatient() bool {
	return f.patient.LastName != "" || f.patient.FirstName != "" || f.patient.DateOfBirth != ""
}

// resolvePatient turns a patient named by last name and first name or
// date of birth into the practice's patients it matches. The lookup reads
// patient data, so it is itself recorded, in the transaction that reads
// the patients, as a read by the caller naming the patients found; it is
// allowed only within one practice the caller may see. A name that
// matches nobody leaves an empty list, which matches no event.
func (a *API) resolvePatient(c *gin.Context, f *filter) error {
	if !f.wantsPatient() {
		return nil
	}
	l := f.patient
	switch {
	case f.patientID != "":
		return apperr.Invalid("patient_id", "patient_twice", "give a patient id or a patient's name, not both")
	case l.PracticeID == "":
		return apperr.Invalid("practice_id", "practice_required", "choose the practice whose patient this is")
	case l.LastName == "" || len(l.LastName) > 100:
		return apperr.Invalid("patient_last_name", "invalid_name", "give the patient's last name, as the practice has it")
	case l.FirstName == "" && l.DateOfBirth == "":
		return apperr.Invalid("patient_first_name", "too_broad", "give the patient's first name or date of birth as well")
	case len(l.FirstName) > 100:
		return apperr.Invalid("patient_first_name", "invalid_name", "give the patient's first name, at most 100 characters")
	}
	if l.DateOfBirth != "" {
		if _, err := time.Parse(time.DateOnly, l.DateOfBirth); err != nil {
			return apperr.Invalid("patient_birth_date", "invalid_date", "must be a date, e.g. 1980-03-04")
		}
	}
	if !visible(f.practices, l.PracticeID) {
		return errOtherPracticePatients
	}
	ev := newEvent(c, audit.ActionRead, nil)
	ev.Outcome = audit.OutcomeAllow
	ids, err := a.store.FindPatients(c.Request.Context(), l, ev)
	if err != nil {
		return err
	}
	f.patients = append([]string{}, ids...)
	return nil
}
