package web

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/gin-gonic/gin"
)

// DefaultBodyLimit caps every request body whose route declares no larger
// limit: a JSON document or a small form.
const DefaultBodyLimit = MaxJSONBody

var (
	limitsMu sync.RWMutex
	limits   = map[string]int64{}
)

// AllowBody lets the route (method and gin path) take bodies up to n bytes
// instead of DefaultBodyLimit: an upload route declares its file limit
// when it is mounted.
func AllowBody(method, fullPath string, n int64) {
	limitsMu.Lock()
	defer limitsMu.Unlock()
	limits[method+" "+fullPath] = n
}

// BodyLimit returns the body limit of a route.
func BodyLimit(method, fullPath string) int64 {
	limitsMu.RLock()
	defer limitsMu.RUnlock()
	if n, ok := limits[method+" "+fullPath]; ok {
		return n
	}
	return DefaultBodyLimit
}

// limitBody caps the request body at the route's limit before anything,
// authentication included, reads it: a body announced as larger is
// refused unread, and one that turns out larger is cut off. After the
// request, any multipart form parsed on the way has its temporary files
// removed, whichever copy of the request parsed it.
func limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		n := BodyLimit(c.Request.Method, c.FullPath())
		if c.Request.ContentLength > n {
			c.Header("Connection", "close")
			Fail(c, &apperr.Error{Kind: apperr.KindTooLarge, Code: "body_too_large",
				Message: fmt.Sprintf("request body exceeds %d bytes", n)})
			return
		}
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		}
		req := c.Request
		defer func() {
			removeForm(req)
			if c.Request != req {
				removeForm(c.Request)
			}
		}()
		c.Next()
	}
}

func removeForm(r *http.Request) {
	if r != nil && r.MultipartForm != nil && r.MultipartForm.File != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

// AllowBodyOn is AllowBody for a route given relative to r, as it is
// registered on a group.
func AllowBodyOn(r gin.IRouter, method, path string, n int64) {
	base := ""
	if g, ok := r.(*gin.RouterGroup); ok {
		base = g.BasePath()
	}
	full := strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(path, "/")
	AllowBody(method, full, n)
}
