package clustertest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	helmrelease "helm.sh/helm/v3/pkg/release"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/yaml"
)

// installation is one install of the chart in a namespace of its own, with its
// own database, Redis database, identity provider and audit key.
type installation struct {
	c         *cluster
	ns        string
	name      string
	chart     *chart.Chart
	values    map[string]any
	helm      *action.Configuration
	issuer    *devissuer.Issuer
	ca        *testCA
	ownerURL  string    // the database as its owner, on loopback (the test's own connection)
	redisURL  string    // the Redis database, on loopback
	publicURL string    // the path-routing proxy in front of the NodePorts
	helmLog   lockedLog // helm's own log, shown when something fails
	ingress   *ingress
}

// newRelease prepares everything the chart needs outside the cluster and
// returns the values to install with; it installs nothing.
func newRelease(t *testing.T, c *cluster, tag string) *installation {
	t.Helper()
	ctx := context.Background()
	r := &installation{c: c, ns: "backdesk-" + randomHex(4), name: "backdesk", ca: newCA(t)}

	// The namespace enforces Pod Security "restricted", as a hardened
	// cluster would; the chart must run there unchanged.
	_, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name: r.ns, Labels: restricted}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.kube.CoreV1().Namespaces().Delete(context.Background(), r.ns, metav1.DeleteOptions{})
	})

	// PostgreSQL and Redis stay on the host, reached through the node's
	// address. The migration hook logs in as the owner; the services as
	// the application role, which owns nothing and cannot bypass
	// row-level security.
	_, r.ownerURL = testenv.NewEmptyDB(t, sqldb.Postgres)
	r.redisURL = testenv.Redis(t)
	pg := forward(t, c.nodeIP, hostOf(t, r.ownerURL))
	rd := forward(t, c.nodeIP, hostOf(t, r.redisURL))
	podOwnerURL := rehost(t, r.ownerURL, pg)
	podAppURL := asUser(t, podOwnerURL, testenv.AppRole)
	podRedisURL := rehost(t, r.redisURL, rd)

	// The path-routing proxy the browser and the tests use, standing in for
	// the ingress controller this cluster has not got.
	r.ingress = newIngress(t, c.root)
	r.publicURL = r.ingress.url

	// The identity provider: the development issuer, over HTTPS on the
	// node's address with a certificate of this run's CA, which the pods
	// trust through config.extraCA.
	ln, err := net.Listen("tcp", net.JoinHostPort(c.nodeIP, "0"))
	require.NoError(t, err)
	clientSecret := randomHex(16)
	issuerURL := "https://" + ln.Addr().String() + "/dev/oidc"
	r.issuer, err = devissuer.New(devissuer.Config{Issuer: issuerURL, ClientID: "backdesk", ClientSecret: clientSecret,
		RedirectURIs:           []string{r.publicURL + "/auth/callback"},
		PostLogoutRedirectURIs: []string{r.publicURL + "/auth/logged-out"}})
	require.NoError(t, err)
	r.ca.serveTLS(t, ln, c.nodeIP, r.issuer.Handler())

	signingKey, verifyKey, err := audit.GenerateKey("backdesk-kube-test")
	require.NoError(t, err)

	r.secrets(t, map[string]map[string]string{
		"backdesk-database":          {"url": podAppURL},
		"backdesk-database-owner":    {"url": podOwnerURL},
		"backdesk-redis":             {"url": podRedisURL},
		"backdesk-oidc":              {"client-secret": clientSecret},
		"backdesk-audit-signing-key": {"signing-key": signingKey},
		"backdesk-test-ca":           {"ca.crt": string(r.ca.certPEM)},
		"backdesk-redis-unreachable": {"url": "redis://" + net.JoinHostPort(c.nodeIP, "1") + "/0"},
	})

	raw, err := os.ReadFile(filepath.Join(c.root, "charts", "clustertest", "testdata", "values.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(raw, &r.values))
	r.values = chartutil.MergeTables(map[string]any{
		"image": map[string]any{"tag": tag},
		"config": map[string]any{
			"publicURL":      r.publicURL,
			"auditVerifyKey": verifyKey,
			"oidc":           map[string]any{"issuer": issuerURL},
		},
	}, r.values)

	r.chart, err = loader.Load(filepath.Join(c.root, "charts", "backdesk"))
	require.NoError(t, err)
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &c.kubeconfig
	flags.Namespace = &r.ns
	r.helm = new(action.Configuration)
	require.NoError(t, r.helm.Init(flags, r.ns, "secret", r.helmLog.printf))
	return r
}

// restricted are the labels that put a namespace under Pod Security
// "restricted": enforced, and warned and audited too.
var restricted = map[string]string{
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/warn":    "restricted",
	"pod-security.kubernetes.io/audit":   "restricted",
}

// secrets creates the Secrets the chart refers to by name (it never
// creates them itself).
func (r *installation) secrets(t *testing.T, all map[string]map[string]string) {
	t.Helper()
	for name, data := range all {
		_, err := r.c.kube.CoreV1().Secrets(r.ns).Create(context.Background(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: data}, metav1.CreateOptions{})
		require.NoError(t, err, "secret %s", name)
	}
}

// install runs helm install --wait, and helm uninstall when the test ends.
func (r *installation) install(t *testing.T) {
	t.Helper()
	in := action.NewInstall(r.helm)
	in.Namespace, in.ReleaseName = r.ns, r.name
	in.Wait, in.WaitForJobs, in.Timeout = true, true, 6*time.Minute
	_, err := in.RunWithContext(context.Background(), r.chart, r.values)
	require.NoError(t, err, "helm install\n%s", r.diagnose())
	t.Cleanup(func() {
		un := action.NewUninstall(r.helm)
		un.Wait, un.Timeout = true, 2*time.Minute
		if _, err := un.Run(r.name); err != nil {
			t.Logf("helm uninstall: %v", err)
		}
	})
}

// seed creates the demo practice, its people (as the development issuer
// knows them) and its data in the release's database, from outside the
// cluster; the release's router then routes the imported work.
func (r *installation) seed(t *testing.T) {
	t.Helper()
	env := map[string]string{
		"BACKDESK_DATABASE_URL": r.ownerURL,
		"BACKDESK_REDIS_URL":    r.redisURL,
		"BACKDESK_OIDC_ISSUER":  r.issuer.Issuer(),
		"BACKDESK_LOG_LEVEL":    "warn",
	}
	cfg, err := devstack.ReadConfig(func(k string) string { return env[k] })
	require.NoError(t, err)
	require.NoError(t, devstack.SeedDemo(context.Background(), cfg, io.Discard))
}

// diagnose describes the namespace's pods and recent events, for a failure
// message.
func (r *installation) diagnose() string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var b strings.Builder
	pods, err := r.c.kube.CoreV1().Pods(r.ns).List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, p := range pods.Items {
			fmt.Fprintf(&b, "pod %s: %s", p.Name, p.Status.Phase)
			for _, s := range p.Status.ContainerStatuses {
				fmt.Fprintf(&b, " ready=%v restarts=%d", s.Ready, s.RestartCount)
				if s.State.Waiting != nil {
					fmt.Fprintf(&b, " waiting=%s %s", s.State.Waiting.Reason, s.State.Waiting.Message)
				}
				if s.LastTerminationState.Terminated != nil {
					fmt.Fprintf(&b, " last-exit=%d %s", s.LastTerminationState.Terminated.ExitCode, s.LastTerminationState.Terminated.Message)
				}
			}
			b.WriteString("\n")
			if !podReady(&p) {
				b.WriteString(r.logs(ctx, p.Name))
			}
		}
	}
	fmt.Fprintf(&b, "helm's log:\n%s\n", tail(r.helmLog.String(), 3000))
	events, err := r.c.kube.CoreV1().Events(r.ns).List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, e := range events.Items {
			if e.Type == corev1.EventTypeWarning {
				fmt.Fprintf(&b, "event %s %s: %s\n", e.InvolvedObject.Name, e.Reason, e.Message)
			}
		}
	}
	return b.String()
}

func (r *installation) logs(ctx context.Context, pod string) string {
	var lines int64 = 30
	raw, err := r.c.kube.CoreV1().Pods(r.ns).GetLogs(pod, &corev1.PodLogOptions{TailLines: &lines}).DoRaw(ctx)
	if err != nil {
		return ""
	}
	return tail(string(raw), 3000)
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return u.Host
}

func asUser(t *testing.T, raw, user string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	u.User = url.User(user)
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// status is the release as helm status reports it.
func (r *installation) status() (*helmrelease.Release, error) {
	return action.NewStatus(r.helm).Run(r.name)
}

// openOwner connects to the release's database as its owner, from the
// host.
func openOwner(t *testing.T, r *installation) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), r.ownerURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// lockedLog keeps helm's log lines, for diagnose.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", v...)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
