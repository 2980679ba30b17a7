package console

import (
	"bytes"
	"encoding/json"
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
	ctx := c.Request.Context()
	var rd io.Reader = http.NoBody
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return failed(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return failed(err)
	}
	req.URL.RawQuery = query.Encode()
	req.RemoteAddr = c.Request.RemoteAddr
	req.Host = c.Request.Host
	in, h := c.Request.Header, req.Header
	for _, k := range []string{"Cookie", "Authorization", "User-Agent"} {
		if v := in.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	h.Set("Accept", "application/json")
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	if id := logging.RequestID(ctx); id != "" {
		h.Set(web.RequestIDHeader, id)
	}
	if p, ok := authn.PrincipalFrom(ctx); ok && p.CSRF != "" {
		h.Set(authn.CSRFHeader, p.CSRF)
	}

	w := &capture{header: http.Header{}}
	con.d.API.ServeHTTP(w, req)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	r := reply{Status: w.status, Body: w.body.Bytes()}
	if r.Status >= 400 {
		var e web.ErrorBody
		if json.Unmarshal(r.Body, &e) == nil {
			r.Err = e.Error
		}
		if r.Err.Code == "" {
			r.Err = web.ErrorDetail{Code: "error", Message: http.StatusText(r.Status)}
		}
	}
	return r
}

// failed is the reply to a call that could not be made at all.
func failed(err error) reply {
	return reply{Status: http.StatusInternalServerError, Err: web.ErrorDetail{Code: "internal", Message: err.Error()}}
}

// broken renders the page for an answer the console cannot read. The log
// gets the route, never the body, which may hold PHI.
func (con *Console) broken(c *gin.Context, r reply) {
	con.d.Log.ErrorContext(c.Request.Context(), "console: unreadable API answer", "route", c.FullPath(), "status", r.Status)
	con.fail(c, reply{Status: http.StatusBadGateway, Err: web.ErrorDetail{Code: "bad_answer",
		Message: "The console could not read the API's answer. Reload to try again."}})
}

// capture is the response writer of an in-process API call.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
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
	return w.body.Write(p)
}

// Upstream returns a Deps.API that sends each call over HTTP to the API at
// base (the ingress, say, for a console running as its own service). The
// call carries the same credentials either way.
func Upstream(base string, client *http.Client) (http.Handler, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the API's URL must be http(s)://host[:port], not %q", base)
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
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
	w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, io.LimitReader(res.Body, 8<<20))
}
