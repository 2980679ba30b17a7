// Package devstack runs the whole platform in one process for development
// and demos: every service mounted on one engine exactly as the ingress
// routes them, the router's workers and outbox relay, SQLite under
// ./.backdesk/ and an in-process Redis unless URLs are given.
package devstack

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/alicebob/miniredis/v2"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/backdesk/backdesk/services/access"
	"github.com/backdesk/backdesk/services/audit"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/backdesk/backdesk/services/onboarding"
	"github.com/backdesk/backdesk/services/router"
	"github.com/backdesk/backdesk/services/workqueue"
	"github.com/hibiken/asynq"
)

// Config is the dev binary's configuration: the shared settings with
// development defaults, plus the switch that allows a non-loopback address.
type Config struct {
	config.Base
	// AllowRemote (BACKDESK_DEV_ALLOW_REMOTE=true) lets the dev binary, which
	// has demo users and no real login, listen beyond loopback.
	AllowRemote bool
}

// ReadConfig reads the environment with development defaults.
func ReadConfig(get config.Getenv) (Config, error) {
	r := config.NewReader(get)
	c := Config{Base: config.ReadBase(r, config.Defaults{
		DatabaseURL: "sqlite://.backdesk/backdesk.db",
		RedisURL:    "redis://in-process", // replaced by an in-process server
		Addr:        "127.0.0.1:8080",
		PublicURL:   "http://127.0.0.1:8080",
	})}
	c.AllowRemote = r.Bool("BACKDESK_DEV_ALLOW_REMOTE", false)
	if get("BACKDESK_REDIS_URL") == "" {
		c.RedisURL = ""
	}
	if err := r.Err(); err != nil {
		return Config{}, err
	}
	if !c.AllowRemote && !loopback(c.Addr) {
		return Config{}, &config.VarError{Var: "BACKDESK_ADDR", Message: "the dev binary listens on loopback only (e.g. 127.0.0.1:8080); set BACKDESK_DEV_ALLOW_REMOTE=true to override"}
	}
	return c, nil
}

// Run starts the platform and serves on ln (or on c.Addr when ln is nil)
// until ctx ends.
func Run(ctx context.Context, c Config, logOut io.Writer, ln net.Listener) error {
	p, err := Build(ctx, c, logOut)
	if err != nil {
		return err
	}
	return p.Serve(ctx, ln)
}

// Build assembles the platform without serving it yet: the in-process
// Redis when none is configured, the migrated database, and every service
// mounted on one engine.
func Build(ctx context.Context, c Config, logOut io.Writer) (*serve.Process, error) {
	var mr *miniredis.Miniredis
	if c.RedisURL == "" {
		mr = miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start in-process Redis: %w", err)
		}
		c.RedisURL = "redis://" + mr.Addr() + "/0"
	}
	p, err := serve.Open(ctx, "devstack", c.Base, logOut)
	if err != nil {
		if mr != nil {
			mr.Close()
		}
		return nil, err
	}
	if mr != nil {
		p.OnClose(func() error { mr.Close(); return nil })
	}
	if ran, err := schema.Migrate(ctx, p.DB); err != nil {
		p.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	} else if len(ran) > 0 {
		p.Log.Info("database migrated", "applied", len(ran))
	}

	// Queues: the relay feeds asynq from the outbox; the router works it.
	client := asynq.NewClient(p.RedisOpt)
	p.OnClose(client.Close)
	relay := outbox.NewRelay(p.DB, client, outbox.RelayConfig{Logger: p.Log})
	p.Go(relay.Run)

	// Domain.
	practices := practice.NewService(practicestore.New(p.DB), nil, relay.Notify)

	// Services, mounted as the ingress routes them.
	rt := router.New(practices, p.Log)
	p.Work(queue.ServerConfig{}, rt.Handler())
	rt.Mount(p.API)
	onboarding.New(practices).Mount(p.API)
	access.New().Mount(p.API)
	workqueue.New().Mount(p.API)
	audit.New().Mount(p.API)
	return p, nil
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
