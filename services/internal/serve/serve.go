// Package serve is the process skeleton every Backdesk service binary
// shares: configuration, logging, telemetry, database, Redis, the gin
// engine, background loops and asynq servers, and a shutdown that stops all
// of them together within the configured deadline when SIGINT or SIGTERM
// arrives. A service's main supplies only what is its own.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/access/factcache"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/logging"
	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/platform/telemetry"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/mod/sumdb/note"
)

// Process is one running service: its dependencies and its lifecycle.
type Process struct {
	Name      string
	Config    config.Base
	Log       *slog.Logger
	Telemetry *telemetry.Telemetry
	DB        *sqldb.DB
	RedisOpt  asynq.RedisConnOpt
	Redis     redis.UniversalClient
	Engine    *gin.Engine
	// API is where services mount their routes: every route on it sits
	// behind authentication. Public routes (login) go on Engine.
	API      gin.IRouter
	Auth     *authn.Authenticator
	Verifier *oidcauth.Verifier
	Sessions *session.Store
	Identity *identity.Service
	// Audit keeps audit events; Recorder writes them ahead of responses
	// (its committer runs with the process).
	Audit    *auditstore.Store
	Recorder *recorder.Recorder
	// Facts caches what access decisions rest on and is told when it
	// changes (its invalidations reach every replica); Decider is the one
	// access decision point; Guard puts it in front of routes.
	Facts   *factcache.Cache
	Decider *access.Decider
	Guard   *authz.Guard
	// AuditVerifier checks audit checkpoints: read from the public key,
	// BACKDESK_AUDIT_VERIFY_KEY, or derived from the signing key where
	// that is loaded. AuditSigner signs them and is set only in a process
	// that signs (IntegrateAudit, SetAuditKey): Open never loads the
	// signing key, so a process that only reads the trail cannot sign.
	AuditSigner   note.Signer
	AuditVerifier note.Verifier

	loops   []func(ctx context.Context)
	workers []worker
	closers []func() error
}

type worker struct {
	srv *asynq.Server
	h   asynq.Handler
}

// Open builds a Process from cfg: it connects to the database and Redis and
// builds the engine. Any failure names the setting to fix.
func Open(ctx context.Context, name string, cfg config.Base, logOut io.Writer) (*Process, error) {
	p := &Process{Name: name, Config: cfg}
	p.Log = logging.New(logOut, cfg.LogLevel, name)
	slog.SetDefault(p.Log)

	tel, err := telemetry.Setup(ctx, name)
	if err != nil {
		return nil, err
	}
	p.Telemetry = tel
	p.closers = append(p.closers, func() error {
		c, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return tel.Shutdown(c)
	})

	db, err := sqldb.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("BACKDESK_DATABASE_URL: %w", err)
	}
	p.DB = db
	p.closers = append(p.closers, db.Close)

	opt, err := queue.RedisOpt(cfg.RedisURL)
	if err != nil {
		p.Close()
		return nil, err
	}
	p.RedisOpt = opt
	rc, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		p.Close()
		return nil, fmt.Errorf("BACKDESK_REDIS_URL: unsupported connection type")
	}
	p.Redis = rc
	p.closers = append(p.closers, rc.Close)

	roles, err := identity.ParseRoleMap(cfg.OIDCRoleMap)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("BACKDESK_OIDC_ROLE_MAP: %w", err)
	}
	mfa, err := access.ParseMFARule(cfg.OIDCRequireMFA)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("BACKDESK_OIDC_REQUIRE_MFA: %w", err)
	}
	p.Verifier = oidcauth.NewVerifier(oidcauth.Config{
		Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, APIAudience: cfg.OIDCAPIAudience,
		MFAACRValues: strings.FieldsFunc(cfg.OIDCMFAACRValues, func(r rune) bool { return r == ',' || r == ' ' }),
		Leeway:       cfg.OIDCLeeway, KeyRefresh: cfg.OIDCKeyRefresh,
		AcceptIDTokenMarks: cfg.OIDCAcceptIDTokenBearers,
	})
	p.Engine = web.NewEngine(web.Options{
		Service:  name,
		Logger:   p.Log,
		Registry: tel.Registry,
		// This process's own provider, not the global one, which the
		// last process to start in a test binary would own.
		TracerProvider: tel.TracerProvider,
		Ready: []web.Check{
			{Name: "database", Check: db.PingContext},
			{Name: "redis", Check: func(ctx context.Context) error { return rc.Ping(ctx).Err() }},
			// Not ready until the provider's discovery document was read
			// once: a process that cannot check a token takes no traffic.
			{Name: "identity_provider", Check: p.Verifier.Ready},
		},
	})
	p.Go(func(ctx context.Context) { p.Verifier.WatchDiscovery(ctx, p.Log) })
	if w := scopeWarning(cfg); w != "" {
		p.Log.Warn("sign-ins would carry no roles", "problem", w)
	}
	if w := bearerWarning(cfg); w != "" {
		p.Log.Warn("bearer tokens would be refused", "problem", w)
	}
	p.Sessions = session.NewStore(rc, session.Config{Idle: cfg.SessionIdle, Absolute: cfg.SessionLifetime})
	p.Audit = auditstore.New(db)
	p.Identity = identity.NewService(identitystore.New(db, p.Audit), roles, nil)
	p.Auth = &authn.Authenticator{
		Verifier: p.Verifier, Sessions: p.Sessions, Identity: p.Identity,
		RolesClaim: cfg.OIDCRolesClaim, Log: p.Log,
	}
	if cfg.OIDCRecheckInterval > 0 {
		// Every service re-checks the sessions it sees; the client's
		// credentials redeem refresh tokens, and no redirect is involved.
		p.Auth.Recheck = p.Verifier.NewLogin(cfg.OIDCClientSecret, "", strings.Fields(cfg.OIDCScopes))
		p.Auth.RecheckEvery = cfg.OIDCRecheckInterval
	}
	p.API = p.Engine.Group("/", p.Auth.Require())
	if cfg.AuditVerifyKey != "" {
		v, err := audit.ParseVerifier(cfg.AuditVerifyKey)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("BACKDESK_AUDIT_VERIFY_KEY: %w", err)
		}
		p.AuditVerifier = v
	}
	p.Recorder = recorder.New(db, p.Audit, recorder.Config{Logger: p.Log})
	p.Go(p.Recorder.Run)
	p.Facts = factcache.New(accessstore.New(db), factcache.Config{Redis: rc, Log: p.Log, Channel: factcache.ChannelFor(queue.RedisDB(opt))})
	p.Go(p.Facts.Run)
	// Principals are cached beside the access facts, invalidated through
	// the same channel: a known person's request reads no database.
	p.Identity.SetCache(p.Facts)
	p.Decider = access.NewDecider(p.Facts, access.DeciderConfig{MFA: mfa})
	p.Guard = &authz.Guard{Decider: p.Decider, Recorder: p.Recorder}
	return p, nil
}

// Go runs loop in the background until shutdown; loop must return when its
// context ends.
func (p *Process) Go(loop func(ctx context.Context)) { p.loops = append(p.loops, loop) }

// Work runs an asynq server with handler h, started and stopped with the
// HTTP server.
func (p *Process) Work(cfg queue.ServerConfig, h asynq.Handler) {
	if cfg.Logger == nil {
		cfg.Logger = p.Log
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = p.Config.ShutdownTimeout * 8 / 10
	}
	p.workers = append(p.workers, worker{srv: queue.NewServer(p.RedisOpt, cfg), h: h})
}

// OnClose registers fn to run after everything else has stopped.
func (p *Process) OnClose(fn func() error) { p.closers = append(p.closers, fn) }

// Close releases the dependencies in reverse order of opening.
func (p *Process) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		if err := p.closers[i](); err != nil && p.Log != nil {
			p.Log.Warn("close", "error", err.Error())
		}
	}
	p.closers = nil
}

// RunLoops runs the process's background loops (the recorder's committer,
// the fact cache's invalidations, whatever Go added) until ctx ends, for a
// test that drives the process without serving it.
func (p *Process) RunLoops(ctx context.Context) {
	var wg sync.WaitGroup
	for _, loop := range p.loops {
		wg.Add(1)
		go func() { defer wg.Done(); loop(ctx) }()
	}
	wg.Wait()
}

// Serve listens on ln (or on the configured address when ln is nil) and runs
// until ctx ends, then stops HTTP, workers and loops together within the
// shutdown deadline.
func (p *Process) Serve(ctx context.Context, ln net.Listener) error {
	defer p.Close()
	if ln == nil {
		var err error
		ln, err = net.Listen("tcp", p.Config.Addr)
		if err != nil {
			return fmt.Errorf("BACKDESK_ADDR: %w", err)
		}
	}
	for _, w := range p.workers {
		if err := w.srv.Start(w.h); err != nil {
			return fmt.Errorf("start workers (BACKDESK_REDIS_URL): %w", err)
		}
	}
	loopCtx, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	for _, loop := range p.loops {
		wg.Add(1)
		go func() { defer wg.Done(); loop(loopCtx) }()
	}

	srv := web.Server(p.Config.Addr, p.Engine)
	srv.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	p.Log.Info("serving", "addr", ln.Addr().String(), "config", p.Config)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	p.Log.Info("shutting down", "deadline", p.Config.ShutdownTimeout.String())
	deadline, cancel := context.WithTimeout(context.Background(), p.Config.ShutdownTimeout)
	defer cancel()

	// HTTP and the asynq workers stop first, together: in-flight requests
	// and tasks may still need the background loops (the audit recorder
	// commits their events), which stop after them.
	done := make(chan struct{})
	go func() {
		defer close(done)
		var stopWG sync.WaitGroup
		stopWG.Add(1)
		go func() { defer stopWG.Done(); stopWorkers(p.workers) }()
		if err := srv.Shutdown(deadline); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.Log.Warn("http shutdown", "error", err.Error())
		}
		stopWG.Wait()
		stopLoops()
		wg.Wait()
	}()
	select {
	case <-done:
		p.Log.Info("stopped")
	case <-deadline.Done():
		p.Log.Warn("shutdown deadline passed; exiting anyway")
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return serveErr
}

// SetAuditKey installs the checkpoint signing key (note format,
// PRIVATE+KEY+name+hash+key) and the verifier derived from it. When
// BACKDESK_AUDIT_VERIFY_KEY is set too, it must be the same key's public
// half: otherwise every checkpoint this process signs would fail to verify
// in the audit service and in backdeskctl.
func (p *Process) SetAuditKey(signingKey string) error {
	signer, err := audit.ParseSigner(signingKey)
	if err != nil {
		return fmt.Errorf("BACKDESK_AUDIT_SIGNING_KEY: %w", err)
	}
	vkey, err := audit.VerifyKeyFor(signingKey)
	if err != nil {
		return fmt.Errorf("BACKDESK_AUDIT_SIGNING_KEY: %w", err)
	}
	verifier, err := audit.ParseVerifier(vkey)
	if err != nil {
		return fmt.Errorf("BACKDESK_AUDIT_SIGNING_KEY: %w", err)
	}
	if p.AuditVerifier != nil && !signs(signer, p.AuditVerifier) {
		return &config.VarError{Var: "BACKDESK_AUDIT_VERIFY_KEY", Message: "is not the public half of BACKDESK_AUDIT_SIGNING_KEY, so the checkpoints signed here would not verify; `backdeskctl audit verify-key` prints the right one"}
	}
	p.AuditSigner, p.AuditVerifier = signer, verifier
	return nil
}

// signs reports whether v accepts what s signs.
func signs(s note.Signer, v note.Verifier) bool {
	msg, err := note.Sign(&note.Note{Text: "backdesk audit key check\n"}, s)
	if err != nil {
		return false
	}
	_, err = note.Open(msg, note.VerifierList(v))
	return err == nil
}

// VerifyOnly is the key rule of a process that checks checkpoints and must
// never sign one (the audit service, which faces compliance users): it
// needs the public key, BACKDESK_AUDIT_VERIFY_KEY, and refuses to start
// with the signing key in its environment rather than hold it unused. The
// private key stays with the router, which signs.
func (p *Process) VerifyOnly() (note.Verifier, error) {
	var errs []error
	if p.Config.AuditSigningKey != "" {
		errs = append(errs, &config.VarError{Var: "BACKDESK_AUDIT_SIGNING_KEY", Message: "must not be given to the " + p.Name + " service: it only checks checkpoints, with BACKDESK_AUDIT_VERIFY_KEY; the signing key belongs to the router alone"})
	}
	if p.AuditVerifier == nil {
		errs = append(errs, &config.VarError{Var: "BACKDESK_AUDIT_VERIFY_KEY", Message: "is required by the " + p.Name + " service to check checkpoints (`backdeskctl audit verify-key` prints it for a signing key)"})
	}
	if p.AuditSigner != nil {
		errs = append(errs, errors.New("audit: a signing key was loaded in a process that only verifies"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p.AuditVerifier, nil
}

// IntegrateAudit adds the audit log's integrator to the process: every
// interval, pending events join the Merkle log under a signed checkpoint.
// It loads BACKDESK_AUDIT_SIGNING_KEY unless SetAuditKey already set a key.
func (p *Process) IntegrateAudit(interval time.Duration) error {
	if p.AuditSigner == nil && p.Config.AuditSigningKey != "" {
		if err := p.SetAuditKey(p.Config.AuditSigningKey); err != nil {
			return err
		}
	}
	if p.AuditSigner == nil {
		return &config.VarError{Var: "BACKDESK_AUDIT_SIGNING_KEY", Message: "is required where audit checkpoints are signed (the router)"}
	}
	busy := func(err error) bool { return errors.Is(err, auditstore.ErrBusy) }
	p.Go(func(ctx context.Context) { recorder.IntegrateEvery(ctx, p.Audit, p.AuditSigner, interval, busy, p.Log) })
	return nil
}

func stopWorkers(ws []worker) {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() { defer wg.Done(); w.srv.Shutdown() }()
	}
	wg.Wait()
}

// SignalContext returns a context cancelled by SIGINT or SIGTERM.
func SignalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Fatal prints a start-up failure the way an operator needs it, one problem
// per line, and exits with status 2.
func Fatal(name string, err error) {
	fmt.Fprintf(os.Stderr, "%s: cannot start:\n", name)
	for _, line := range splitJoined(err) {
		fmt.Fprintf(os.Stderr, "  %s\n", line)
	}
	os.Exit(2)
}

func splitJoined(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, splitJoined(e)...)
		}
		return out
	}
	return []string{err.Error()}
}
