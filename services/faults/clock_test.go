package faults_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
)

// jumpClock is the machine's clock moved by an offset the suite sets.
type jumpClock struct{ offset atomic.Int64 }

func (c *jumpClock) Now() time.Time      { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *jumpClock) set(d time.Duration) { c.offset.Store(int64(d)) }

// clockJump replaces both router processes with one router run in the
// suite's own process, built by the catalog exactly as the router binary
// builds it, on router-1's address, links and settings, but with routing's
// clock in the suite's hands. While the fault lasts that clock jumps
// ahead by jump, across every timer due within it, and then as far
// behind, so that timers come due while the router thinks them early;
// the fault heals when the router processes come back.
func clockJump(jump, hold time.Duration) fault {
	return fault{name: fmt.Sprintf("router's clock jumps %s ahead, then %s behind (%s)", jump, jump, hold),
		killed: []string{"router-1", "router-2"}, hold: hold,
		inject: func(ctx context.Context, p *platform) (func() error, error) {
			for _, n := range []string{"router-1", "router-2"} {
				p.process(n).stop()
			}
			clock := &jumpClock{}
			stop, err := p.routerInProcess(ctx, clock)
			if err != nil {
				return nil, err
			}
			clock.set(jump)
			go func() {
				time.Sleep(hold / 2)
				clock.set(-jump)
			}()
			return func() error {
				stop()
				for _, n := range []string{"router-1", "router-2"} {
					if err := p.process(n).start(); err != nil {
						return err
					}
				}
				return nil
			}, nil
		}}
}

// routerInProcess starts the in-process router and waits until it is
// ready; stop ends it as SIGTERM would.
func (p *platform) routerInProcess(ctx context.Context, clock *jumpClock) (stop func(), err error) {
	svc := p.process("router-1")
	env := map[string]string{}
	for _, kv := range svc.env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	r := config.NewReader(func(k string) string { return env[k] })
	cfg := config.ReadBase(r, config.Defaults{})
	if err := r.Err(); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(p.root, "router-clock.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	proc, err := serve.Open(ctx, "router", cfg, logf)
	if err != nil {
		_ = logf.Close()
		return nil, err
	}
	d := domains.New(proc, domains.Options{Relay: true, RoutingNow: clock.Now})
	if err := catalog.Build(ctx, proc, d, catalog.Options{}, "router"); err != nil {
		proc.Close()
		_ = logf.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- proc.Serve(runCtx, nil) }()
	stop = func() {
		cancel()
		<-done
		_ = logf.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for !svc.ready() {
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("the in-process router is not ready after 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return stop, nil
}
