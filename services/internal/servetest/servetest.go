// Package servetest opens a service process for tests and benchmarks that
// drive one service directly: the real process skeleton (database, Redis,
// recorder, access decisions, guard) and the real domain services over a
// database the test made, with the configuration's defaults.
package servetest

import (
	"bytes"
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
)

// Open opens a process named name over the database at dbURL and a Redis
// of the test's own, starts its background loops (the recorder's
// committer, the fact cache's invalidations) until the test ends, and
// builds its domain services. The identity provider it names is never
// asked: tests put their principal on the request themselves.
func Open(tb testing.TB, name, dbURL string) (*serve.Process, *domains.Domains) {
	tb.Helper()
	return OpenWith(tb, name, dbURL, nil)
}

// OpenWith is Open with more settings, such as a message provider's.
func OpenWith(tb testing.TB, name, dbURL string, settings map[string]string) (*serve.Process, *domains.Domains) {
	tb.Helper()
	env := map[string]string{
		"BACKDESK_DATABASE_URL":   dbURL,
		"BACKDESK_REDIS_URL":      testenv.Redis(tb),
		"BACKDESK_ADDR":           "127.0.0.1:0",
		"BACKDESK_OIDC_ISSUER":    "http://127.0.0.1:9/unused",
		"BACKDESK_OIDC_CLIENT_ID": "backdesk-test",
	}
	for k, v := range settings {
		env[k] = v
	}
	r := config.NewReader(func(k string) string { return env[k] })
	cfg := config.ReadBase(r, config.Defaults{})
	if err := r.Err(); err != nil {
		tb.Fatal(err)
	}
	p, err := serve.Open(context.Background(), name, cfg, &bytes.Buffer{})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.RunLoops(ctx) }()
	tb.Cleanup(func() { cancel(); <-done; p.Close() })
	return p, domains.New(p, domains.Options{})
}
