package auditmw

import (
	"context"
	"net/http"
	"sync"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/gin-gonic/gin"
)

// PHIHandler computes an answer without writing it.
type PHIHandler func(c *gin.Context) Answer

var (
	mu       sync.Mutex
	declared = map[string]bool{}
)

// PHI returns the handler of a route that returns PHI, declaring it under
// method and its full path: h's event is committed before the answer is
// written, and if it cannot be, the answer is 503 with no PHI.
func PHI(method, fullPath string, rec Recorder, h PHIHandler) gin.HandlerFunc {
	mu.Lock()
	declared[method+" "+fullPath] = true
	mu.Unlock()
	return func(c *gin.Context) { Send(c, rec, h(c)) }
}

// Declared reports whether the route (method and gin path) was registered
// as returning PHI, for tests that walk the route table.
func Declared(method, path string) bool {
	mu.Lock()
	defer mu.Unlock()
	return declared[method+" "+path]
}

// PHIRead is a patient read a handler is answering: the read the guard's
// decision allowed, and the request it answers. Both PHI routes build
// their answer through it, so the record, its projection and the event
// that records them are put together once.
type PHIRead struct {
	c    *gin.Context
	read access.Read
}

// StartRead begins answering the patient read that d allowed on res.
func StartRead(c *gin.Context, d access.Decision, res access.Resource) PHIRead {
	return PHIRead{c: c, read: access.Read{Decision: d, Resource: res}}
}

// Patient reads the patient the read names with read (what
// records.FullReader returns) and returns it projected to the fields
// the decision allows.
func (r PHIRead) Patient(read func(ctx context.Context, practiceID, patientID string) (records.Full, error)) (map[string]any, error) {
	res := r.read.Resource
	f, err := read(r.c.Request.Context(), res.PracticeID, res.PatientID)
	if err != nil {
		return nil, err
	}
	return r.read.Project(access.Record{ID: res.PatientID, Patient: f.Patient, Balance: f.Balance, Claims: f.Claims,
		Recalls: f.Recalls, Treatments: f.Treatments, Benefits: f.Benefits}), nil
}

// Answer is the reply to the read: body, with an event naming the fields
// returned, or, when err is set, err, with an event recording the failure.
func (r PHIRead) Answer(body any, err error) Answer {
	ev := r.read.Event(Event(r.c, audit.ActionRead), err)
	if err != nil {
		return Answer{Event: ev, Err: err}
	}
	return Answer{Status: http.StatusOK, Body: body, Event: ev}
}
