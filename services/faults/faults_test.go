package faults_test

import (
	"context"
	"fmt"
	"time"
)

// fault is one thing that goes wrong while the load runs.
type fault struct {
	name string
	// gone are the processes whose database or Redis the fault takes
	// away: their /readyz must say so while it lasts.
	gone []string
	// killed are the processes the fault ends.
	killed []string
	// hold is how long the fault lasts before it is healed.
	hold time.Duration
	// inject breaks something and returns what mends it.
	inject func(ctx context.Context, p *platform) (heal func() error, err error)
}

// everyProcess is every service process's name.
func everyProcess() []string { return append([]string(nil), processNames...) }

// killFault ends the named processes with SIGKILL and starts them again
// after down.
func killFault(down time.Duration, names ...string) fault {
	label := "kill -9 " + names[0]
	if len(names) > 1 {
		label = "kill -9 both routers"
	}
	return fault{name: label, killed: names, hold: down, inject: func(_ context.Context, p *platform) (func() error, error) {
		for _, n := range names {
			p.process(n).kill()
		}
		return func() error {
			for _, n := range names {
				if err := p.process(n).start(); err != nil {
					return err
				}
			}
			return nil
		}, nil
	}}
}

// toxicFault puts a toxic on the links of the named processes to one
// store ("pg" or "redis").
func toxicFault(label, store, kind, attributes string, hold time.Duration, gone bool, names ...string) fault {
	f := fault{name: label, hold: hold, inject: func(_ context.Context, p *platform) (func() error, error) {
		prefixes := make([]string, len(names))
		for i, n := range names {
			prefixes[i] = n + "-" + store
		}
		undo, err := p.links.toxic(prefixes, kind, attributes)
		if err != nil {
			return nil, err
		}
		return func() error { undo(); return nil }, nil
	}}
	if gone {
		f.gone = names
	}
	return f
}

// matrix is every fault the suite runs, in order. hold is how long the
// longer faults last (10 s as the runbook's checks assume); a killed
// service is started again after a few seconds.
func matrix(hold time.Duration) []fault {
	down := 3 * time.Second
	var out []fault
	for _, n := range []string{"onboarding", "access", "workqueue", "router-1", "audit", "console"} {
		out = append(out, killFault(down, n))
	}
	out = append(out, killFault(down, "router-1", "router-2"))
	out = append(out,
		fault{name: "Redis restarted (append-only file kept)", gone: everyProcess(), hold: time.Second,
			inject: func(_ context.Context, p *platform) (func() error, error) {
				return func() error { return p.redis.restart(true) }, nil
			}},
		fault{name: "Redis restarted (nothing kept)", gone: everyProcess(), hold: time.Second,
			inject: func(_ context.Context, p *platform) (func() error, error) {
				return func() error { return p.redis.restart(false) }, nil
			}},
		fault{name: fmt.Sprintf("Redis paused (SIGSTOP %s)", hold), gone: everyProcess(), hold: hold,
			inject: func(_ context.Context, p *platform) (func() error, error) {
				if err := p.redis.pause(); err != nil {
					return nil, err
				}
				return p.redis.resume, nil
			}},
		fault{name: "PostgreSQL restarted (pg_ctl restart -m fast)", gone: everyProcess(),
			inject: func(ctx context.Context, p *platform) (func() error, error) {
				return func() error { return p.pg.ctl("restart", "-m", "fast") }, nil
			}},
		fault{name: "PostgreSQL fast shutdown mid-transaction, down 5 s", gone: everyProcess(), hold: 5 * time.Second,
			inject: func(ctx context.Context, p *platform) (func() error, error) {
				if err := p.pg.stop("fast"); err != nil {
					return nil, err
				}
				return func() error { return p.pg.ctl("start") }, nil
			}},
		fault{name: "PostgreSQL crashed (immediate shutdown), down 5 s", gone: everyProcess(), hold: 5 * time.Second,
			inject: func(ctx context.Context, p *platform) (func() error, error) {
				if err := p.pg.stop("immediate"); err != nil {
					return nil, err
				}
				return func() error { return p.pg.ctl("start") }, nil
			}},
		fault{name: fmt.Sprintf("audit trail refuses writes (%s)", hold), hold: hold,
			inject: func(ctx context.Context, p *platform) (func() error, error) { return p.breakAudit(ctx) }},
		toxicFault(fmt.Sprintf("workqueue cut off from PostgreSQL (%s)", hold), "pg", "timeout", `{"timeout":0}`, hold, true, "workqueue"),
		toxicFault(fmt.Sprintf("routers cut off from Redis (%s)", hold), "redis", "timeout", `{"timeout":0}`, hold, true, "router-1", "router-2"),
		toxicFault(fmt.Sprintf("access's Redis connections reset (%s)", hold), "redis", "reset_peer", `{"timeout":0}`, hold, false, "access"),
		toxicFault(fmt.Sprintf("access and onboarding 400 ms from PostgreSQL (%s)", hold), "pg", "latency", `{"latency":400,"jitter":100}`, hold, false, "access", "onboarding"),
		clockJump(2*time.Minute, hold),
	)
	return out
}

// breakAudit makes every audit append fail, as a full or read-only
// tablespace would, until healed: a trigger the owner adds raises on
// every insert.
func (p *platform) breakAudit(ctx context.Context) (func() error, error) {
	if _, err := p.owner.ExecContext(ctx, `CREATE OR REPLACE FUNCTION faults_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit storage unavailable (faults suite)'; END $$`); err != nil {
		return nil, err
	}
	if _, err := p.owner.ExecContext(ctx, `CREATE TRIGGER faults_refuse_audit BEFORE INSERT ON audit_events
FOR EACH ROW EXECUTE FUNCTION faults_refuse_audit()`); err != nil {
		return nil, err
	}
	return func() error {
		_, err := p.owner.ExecContext(context.Background(), `DROP TRIGGER faults_refuse_audit ON audit_events`)
		return err
	}, nil
}
