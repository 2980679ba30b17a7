package faults_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"golang.org/x/mod/sumdb/note"
)

// platform is one whole Backdesk: its stores, its identity provider, its
// service processes, the proxies between them and nginx in front.
type platform struct {
	root     string
	pg       *pgCluster
	redis    *redisServer
	links    *links
	issuer   *devissuer.Issuer
	nginx    *nginx
	services []*service
	owner    *sqldb.DB // the database as its owner, straight to the server
	ownerURL string
	verifier note.Verifier
	people   *people
}

// processNames are the service processes: each chart component once,
// the router twice, as two replicas.
var processNames = []string{"onboarding", "access", "workqueue", "router-1", "router-2", "audit", "console"}

// startPlatform starts everything, seeds the demo practice and the
// suite's agents, and waits until every process is ready.
func startPlatform(t *testing.T, s settings) *platform {
	t.Helper()
	ctx := context.Background()
	stopOrphanClusters(t)
	root, err := os.MkdirTemp("", faultsDirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(root, 0o755)
	if err := os.WriteFile(filepath.Join(root, suitePIDFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the run's logs are kept in %s", root)
			return
		}
		_ = os.RemoveAll(root)
	})
	p := &platform{root: root, links: newLinks()}
	repo := repoRoot(t)

	pgDir := filepath.Join(root, "pg")
	if err := os.MkdirAll(pgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	p.pg = newPGCluster(t, pgDir)
	p.pg.createDatabase(t, "backdesk")
	p.ownerURL = p.pg.url("postgres", "backdesk")
	p.owner, err = sqldb.Open(ctx, p.ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.owner.Close() })
	if _, err := schema.Migrate(ctx, p.owner); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	p.redis = newRedisServer(t, filepath.Join(root, "redis"))

	publicPort := freePort(t)
	publicURL := "http://127.0.0.1:" + strconv.Itoa(publicPort)
	p.people = newPeople(s.agents)
	clientSecret := randomHex(16)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuerURL := "http://" + ln.Addr().String() + "/dev/oidc"
	p.issuer, err = devissuer.New(devissuer.Config{Issuer: issuerURL, ClientID: "backdesk", ClientSecret: clientSecret,
		RedirectURIs: []string{publicURL + "/auth/callback"}, PostLogoutRedirectURIs: []string{publicURL + "/auth/logged-out"},
		Users: p.people.users(), TokenTTL: 6 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	issuerSrv := &http.Server{Handler: p.issuer.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = issuerSrv.Serve(ln) }()
	t.Cleanup(func() { _ = issuerSrv.Close() })

	// The demo practice and its people, then the suite's agents.
	seedEnv := map[string]string{"BACKDESK_DATABASE_URL": p.ownerURL, "BACKDESK_REDIS_URL": "redis://" + p.redis.addr() + "/0",
		"BACKDESK_OIDC_ISSUER": issuerURL, "BACKDESK_LOG_LEVEL": "warn"}
	cfg, err := devstack.ReadConfig(func(k string) string { return seedEnv[k] })
	if err != nil {
		t.Fatal(err)
	}
	if err := devstack.SeedDemo(ctx, cfg, io.Discard); err != nil {
		t.Fatalf("seed the demo practice: %v", err)
	}
	p.people.seed(t, cfg)

	signingKey, verifyKey, err := audit.GenerateKey("backdesk-faults")
	if err != nil {
		t.Fatal(err)
	}
	p.verifier, err = audit.ParseVerifier(verifyKey)
	if err != nil {
		t.Fatal(err)
	}

	bin := filepath.Join(root, "bin")
	buildServices(t, repo, bin)
	upstreams := map[string][]string{}
	for _, name := range processNames {
		comp := componentOf(name)
		port := freePort(t)
		pgAddr := p.links.add(t, name+"-pg", p.pg.addr())
		redisAddr := p.links.add(t, name+"-redis", p.redis.addr())
		env := map[string]string{
			"BACKDESK_DATABASE_URL":       fmt.Sprintf("postgres://backdesk_app@%s/backdesk?sslmode=disable", pgAddr),
			"BACKDESK_REDIS_URL":          "redis://" + redisAddr + "/0",
			"BACKDESK_ADDR":               "127.0.0.1:" + strconv.Itoa(port),
			"BACKDESK_PUBLIC_URL":         publicURL,
			"BACKDESK_OIDC_ISSUER":        issuerURL,
			"BACKDESK_OIDC_CLIENT_ID":     "backdesk",
			"BACKDESK_OIDC_CLIENT_SECRET": clientSecret,
			"BACKDESK_OIDC_SCOPES":        "openid profile email groups",
			"BACKDESK_OIDC_ROLE_MAP":      devissuer.DemoRoleMap,
			"BACKDESK_LOG_LEVEL":          "info",
			"BACKDESK_SHUTDOWN_TIMEOUT":   "5s",
			"BACKDESK_AUDIT_VERIFY_KEY":   verifyKey,
		}
		switch comp {
		case "router":
			env["BACKDESK_AUDIT_SIGNING_KEY"] = signingKey
		case "console":
			env["BACKDESK_API_URL"] = publicURL
		}
		svc := &service{name: name, component: comp, bin: filepath.Join(bin, comp), addr: env["BACKDESK_ADDR"],
			env: envOf(env), log: filepath.Join(root, name+".log")}
		p.services = append(p.services, svc)
		upstreams[comp] = append(upstreams[comp], svc.addr)
		if err := svc.start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.stop)
	}
	for _, svc := range p.services {
		svc.waitReady(t, 60*time.Second)
	}
	p.nginx = startNginx(t, filepath.Join(root, "nginx"), publicPort, chartPaths(t, repo), upstreams)
	return p
}

// componentOf is the chart component a process name belongs to.
func componentOf(name string) string {
	for _, c := range chartComponents {
		if name == c || len(name) > len(c) && name[:len(c)+1] == c+"-" {
			return c
		}
	}
	return name
}

// process returns the named process.
func (p *platform) process(name string) *service {
	for _, s := range p.services {
		if s.name == name {
			return s
		}
	}
	panic("no process " + name)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
