package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Check is one dependency /readyz probes.
type Check struct {
	Name  string
	Check func(ctx context.Context) error
}

// readyHandler runs every check at once, each with a short deadline, and
// answers 503 naming the failing checks whenever one fails: a pod whose
// database or Redis is gone says so. The chart's readiness probe takes a
// pod out of its Service only after three failures five seconds apart,
// so a blip shorter than that moves no traffic, while an outage does
// (docs/deploy.md, "Readiness"). Error texts stay out of the body because
// they may name hosts; the log has them.
func readyHandler(checks []Check) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		results := make(map[string]string, len(checks))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, ch := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				state := "ok"
				if err := ch.Check(ctx); err != nil {
					state = "unavailable"
				}
				mu.Lock()
				results[ch.Name] = state
				mu.Unlock()
			}()
		}
		wg.Wait()
		status, word := http.StatusOK, "ready"
		for _, state := range results {
			if state != "ok" {
				status, word = http.StatusServiceUnavailable, "not ready"
			}
		}
		c.JSON(status, gin.H{"status": word, "checks": results})
	}
}
