package clustertest_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/stretchr/testify/require"
	helmrelease "helm.sh/helm/v3/pkg/release"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestChartOnACluster installs the chart as a platform engineer would on
// day one and then lives with it: the migration hook runs first, every
// pod becomes ready through its own probes, a person signs in and reads a
// work item and finds that read in the audit log, the running pods are
// locked down as the chart says, helm test passes, an upgrade keeps
// serving, a bad release stalls without taking traffic, and a rollback
// brings the good one back.
func TestChartOnACluster(t *testing.T) {
	c := clusterUp(t)
	lap := stopwatch(t)
	images(t, c, "kube-a", "kube-b")
	lap("build, pack and import the images")
	r := newRelease(t, c, "kube-a")
	r.install(t)
	lap("helm install --wait")
	r.ingress.discover(t, r)

	t.Run("the migration hook ran before the services", func(t *testing.T) { migrationsRanFirst(t, r) })
	t.Run("every deployment is ready", func(t *testing.T) { deploymentsReady(t, r, "kube-a") })
	r.seed(t)
	lap("seed the demo practice")
	t.Run("sign in, read a work item, find the read in the audit log", func(t *testing.T) { smoke(t, r) })
	t.Run("running pods are what the chart says", func(t *testing.T) { podsLockedDown(t, r) })
	lap("smoke and pod checks")
	t.Run("helm test", func(t *testing.T) { helmTest(t, r) })
	lap("helm test")
	t.Run("upgrade, a bad release and rollback", func(t *testing.T) { upgrades(t, r, lap) })
}

// stopwatch returns a function that logs how long the step it names took
// since the previous call: the figures docs/deploy.md reports.
func stopwatch(t *testing.T) func(step string) {
	last := time.Now()
	return func(step string) {
		t.Logf("%-40s %5.1fs", step, time.Since(last).Seconds())
		last = time.Now()
	}
}

// migrationsRanFirst checks that the pre-install hook Job succeeded and
// finished before any Deployment was created.
func migrationsRanFirst(t *testing.T, r *installation) {
	rel, err := r.status()
	require.NoError(t, err)
	var job *helmrelease.Hook
	for _, h := range rel.Hooks {
		if h.Kind == "Job" {
			job = h
		}
	}
	require.NotNil(t, job, "the release has a migration Job hook")
	require.Equal(t, helmrelease.HookPhaseSucceeded, job.LastRun.Phase, "the migration Job succeeded")
	deps, err := r.c.kube.AppsV1().Deployments(r.ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, deps.Items, len(serviceNames))
	for _, d := range deps.Items {
		// Kubernetes keeps creation times to the second; the hook's
		// completion is finer, so compare at that grain.
		require.False(t, d.CreationTimestamp.Time.Before(job.LastRun.CompletedAt.Time.Truncate(time.Second)),
			"%s was created at %s, before the migrations finished at %s", d.Name, d.CreationTimestamp, job.LastRun.CompletedAt)
	}
	var applied int
	require.NoError(t, openOwner(t, r).QueryRowContext(context.Background(), `SELECT count(*) FROM schema_migrations`).Scan(&applied))
	require.Positive(t, applied, "the hook applied the migrations")
}

// deploymentsReady checks that every Deployment runs the wanted image
// with all its replicas ready.
func deploymentsReady(t *testing.T, r *installation, tag string) {
	deps, err := r.c.kube.AppsV1().Deployments(r.ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	for _, d := range deps.Items {
		require.Equal(t, *d.Spec.Replicas, d.Status.ReadyReplicas, "%s: ready replicas", d.Name)
		require.Equal(t, *d.Spec.Replicas, d.Status.UpdatedReplicas, "%s: updated replicas", d.Name)
		require.True(t, strings.HasSuffix(d.Spec.Template.Spec.Containers[0].Image, ":"+tag), "%s runs %s", d.Name, d.Spec.Template.Spec.Containers[0].Image)
		require.NotNil(t, d.Spec.Template.Spec.Containers[0].ReadinessProbe, "%s has a readiness probe", d.Name)
	}
}

// smoke signs a person in through the browser flow (the access service,
// in its pod, redeems the code at the identity provider over TLS with the
// CA the chart mounted), has an agent take and read a work item the
// release's router routed, and has a compliance officer find that read.
func smoke(t *testing.T, r *installation) {
	br := r.browser(t)
	// The ingress learns a Service's ready endpoints a moment after the
	// pods report ready: a gateway error (502 to 504) before then is
	// waited out for a minute; any other answer is the test's.
	var res *http.Response
	var err error
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Second) {
		res, err = br.Get(r.publicURL + "/auth/login?return_to=/api/v1/me")
		require.NoError(t, err)
		if res.StatusCode < http.StatusBadGateway || res.StatusCode > http.StatusGatewayTimeout || time.Now().After(deadline) {
			break
		}
		t.Logf("sign-in answered %d; waiting for the ingress to reach the access service", res.StatusCode)
		_ = res.Body.Close()
	}
	body := readAll(t, res)
	require.Equal(t, 200, res.StatusCode, body)
	id := res.Request.URL.Query().Get("authRequestID")
	require.NotEmpty(t, id, "the sign-in reached the identity provider's login page: %s", res.Request.URL)
	res, err = br.PostForm(res.Request.URL.String(), url.Values{"authRequestID": {id}, "user": {"pat"}})
	require.NoError(t, err)
	body = readAll(t, res)
	require.Equal(t, 200, res.StatusCode, body)
	require.Equal(t, "/api/v1/me", res.Request.URL.Path, "the sign-in returns to where it started")
	var me struct {
		Subject     string           `json:"subject"`
		AuthMethod  string           `json:"auth_method"`
		Memberships []map[string]any `json:"memberships"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &me))
	require.Equal(t, "dev-pat", me.Subject)
	require.Equal(t, "session", me.AuthMethod)
	require.Len(t, me.Memberships, 1, "pat belongs to the demo practice")

	// The router in its pod routes the imported work to the agents; an
	// agent takes the next item.
	alice := r.token(t, "alice")
	var started struct {
		ItemID string `json:"item_id"`
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		code, body := r.call(t, "POST", "/api/v1/work/next", alice, nil)
		if code == 200 {
			require.NoError(t, json.Unmarshal([]byte(body), &started))
			break
		}
		require.True(t, time.Now().Before(deadline), "no work reached alice: %d %s\n%s", code, body, r.diagnose())
		time.Sleep(time.Second)
	}
	requestID := "kube-smoke-" + randomHex(6)
	code, body := r.call(t, "GET", "/api/v1/work/items/"+started.ItemID, alice, map[string]string{"X-Request-ID": requestID})
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"patient"`)

	// The read's audit event was committed before the answer: a
	// compliance officer finds it at once.
	carol := r.token(t, "carol")
	code, body = r.call(t, "GET", "/api/v1/audit/events?actor=dev-alice&limit=50", carol, nil)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, requestID, "alice's read is in the audit log")
	require.Contains(t, body, started.ItemID)
}

// browser is an HTTP client with a cookie jar that trusts the run's CA,
// as a person's browser would trust the provider's certificate.
func (r *installation) browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(r.ca.certPEM))
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// token mints an access token for a demo person at the release's issuer.
func (r *installation) token(t *testing.T, user string) string {
	t.Helper()
	access, _, err := r.issuer.Mint(user, devissuer.MintOptions{})
	require.NoError(t, err)
	return access
}

// call sends one API request through the ingress with a bearer token.
func (r *installation) call(t *testing.T, method, path, token string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.publicURL+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	require.NoError(t, err)
	return res.StatusCode, readAll(t, res)
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}
