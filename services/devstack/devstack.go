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
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/endpoint"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
)

// Config is the dev binary's configuration: the shared settings with
// development defaults, plus the switch that allows a non-loopback address.
type Config struct {
	config.Base
	// AllowRemote (BACKDESK_DEV_ALLOW_REMOTE=true) lets the dev binary, which
	// has demo users anyone can pick, listen beyond loopback.
	AllowRemote bool
	// DevIssuer is true when the built-in development identity provider
	// serves at /dev/oidc (BACKDESK_OIDC_ISSUER unset).
	DevIssuer bool
	// ReconcileEvery is how often the routing reconciler runs: zero means
	// router.ReconcileEvery, negative turns it off (for tests that hold
	// work items still while they look at them).
	ReconcileEvery time.Duration
}

// DevClientID is the client id the built-in issuer registers for Backdesk.
const DevClientID = "backdesk-dev"

// ReadConfig reads the environment with development defaults.
func ReadConfig(get config.Getenv) (Config, error) {
	r := config.NewReader(get)
	addr := r.String("BACKDESK_ADDR", "127.0.0.1:8080")
	public := r.String("BACKDESK_PUBLIC_URL", "http://"+browserAddr(addr))
	c := Config{Base: config.ReadBase(r, config.Defaults{
		DatabaseURL:  "sqlite://.backdesk/backdesk.db",
		RedisURL:     "redis://in-process", // replaced by an in-process server
		Addr:         addr,
		PublicURL:    public,
		OIDCIssuer:   strings.TrimSuffix(public, "/") + "/dev/oidc",
		OIDCClientID: DevClientID,
		OIDCRoleMap:  devissuer.DemoRoleMap,
		// Texts and e-mails go to the dev outbox, where a platform admin
		// reads them and answers as the patient.
		MessageProvider: "dev",
		// Payments go through the dev checkout page: no money moves.
		PaymentProvider: "dev",
	})}
	c.AllowRemote = r.Bool("BACKDESK_DEV_ALLOW_REMOTE", false)
	c.DevIssuer = get("BACKDESK_OIDC_ISSUER") == ""
	if get("BACKDESK_REDIS_URL") == "" {
		c.RedisURL = ""
	}
	if c.DevIssuer && c.OIDCClientSecret == "" {
		c.OIDCClientSecret = session.Token()
	}
	if c.DevIssuer && get("BACKDESK_OIDC_SCOPES") == "" {
		// The development provider sends groups only when asked, as Dex
		// does; the demo users' roles come from them.
		c.OIDCScopes = "openid profile email groups"
	}
	if err := r.Err(); err != nil {
		return Config{}, err
	}
	if !c.AllowRemote && !endpoint.IsLoopbackAddr(c.Addr) {
		return Config{}, &config.VarError{Var: "BACKDESK_ADDR", Message: "the dev binary listens on loopback only (e.g. 127.0.0.1:8080); set BACKDESK_DEV_ALLOW_REMOTE=true to override"}
	}
	return c, nil
}

// Run starts the platform and serves on ln (or on c.Addr when ln is nil)
// until ctx ends.
func Run(ctx context.Context, c Config, logOut io.Writer, ln net.Listener) error {
	s, err := Build(ctx, c, logOut)
	if err != nil {
		return err
	}
	return s.Serve(ctx, ln)
}

// Stack is the assembled platform.
type Stack struct {
	*serve.Process
	// Issuer is the built-in identity provider, nil when a real one is
	// configured.
	Issuer *devissuer.Issuer
	// Clearinghouse asks clearinghouses and applies their answers, as the
	// router's tasks and pollers run it.
	Clearinghouse *clearinghouse.Service
	// DemoClearinghouse is the folder the demo clearinghouse serves; ""
	// when none runs.
	DemoClearinghouse string
}

// Build assembles the platform without serving it yet: the in-process
// Redis when none is configured, the migrated database, and every service
// mounted on one engine.
func Build(ctx context.Context, c Config, logOut io.Writer) (*Stack, error) {
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
	if err := migrateOrCheck(ctx, p); err != nil {
		p.Close()
		return nil, err
	}

	// Audit: checkpoints are signed with a dev key unless one is configured,
	// and integrated every second so proofs are available at once.
	// The dev binary signs as the router does, so it loads the signing
	// key; IntegrateAudit below would load a configured one by itself.
	if p.Config.AuditSigningKey == "" {
		key, persisted, err := devAuditKey(c.DatabaseURL)
		if err == nil {
			err = p.SetAuditKey(key)
		}
		if err != nil {
			p.Close()
			return nil, err
		}
		p.Config.AuditKeyNote = "generated a development key"
		if !persisted {
			p.Log.Warn("audit checkpoints are signed with a key that lasts only this run; set BACKDESK_AUDIT_SIGNING_KEY to keep them verifiable")
		}
	}
	// Identity: the development provider, when no real one is configured.
	stack := &Stack{Process: p}
	if c.DevIssuer {
		iss, err := devissuer.New(devissuer.Config{
			Issuer: c.OIDCIssuer, ClientID: c.OIDCClientID, ClientSecret: c.OIDCClientSecret,
			RedirectURIs:           []string{strings.TrimSuffix(c.PublicURL, "/") + "/auth/callback"},
			PostLogoutRedirectURIs: []string{strings.TrimSuffix(c.PublicURL, "/") + "/auth/logged-out"},
		})
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("dev issuer: %w", err)
		}
		p.Engine.Any(iss.Prefix()+"/*path", gin.WrapH(iss.Handler()))
		stack.Issuer = iss
	}

	// Domain: the relay runs here, as in the router.
	d := domains.New(p, domains.Options{Relay: true, ClearinghouseSettle: demoSettle})
	// Seeding is system work across practices: it looks the demo practice
	// up by NPI, then creates it, its staff and its data.
	seed := depsFor(c.OIDCIssuer, p, d)
	// A demo clearinghouse on loopback answers the demo practice's
	// eligibility checks; seeding links the practice to it before its
	// appointments are imported.
	var demo *demoClearinghouse
	if c.DevIssuer {
		if demo, err = setUpDemoClearinghouse(ctx, p, d); err != nil {
			p.Close()
			return nil, err
		}
		seed.link = demo.linker(p, d.Clearinghouse)
	}
	if !c.DevIssuer {
		// The demo people live in the development provider: under another
		// issuer nobody could sign in as them, and a practice they own
		// would belong to nobody.
		p.Log.Warn("demo data not created: BACKDESK_OIDC_ISSUER names an outside identity provider, whose users the demo cannot know; create a practice and invite its admin instead (docs/identity.md)")
	} else if err := seedDemo(sqldb.AllPractices(ctx), seed); err != nil {
		p.Close()
		return nil, fmt.Errorf("demo data: %w", err)
	}
	if demo != nil {
		if err := demo.start(sqldb.AllPractices(ctx), p, d); err != nil {
			p.Close()
			return nil, err
		}
		stack.DemoClearinghouse = demo.root
	}
	stack.Clearinghouse = d.Clearinghouse

	// Services, every one of the catalog, on this one engine as the
	// ingress routes them. The console calls the API through this same
	// engine; audit events join the Merkle log every second so proofs are
	// there at once.
	if err := catalog.Build(ctx, p, d, catalog.Options{ConsoleAPI: p.Engine, IntegrateEvery: time.Second,
		ReconcileEvery: c.ReconcileEvery}, catalog.Names()...); err != nil {
		p.Close()
		return nil, err
	}
	return stack, nil
}

// migrateOrCheck migrates the database when the dev binary logs in as its
// owner (SQLite, or PostgreSQL as the owner role). Logged in as the
// application role, which may not migrate, it only checks that the owner
// has.
func migrateOrCheck(ctx context.Context, p *serve.Process) error {
	if p.DB.Dialect == sqldb.Postgres && sqldb.CheckServingRole(ctx, p.DB) == nil {
		pending, err := schema.Pending(ctx, p.DB)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if len(pending) > 0 {
			return fmt.Errorf("BACKDESK_DATABASE_URL: %d migrations are not applied (the first: %s), and this role may not apply them; run backdeskctl migrate as the owner role", len(pending), pending[0].Name)
		}
		return nil
	}
	ran, err := schema.Migrate(ctx, p.DB)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(ran) > 0 {
		p.Log.Info("database migrated", "applied", len(ran))
	}
	return nil
}

// browserAddr is where a browser on this machine reaches addr: a wildcard
// or IPv4 loopback bind is reached as localhost, the address the README
// gives, so sign-in returns to the host name the browser started on.
func browserAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && (ip.IsUnspecified() || ip.Equal(net.IPv4(127, 0, 0, 1)))) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
