package kit

import (
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
)

// Route sends the API calls under one path prefix to one base URL.
type Route struct {
	Prefix string
	Base   string
}

// ParseRoutes reads "prefix=url,prefix=url" (BACKDESK_API_ROUTES): the
// path prefixes each API service answers, and where the console reaches
// that service, e.g. the Services inside the cluster.
func ParseRoutes(s string) ([]Route, error) {
	var out []Route
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		prefix, base, ok := strings.Cut(entry, "=")
		prefix, base = strings.TrimSpace(prefix), strings.TrimSpace(base)
		if !ok || !strings.HasPrefix(prefix, "/") || base == "" {
			return nil, fmt.Errorf("entry %d %q: want /path/prefix=http(s)://host[:port]", i+1, entry)
		}
		out = append(out, Route{Prefix: strings.TrimSuffix(prefix, "/"), Base: base})
	}
	return out, nil
}

// Routed returns a Deps.API that sends each call to the upstream of the
// longest route whose prefix is the call's path or a whole-segment start
// of it, as the ingress does, and every other call to fallback.
func Routed(routes []Route, fallback http.Handler, client *http.Client, log *slog.Logger) (http.Handler, error) {
	r := &routed{fallback: fallback}
	for _, rt := range routes {
		up, err := Upstream(rt.Base, client, log)
		if err != nil {
			return nil, fmt.Errorf("route %s: %w", rt.Prefix, err)
		}
		r.routes = append(r.routes, routedPrefix{prefix: rt.Prefix, h: up})
	}
	sort.SliceStable(r.routes, func(i, j int) bool { return len(r.routes[i].prefix) > len(r.routes[j].prefix) })
	return r, nil
}

type routedPrefix struct {
	prefix string
	h      http.Handler
}

type routed struct {
	routes   []routedPrefix
	fallback http.Handler
}

func (r *routed) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	p := req.URL.Path
	for _, rt := range r.routes {
		if p == rt.prefix || strings.HasPrefix(p, rt.prefix+"/") {
			rt.h.ServeHTTP(w, req)
			return
		}
	}
	r.fallback.ServeHTTP(w, req)
}
