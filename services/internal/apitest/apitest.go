// Package apitest drives a service's HTTP handler in tests and checks every
// response against docs/openapi.yaml: a status the document does not list,
// or a body that does not match its schema, fails the test. It also checks
// that the route table and the document describe the same endpoints.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/docs"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"
)

// Spec loads and validates the embedded OpenAPI document.
func Spec(t testing.TB) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(docs.OpenAPI)
	require.NoError(t, err, "docs/openapi.yaml does not parse")
	require.NoError(t, doc.Validate(context.Background()), "docs/openapi.yaml is not a valid OpenAPI document")
	return doc
}

// Client sends requests to a handler and validates the responses.
type Client struct {
	t      testing.TB
	h      http.Handler
	router routers.Router
}

// New returns a Client for h.
func New(t testing.TB, h http.Handler) *Client {
	t.Helper()
	doc := Spec(t)
	doc.Servers = nil // match any host
	r, err := legacy.NewRouter(doc)
	require.NoError(t, err)
	return &Client{t: t, h: h, router: r}
}

// Response is a validated response.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), string(r.Body))
}

// Do sends one request. body is sent as JSON when not empty; hdr holds
// header name/value pairs. The response must be documented.
func (c *Client) Do(method, path, body string, hdr ...string) Response {
	c.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, req)
	res := Response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes()}
	c.validate(req, res)
	return res
}

func (c *Client) validate(req *http.Request, res Response) {
	c.t.Helper()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		// Undocumented paths may only answer with the standard error body.
		require.Contains(c.t, []int{404, 405}, res.Code, "%s %s is not in docs/openapi.yaml", req.Method, req.URL.Path)
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.Code,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(res.Body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	require.NoError(c.t, openapi3filter.ValidateResponse(context.Background(), in),
		"%s %s answered %d with a body docs/openapi.yaml does not allow: %s", req.Method, req.URL.Path, res.Code, res.Body)
}

var ginParam = regexp.MustCompile(`:([A-Za-z_]+)|\*([A-Za-z_]+)`)

// RequireRoutesDocumented fails when the engine's route table and the
// document disagree, in either direction. ignore lists "METHOD /path"
// entries that are not JSON endpoints (pages, the dev issuer).
func RequireRoutesDocumented(t testing.TB, routes gin.RoutesInfo, ignore ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, s := range ignore {
		skip[s] = true
	}
	served := map[string]bool{}
	for _, r := range routes {
		key := r.Method + " " + ginParam.ReplaceAllString(r.Path, "{$1$2}")
		if !skip[key] && r.Method != http.MethodHead {
			served[key] = true
		}
	}
	documented := map[string]bool{}
	for path, item := range Spec(t).Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, stale []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	require.Empty(t, missing, "served but not in docs/openapi.yaml")
	require.Empty(t, stale, "in docs/openapi.yaml but not served")
}
