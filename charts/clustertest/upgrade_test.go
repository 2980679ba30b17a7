package clustertest_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chartutil"
	helmrelease "helm.sh/helm/v3/pkg/release"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// helmTest runs the chart's test hooks, as "helm test" does.
func helmTest(t *testing.T, r *installation) {
	rt := action.NewReleaseTesting(r.helm)
	rt.Namespace, rt.Timeout = r.ns, 3*time.Minute
	rel, err := rt.Run(r.name)
	require.NoError(t, err, "helm test\n%s", r.diagnose())
	ran := 0
	for _, h := range rel.Hooks {
		for _, e := range h.Events {
			if e == helmrelease.HookTest {
				ran++
				require.Equal(t, helmrelease.HookPhaseSucceeded, h.LastRun.Phase, "%s %s", h.Kind, h.Name)
			}
		}
	}
	require.Positive(t, ran, "the chart has test hooks")
}

// upgrades rolls the release to a new image tag while a small load runs,
// then installs a release that can never become ready, then rolls back;
// no request of the load may fail at any point.
func upgrades(t *testing.T, r *installation, lap func(string)) {
	load := startLoad(t, r)

	// A new image tag rolls every Deployment: each new pod must be ready
	// before an old one goes, and an old one keeps serving through its
	// preStop sleep while the Service stops sending it requests.
	good := r.upgrade(t, map[string]any{"image": map[string]any{"tag": "kube-b"}}, 5*time.Minute)
	require.NoError(t, good, "helm upgrade\n%s", r.diagnose())
	deploymentsReady(t, r, "kube-b")
	load.check(t, "the upgrade")
	lap("helm upgrade --wait to a new tag")

	// A release whose pods cannot become ready (their Redis is a closed
	// port) stalls: helm gives up waiting, the old pods keep all the
	// traffic.
	bad := r.upgrade(t, map[string]any{"secrets": map[string]any{"redis": map[string]any{"name": "backdesk-redis-unreachable"}}}, 45*time.Second)
	require.Error(t, bad, "a release that cannot become ready fails helm upgrade --wait")
	load.check(t, "the failed release")
	stalled(t, r)
	rel, err := r.status()
	require.NoError(t, err)
	require.Equal(t, helmrelease.StatusFailed, rel.Info.Status)
	lap("a release that never becomes ready")

	// Rolling back to the good revision brings every Deployment back to
	// it, again without a failed request. The rollback runs no migration:
	// the schema stays at the newer release's, which the older one must
	// accept (migrations only expand; see docs/deploy.md).
	rb := action.NewRollback(r.helm)
	rb.Version, rb.Wait, rb.Timeout = rel.Version-1, true, 5*time.Minute
	require.NoError(t, rb.Run(r.name), "helm rollback\n%s", r.diagnose())
	deploymentsReady(t, r, "kube-b")
	load.stop()
	load.check(t, "the rollback")
	lap("helm rollback --wait")
	rel, err = r.status()
	require.NoError(t, err)
	require.Equal(t, helmrelease.StatusDeployed, rel.Info.Status)
	t.Logf("load during upgrade, failed release and rollback: %d requests, %d failed", load.sent.Load(), load.failed.Load())
}

// upgrade runs helm upgrade --wait with extra values on top of the
// release's.
func (r *installation) upgrade(t *testing.T, extra map[string]any, timeout time.Duration) error {
	t.Helper()
	up := action.NewUpgrade(r.helm)
	up.Namespace, up.Wait, up.Timeout = r.ns, true, timeout
	vals := chartutil.MergeTables(extra, deepCopy(r.values))
	_, err := up.RunWithContext(context.Background(), r.name, r.chart, vals)
	if err == nil {
		r.values = vals
	}
	return err
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}

// load is a few simulated people using the platform through the ingress
// while the release changes under them: an agent reads the work queue, a
// signed-in person reads who they are, a compliance officer reads the
// audit checkpoint. Every request opens a new connection, as requests
// from many browsers would, so each is routed to a ready endpoint.
type load struct {
	sent, failed atomic.Int64
	mu           sync.Mutex
	failures     []string
	cancel       context.CancelFunc
	wg           sync.WaitGroup
}

func startLoad(t *testing.T, r *installation) *load {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel}
	calls := []struct{ path, user string }{
		{"/api/v1/work/queue", "alice"},
		{"/api/v1/me", "bob"},
		{"/api/v1/audit/checkpoint", "carol"},
	}
	client := &http.Client{Timeout: 20 * time.Second}
	for _, c := range calls {
		token := r.token(t, c.user)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", r.publicURL+c.path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				res, err := client.Do(req)
				if ctx.Err() != nil {
					return
				}
				l.sent.Add(1)
				switch {
				case err != nil:
					l.fail(fmt.Sprintf("%s: %v", c.path, err))
				case res.StatusCode != http.StatusOK:
					l.fail(fmt.Sprintf("%s: %d", c.path, res.StatusCode))
				}
				if res != nil {
					res.Body.Close()
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	t.Cleanup(l.stop)
	return l
}

func (l *load) fail(msg string) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, time.Now().Format("15:04:05.000")+" "+msg)
	}
}

func (l *load) stop() {
	l.cancel()
	l.wg.Wait()
}

// check fails the test when any request has failed so far.
func (l *load) check(t *testing.T, during string) {
	t.Helper()
	require.Positive(t, l.sent.Load(), "the load ran")
	l.mu.Lock()
	defer l.mu.Unlock()
	require.Zero(t, l.failed.Load(), "requests failed during %s (of %d): %v", during, l.sent.Load(), l.failures)
}

// stalled checks that every Deployment is stuck half-way: its new pod is
// not ready (so takes no traffic) and all its old pods are still ready.
func stalled(t *testing.T, r *installation) {
	t.Helper()
	ctx := context.Background()
	deps, err := r.c.kube.AppsV1().Deployments(r.ns).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	for _, d := range deps.Items {
		sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
		require.NoError(t, err)
		pods, err := r.c.kube.CoreV1().Pods(r.ns).List(ctx, metav1.ListOptions{LabelSelector: sel.String()})
		require.NoError(t, err)
		ready, notReady := 0, 0
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil {
				continue
			}
			if podReady(&p) {
				ready++
			} else {
				notReady++
			}
		}
		require.Equal(t, int(*d.Spec.Replicas), ready, "%s keeps its old pods ready", d.Name)
		require.Positive(t, notReady, "%s has a new pod that is not ready", d.Name)
	}
}
