package auditmw

import (
	"sync"

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
