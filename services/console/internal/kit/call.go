package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// Reply is the API's answer to one call.
type Reply struct {
	Status int
	Body   []byte
	// Err is the API's error detail when Status is 400 or more.
	Err web.ErrorDetail
}

// OK reports a 2xx answer.
func (r Reply) OK() bool { return r.Status >= 200 && r.Status < 300 }

// Decode reads a 2xx answer's JSON body into v.
func (r Reply) Decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("console: the API answered %d with a body that does not decode: %w", r.Status, err)
	}
	return nil
}

// Call sends one API request as the person behind c: a new request with
// the API's method, path and JSON body, carrying the caller's cookies or
// bearer token, the session's CSRF token and the request id, served by
// Deps.API. The API authenticates it, decides, audits and projects as it
// would for any client; the console sees only the answer.
func (k *Kit) Call(c *gin.Context, method, path string, query url.Values, body any) Reply {
	return k.call(c, method, path, query, "", body)
}

// CallKeyed is Call with an Idempotency-Key header when key is not empty,
// for a form whose page names its one submission: the API then acts on
// it once however often it arrives.
func (k *Kit) CallKeyed(c *gin.Context, method, path, key string, body any) Reply {
	return k.call(c, method, path, nil, key, body)
}

// call builds and sends one API request: body as JSON when it is not
// nil, and key as its Idempotency-Key when it is not empty.
func (k *Kit) call(c *gin.Context, method, path string, query url.Values, key string, body any) Reply {
	var rd io.Reader
	contentType := ""
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return failed(err)
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := k.apiRequest(c, method, path, query, rd, contentType)
	if err != nil {
		return failed(err)
	}
	if key != "" {
		req.Header.Set(web.IdempotencyKeyHeader, key)
	}
	return k.answer(req)
}

// Send is Call with a body that is not JSON, such as a multipart upload,
// read from body as the API reads it: nothing is held in between.
func (k *Kit) Send(c *gin.Context, method, path string, body io.Reader, contentType string) Reply {
	req, err := k.apiRequest(c, method, path, nil, body, contentType)
	if err != nil {
		return failed(err)
	}
	return k.answer(req)
}

// Get reads the API's answer to a GET into v, or answers the page itself
// (the API's refusal, or an unreadable answer) and reports false.
func (k *Kit) Get(c *gin.Context, path string, query url.Values, v any) bool {
	r := k.Call(c, http.MethodGet, path, query, nil)
	if !r.OK() {
		k.Fail(c, r)
		return false
	}
	if r.Decode(v) != nil {
		k.Broken(c, r)
		return false
	}
	return true
}

// Broken renders the page for an answer the console cannot read. The log
// gets the route, never the body, which may hold PHI.
func (k *Kit) Broken(c *gin.Context, r Reply) {
	k.d.Log.ErrorContext(c.Request.Context(), "console: unreadable API answer", "route", c.FullPath(), "status", r.Status)
	k.Fail(c, Reply{Status: http.StatusBadGateway, Err: web.ErrorDetail{Code: "bad_answer",
		Message: "The console could not read the API's answer. Reload to try again."}})
}

// apiRequest builds the API request of one call, with the caller's
// credentials. A nil body is an empty one.
func (k *Kit) apiRequest(c *gin.Context, method, path string, query url.Values, body io.Reader, contentType string) (*http.Request, error) {
	ctx := c.Request.Context()
	if body == nil {
		body = http.NoBody
	}
	req, err := http.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	req.URL.RawQuery = query.Encode()
	req.RemoteAddr = c.Request.RemoteAddr
	req.Host = c.Request.Host
	in, h := c.Request.Header, req.Header
	for _, name := range []string{"Cookie", "Authorization", "User-Agent", authn.ActivityHeader} {
		if v := in.Values(name); len(v) > 0 {
			h[name] = v
		}
	}
	h.Set("Accept", "application/json")
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if id := logging.RequestID(ctx); id != "" {
		h.Set(web.RequestIDHeader, id)
	}
	if p, ok := authn.PrincipalFrom(ctx); ok && p.CSRF != "" {
		h.Set(authn.CSRFHeader, p.CSRF)
	}
	return req, nil
}

// answer has the API serve req and keeps its answer.
func (k *Kit) answer(req *http.Request) Reply {
	w := &capture{header: http.Header{}}
	k.d.API.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.over {
		return Reply{Status: http.StatusBadGateway, Err: web.ErrorDetail{Code: "too_large",
			Message: "The API's answer is larger than the console shows."}}
	}
	r := Reply{Status: w.status, Body: w.body.Bytes()}
	if r.Status >= 400 {
		r.Err = errorOf(r.Status, r.Body)
	}
	return r
}

// errorOf reads the API's error body, or makes one from the status.
func errorOf(status int, body []byte) web.ErrorDetail {
	var e web.ErrorBody
	if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
		return e.Error
	}
	return web.ErrorDetail{Code: "error", Message: http.StatusText(status)}
}

// failed is the reply to a call that could not be made at all.
func failed(err error) Reply {
	return Reply{Status: http.StatusInternalServerError, Err: web.ErrorDetail{Code: "internal", Message: err.Error()}}
}

// MaxAnswer bounds an API answer the console keeps to render. Files the
// browser downloads are not kept: they stream through (see Download).
const MaxAnswer = 8 << 20

// capture is the response writer of an in-process API call.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
	over   bool // the answer went past MaxAnswer and was cut
}

func (w *capture) Header() http.Header { return w.header }

func (w *capture) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *capture) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.body.Len()+len(p) > MaxAnswer {
		w.over = true
		return 0, errTooLong
	}
	return w.body.Write(p)
}

// Flush lets the API flush as it would to a client; the answer is kept
// whole anyway.
func (w *capture) Flush() {}

var errTooLong = errors.New("console: the API's answer is too large to keep")
