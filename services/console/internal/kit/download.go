package kit

import (
	"bytes"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

// Download serves a file the API produces (an import's error report, an
// audit export) to the browser as the API writes it: nothing is kept in
// between, so an export of any length streams through. It is an API call
// like any other, with the caller's credentials, so the API decides and
// records it. A refusal becomes the console's error page, not a file.
func (k *Kit) Download(c *gin.Context, path string, query url.Values) {
	if r, ok := k.Stream(c, path, query); !ok {
		k.Fail(c, r)
	}
}

// Stream is Download that leaves a refusal to the caller: it reports
// whether the API's file went to the browser, and when it did not, the
// API's answer, for the caller to say in its own words (a page saying
// there is nothing yet, for a 404) or to hand to Fail. Nothing has been
// written to the browser then.
func (k *Kit) Stream(c *gin.Context, path string, query url.Values) (Reply, bool) {
	req, err := k.apiRequest(c, http.MethodGet, path, query, nil, "")
	if err != nil {
		return failed(err), false
	}
	w := &passthrough{out: c.Writer, header: http.Header{}}
	k.d.API.ServeHTTP(w, req)
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.streaming {
		return Reply{Status: w.status, Err: errorOf(w.status, w.refusal.Bytes())}, false
	}
	return Reply{Status: w.status}, true
}

// maxRefusal bounds the error body of a refused download that the
// console reads to say why.
const maxRefusal = 64 << 10

// passthrough is the response writer of a download: a 2xx answer goes
// straight to the browser with its type and file name, anything else is
// kept (up to maxRefusal) for the error page.
type passthrough struct {
	out       gin.ResponseWriter
	header    http.Header
	status    int
	streaming bool
	refusal   bytes.Buffer
}

func (w *passthrough) Header() http.Header { return w.header }

func (w *passthrough) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	w.status = status
	if status < 200 || status >= 300 {
		return
	}
	w.streaming = true
	h := w.out.Header()
	for _, k := range []string{"Content-Type", "Content-Disposition"} {
		if v := w.header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	if h.Get("Content-Disposition") == "" {
		h.Set("Content-Disposition", "attachment")
	}
	// The file may hold account data: no cache keeps it, and the browser
	// neither guesses its type nor runs anything in it.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	w.out.WriteHeader(status)
}

func (w *passthrough) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.streaming {
		return w.out.Write(p)
	}
	if room := maxRefusal - w.refusal.Len(); room > 0 {
		w.refusal.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Flush sends what the API has written so far.
func (w *passthrough) Flush() {
	if w.streaming {
		w.out.Flush()
	}
}
