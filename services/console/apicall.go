package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// reply is the API's answer to one call.
type reply struct {
	Status int
	Body   []byte
	// Err is the API's error detail when Status is 400 or more.
	Err web.ErrorDetail
}

// ok reports a 2xx answer.
func (r reply) ok() bool { return r.Status >= 200 && r.Status < 300 }

// decode reads a 2xx answer's JSON body into v.
func (r reply) decode(v any) error {
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("console: the API answered %d with a body that does not decode: %w", r.Status, err)
	}
	return nil
}

// call sends one API request as the person behind c: a new request with
// the API's method, path and JSON body, carrying the caller's cookies or
// bearer token, the session's CSRF token and the request id, served by
// Deps.API. The API authenticates it, decides, audits and projects as it
// would for any client; the console sees only the answer.
func (con *Console) call(c *gin.Context, method, path string, query url.Values, body any) reply {
	var rd io.Reader
	contentType := ""
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return failed(err)
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := con.apiRequest(c, method, path, query, rd, contentType)
	if err != nil {
		return failed(err)
	}
	return con.answer(req)
}

// send is call with a body that is not JSON, such as a multipart upload,
// read from body as the API reads it: nothing is held in between.
func (con *Console) send(c *gin.Context, method, path string, body io.Reader, contentType string) reply {
	req, err := con.apiRequest(c, method, path, nil, body, contentType)
	if err != nil {
		return failed(err)
	}
	return con.answer(req)
}

// apiRequest builds the API request of one call, with the caller's
// credentials. A nil body is an empty one.
func (con *Console) apiRequest(c *gin.Context, method, path string, query url.Values, body io.Reader, contentType string) (*http.Request, error) {
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
	for _, k := range []string{"Cookie", "Authorization", "User-Agent", authn.ActivityHeader} {
		if v := in.Values(k); len(v) > 0 {
			h[k] = v
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
func (con *Console) answer(req *http.Request) reply {
	w := &capture{header: http.Header{}}
	con.d.API.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.over {
		return reply{Status: http.StatusBadGateway, Err: web.ErrorDetail{Code: "too_large",
			Message: "The API's answer is larger than the console shows."}}
	}
	r := reply{Status: w.status, Body: w.body.Bytes()}
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
func failed(err error) reply {
	return reply{Status: http.StatusInternalServerError, Err: web.ErrorDetail{Code: "internal", Message: err.Error()}}
}

// broken renders the page for an answer the console cannot read. The log
// gets the route, never the body, which may hold PHI.
// get reads the API's answer to a GET into v, or answers the page
// itself (the API's refusal, or an unreadable answer) and reports false.
func (con *Console) get(c *gin.Context, path string, query url.Values, v any) bool {
	r := con.call(c, http.MethodGet, path, query, nil)
	if !r.ok() {
		con.fail(c, r)
		return false
	}
	if r.decode(v) != nil {
		con.broken(c, r)
		return false
	}
	return true
}

func (con *Console) broken(c *gin.Context, r reply) {
	con.d.Log.ErrorContext(c.Request.Context(), "console: unreadable API answer", "route", c.FullPath(), "status", r.Status)
	con.fail(c, reply{Status: http.StatusBadGateway, Err: web.ErrorDetail{Code: "bad_answer",
		Message: "The console could not read the API's answer. Reload to try again."}})
}

// maxAnswer bounds an API answer the console keeps to render. Files the
// browser downloads are not kept: they stream through (see download).
const maxAnswer = 8 << 20

// capture is the response writer of an in-process API call.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
	over   bool // the answer went past maxAnswer and was cut
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
	if w.body.Len()+len(p) > maxAnswer {
		w.over = true
		return 0, errTooLong
	}
	return w.body.Write(p)
}

// Flush lets the API flush as it would to a client; the answer is kept
// whole anyway.
func (w *capture) Flush() {}

var errTooLong = errors.New("console: the API's answer is too large to keep")

// Upstream returns a Deps.API that sends each call over HTTP to the API at
// base (the ingress, say, for a console running as its own service). The
// call carries the same credentials either way. A nil client waits at most
// apiAnswerTimeout for the API to start answering once the request is
// sent, but sets no bound on the whole exchange: an upload or an export
// streams for as long as the browser keeps its request open.
func Upstream(base string, client *http.Client) (http.Handler, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the API's URL must be http(s)://host[:port], not %q", base)
	}
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = apiAnswerTimeout
		client = &http.Client{Transport: tr}
	}
	return &upstream{base: u, client: client}, nil
}

type upstream struct {
	base   *url.URL
	client *http.Client
}

func (up *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	target := *up.base
	target.Path = up.base.Path + r.URL.Path
	target.RawQuery = r.URL.RawQuery
	out.URL, out.Host = &target, up.base.Host
	// Redirects are answers to render, not to follow.
	client := *up.client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := client.Do(out)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(web.ErrorBody{Error: web.ErrorDetail{Code: "unavailable", Message: "the API cannot be reached; try again in a minute"}})
		return
	}
	defer res.Body.Close()
	for _, k := range passed {
		if v := res.Header.Get(k); v != "" {
			w.Header().Set(k, v)
		}
	}
	w.WriteHeader(res.StatusCode)
	// The answer goes on as it arrives: a page's answer is bounded where
	// it is kept (capture), a download is not kept at all.
	_, _ = io.Copy(flushing{w}, res.Body)
}

// apiAnswerTimeout bounds the wait for the API's answer to begin.
const apiAnswerTimeout = 30 * time.Second

// passed are the headers of the API's answer the console uses.
var passed = []string{"Content-Type", "Content-Disposition", "Location"}

// flushing flushes after every write, so a long download reaches the
// browser as the API produces it.
type flushing struct{ w http.ResponseWriter }

func (f flushing) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return n, err
}
