// Package catalog is the one table of Backdesk's services: each one's
// name (its Deployment in the chart, where the ingress paths it answers
// are listed too) and how it is built into a process, routes and workers
// alike. Every service main and the all-in-one dev binary build services
// from this table only, so a route or a worker is added in one place, and
// a service is either built whole or not at all.
package catalog

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
)

// Service is one of the platform's services.
type Service struct {
	// Name is the service's name: its command under services/, its
	// component in the chart.
	Name string
	// Relays says the service runs the outbox relay.
	Relays bool
	build  func(ctx context.Context, p *serve.Process, d *domains.Domains, o Options) error
}

// Options tune how services are built; the zero value is what a service
// binary runs in production.
type Options struct {
	// ConsoleAPI is where the console sends its API calls; nil means over
	// HTTP to BACKDESK_API_URL (the dev binary gives its own engine).
	ConsoleAPI http.Handler
	// IntegrateEvery is how often audit events join the Merkle log
	// (default 2s).
	IntegrateEvery time.Duration
	// ReconcileEvery is how often the routing reconciler runs: zero means
	// the router's default, negative turns it off (for tests that hold
	// work items still).
	ReconcileEvery time.Duration
	// API is where authenticated routes are mounted; nil means the
	// process's own (p.API). Tests that put their principal on the request
	// themselves give a group of their own.
	API gin.IRouter
}

// api is where o mounts p's authenticated routes.
func (o Options) api(p *serve.Process) gin.IRouter {
	if o.API != nil {
		return o.API
	}
	return p.API
}

// services is the table, in the order the dev binary mounts them.
var services = []Service{
	{Name: "router", Relays: true, build: buildRouter},
	{Name: "onboarding", build: buildOnboarding},
	{Name: "access", build: buildAccess},
	{Name: "workqueue", build: buildWorkqueue},
	{Name: "audit", build: buildAudit},
	{Name: "console", build: buildConsole},
}

// Names lists every service.
func Names() []string {
	out := make([]string, len(services))
	for i, s := range services {
		out[i] = s.Name
	}
	return out
}

// Lookup returns the named service.
func Lookup(name string) (Service, bool) {
	i := slices.IndexFunc(services, func(s Service) bool { return s.Name == name })
	if i < 0 {
		return Service{}, false
	}
	return services[i], true
}

// Relays reports whether any of the named services runs the relay, so
// the process's domains must be built with one.
func Relays(names ...string) bool {
	for _, n := range names {
		if s, ok := Lookup(n); ok && s.Relays {
			return true
		}
	}
	return false
}

// Build builds the named services into p, over the domains d.
func Build(ctx context.Context, p *serve.Process, d *domains.Domains, o Options, names ...string) error {
	for _, n := range names {
		s, ok := Lookup(n)
		if !ok {
			return fmt.Errorf("catalog: no service %q", n)
		}
		if err := s.build(ctx, p, d, o); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// Main is the whole main function of the named service's binary.
func Main(name string) {
	serve.Main(name, func(ctx context.Context, p *serve.Process) error {
		d := domains.New(p, domains.Options{Relay: Relays(name)})
		return Build(ctx, p, d, Options{}, name)
	})
}
