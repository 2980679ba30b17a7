package catalog_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// platformPaths are the routes every process answers for itself, which no
// ingress sends anywhere: probes and metrics.
var platformPaths = []string{"/healthz", "/readyz", "/metrics"}

// chartPaths reads the path table from the chart: each service's paths,
// which its Ingress and HTTPRoute send to that service.
func chartPaths(t *testing.T) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile("../../../charts/backdesk/values.yaml")
	require.NoError(t, err)
	// Only the components carry paths; other keys decode to nothing.
	var values map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &values))
	out := map[string][]string{}
	for k, v := range values {
		m, _ := v.(map[string]any)
		paths, ok := m["paths"].([]any)
		if !ok {
			continue
		}
		for _, p := range paths {
			out[k] = append(out[k], p.(string))
		}
	}
	return out
}

// owner is the service whose path claims route: the longest path that is
// the route or a whole-segment prefix of it; "/" claims only itself.
func owner(table map[string][]string, route string) (string, string) {
	best, bestPath := "", ""
	for svc, paths := range table {
		for _, p := range paths {
			p = strings.TrimSuffix(p, "/")
			match := route == p || (p != "" && strings.HasPrefix(route, p+"/"))
			if p == "" {
				match = route == "/"
			}
			if match && (best == "" || len(p) > len(bestPath)) {
				best, bestPath = svc, p
			}
		}
	}
	return best, bestPath
}

// Every service in the catalog is a component of the chart, and every
// route it mounts is one the chart's ingress sends to it; every path the
// chart sends to a service is answered by at least one of its routes. The
// chart test holds the Ingress and HTTPRoute to the same path table, so a
// route is added in one place: the service's builder, under a path of its
// own in values.yaml.
func TestEveryRouteIsRoutedToItsService(t *testing.T) {
	t.Parallel()
	table := chartPaths(t)
	names := catalog.Names()
	chartNames := make([]string, 0, len(table))
	for k := range table {
		chartNames = append(chartNames, k)
	}
	slices.Sort(chartNames)
	require.Equal(t, chartNames, slices.Sorted(slices.Values(names)), "the catalog's services and the chart's components differ")

	skey, vkey, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, url := testenv.NewDB(t, sqldb.SQLite)
			cfg := config.Base{
				DatabaseURL: url, RedisURL: testenv.Redis(t), Addr: "127.0.0.1:0", ShutdownTimeout: time.Second,
				AuditRetentionDays: config.DefaultAuditRetentionDays, AuditVerifyKey: vkey,
				PublicURL: "http://127.0.0.1:8080", OIDCIssuer: "http://127.0.0.1:9/unused", OIDCClientID: "backdesk-test",
				OIDCRolesClaim: "groups",
			}
			if name == "router" {
				// The router signs checkpoints; the audit service must not hold the key.
				cfg.AuditSigningKey = skey
			}
			p, err := serve.Open(context.Background(), name, cfg, &bytes.Buffer{})
			require.NoError(t, err)
			t.Cleanup(p.Close)
			d := domains.New(p, domains.Options{Relay: catalog.Relays(name)})
			require.NoError(t, catalog.Build(context.Background(), p, d, catalog.Options{ConsoleAPI: http.NotFoundHandler()}, name))

			answered := map[string]bool{}
			routes := p.Engine.Routes()
			require.NotEmpty(t, routes)
			for _, r := range routes {
				if slices.Contains(platformPaths, r.Path) {
					continue
				}
				svc, path := owner(table, r.Path)
				require.Equal(t, name, svc, "%s %s is served by %s but the chart sends it to %q", r.Method, r.Path, name, svc)
				answered[path] = true
			}
			for _, p := range table[name] {
				require.True(t, answered[strings.TrimSuffix(p, "/")], "the chart sends %s to %s, which serves nothing under it", p, name)
			}
		})
	}
}
