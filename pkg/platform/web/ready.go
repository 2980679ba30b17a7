package web

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one dependency /readyz probes.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// readyHandler runs every check at once, each with a short deadline.
//
// A pod is ready once every check has passed once since it started. After
// that a failing check makes it "degraded", still 200: the dependencies
// are shared by every replica, so a Redis or database outage would take
// every pod of every service out of its Service at once, and clients
// would get the proxy's bare 502 instead of each service's own JSON
// refusal naming what is down (docs/deploy.md, "Readiness"). The failing
// checks are named in the body either way; error texts stay out of it
// because they may name hosts, and the log has them.
func readyHandler(checks []Check) gin.HandlerFunc {
	passed := make([]atomic.Bool, len(checks))
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		results := make(map[string]string, len(checks))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i, ch := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				state := "ok"
				if err := ch.Check(ctx); err != nil {
					state = "unavailable"
				} else {
					passed[i].Store(true)
				}
				mu.Lock()
				results[ch.Name] = state
				mu.Unlock()
			}()
		}
		wg.Wait()
		status, word := http.StatusOK, "ready"
		for i, ch := range checks {
			switch {
			case !passed[i].Load():
				status, word = http.StatusServiceUnavailable, "not ready"
			case results[ch.Name] != "ok" && status == http.StatusOK:
				word = "degraded"
			}
		}
		c.JSON(status, gin.H{"status": word, "checks": results})
	}
}
