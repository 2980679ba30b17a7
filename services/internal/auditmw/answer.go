package auditmw

import (
	"context"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/gin-gonic/gin"
)

// Recorder commits audit events before the answers they describe;
// recorder.Recorder is the one every process runs.
type Recorder interface {
	Record(ctx context.Context, e audit.Event) error
}

// Then commits ev and only then runs answer, so that nothing audited is
// answered before its event is durable. When ev cannot be committed,
// answer never runs: unrecorded answers instead, given the error, or,
// when nil, the request fails with the recorder's error (503) and nothing
// else. Every route that records before it answers (PHI reads, refusals,
// sign-ins and sign-outs, reads of the audit trail) goes through here.
func Then(c *gin.Context, rec Recorder, ev audit.Event, answer func(), unrecorded func(err error)) {
	if err := rec.Record(c.Request.Context(), ev); err != nil {
		if unrecorded != nil {
			unrecorded(err)
			return
		}
		web.Fail(c, err)
		return
	}
	answer()
}

// Answer is what a PHI handler produces: the reply it would send and the
// audit event that describes it (outcome allow or deny, practice, patients,
// the names of the fields returned).
type Answer struct {
	Status int
	Body   any
	Event  audit.Event
	Err    error // sent instead of Body, after the event is recorded
}

// Send commits a's event, then writes a: its error if it has one, else
// its body as JSON with its status.
func Send(c *gin.Context, rec Recorder, a Answer) {
	Then(c, rec, a.Event, func() {
		if a.Err != nil {
			web.Fail(c, a.Err)
			return
		}
		c.JSON(a.Status, a.Body)
	}, nil)
}
