package auditmw

import (
	"sync"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/gin-gonic/gin"
)

// Answer is what a PHI handler produces: the reply it would send and the
// audit event that describes it (outcome allow or deny, practice, patients,
// the names of the fields returned).
type Answer struct {
	Status int
	Body   any
	Event  audit.Event
	Err    error // sent instead of Body, after the event is recorded
}

// PHIHandler computes an answer without writing it.
type PHIHandler func(c *gin.Context) Answer

var (
	mu       sync.Mutex
	declared = map[string]bool{}
)

// PHI returns the handler of a route that returns PHI, declaring it under
// method and its full path: h's event is committed before the answer is
// written, and if it cannot be, the answer is 503 with no PHI.
func PHI(method, fullPath string, rec *recorder.Recorder, h PHIHandler) gin.HandlerFunc {
	mu.Lock()
	declared[method+" "+fullPath] = true
	mu.Unlock()
	return func(c *gin.Context) {
		a := h(c)
		if err := rec.Record(c.Request.Context(), a.Event); err != nil {
			web.Fail(c, err)
			return
		}
		if a.Err != nil {
			web.Fail(c, a.Err)
			return
		}
		c.JSON(a.Status, a.Body)
	}
}

// Declared reports whether the route (method and gin path) was registered
// as returning PHI, for tests that walk the route table.
func Declared(method, path string) bool {
	mu.Lock()
	defer mu.Unlock()
	return declared[method+" "+path]
}
