package kit

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/web"
)

// Upstream returns a Deps.API that sends each call over HTTP to the API at
// base (the ingress, say, for a console running as its own service). The
// call carries the same credentials either way; why a call could not be
// sent goes to log (nil: slog's default). A nil client waits at most
// apiAnswerTimeout for the API to start answering once the request is
// sent, but sets no bound on the whole exchange: an upload or an export
// streams for as long as the browser keeps its request open.
func Upstream(base string, client *http.Client, log *slog.Logger) (http.Handler, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("the API's URL must be http(s)://host[:port], not %q", base)
	}
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = apiAnswerTimeout
		client = &http.Client{Transport: tr}
	}
	if log == nil {
		log = slog.Default()
	}
	return &upstream{base: u, client: client, log: log}, nil
}

type upstream struct {
	base   *url.URL
	client *http.Client
	log    *slog.Logger
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
		// The cause (a refused dial, a name that does not resolve) is for
		// the operator; the person gets the plain refusal.
		up.log.WarnContext(r.Context(), "the API cannot be reached", "api", up.base.Host, "error", err.Error())
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
