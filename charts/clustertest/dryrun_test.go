package clustertest_test

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"
)

// valueTable is every supported combination the server must accept: the
// defaults, the dev and production examples, the cluster tests' own
// values, and the optional kinds (ServiceMonitor, HTTPRoute, KEDA with
// either Redis mode) that need other projects' CRDs.
var valueTable = []struct {
	name   string
	files  []string
	values string
}{
	{name: "defaults"},
	{name: "dev example", files: []string{"deploy/dev/values.yaml"}},
	{name: "production example", files: []string{"deploy/prod/values.example.yaml"}},
	{name: "cluster tests", files: []string{"charts/clustertest/testdata/values.yaml"}},
	{name: "monitoring, gateway and KEDA", values: `
monitoring: {serviceMonitor: {enabled: true, labels: {release: prometheus}}}
ingress: {enabled: false}
httpRoute: {enabled: true, parentRefs: [{name: public, namespace: gateways}], hostnames: [backdesk.example.com]}
router: {keda: {enabled: true, redis: {passwordSecret: {name: redis-password}}}}`},
	{name: "KEDA on Redis Sentinel, routes both ways", values: `
httpRoute: {enabled: true, parentRefs: [{name: public}]}
router: {keda: {enabled: true, redis: {mode: sentinel, sentinelAddresses: "sentinel-0:26379,sentinel-1:26379",
  passwordSecret: {name: redis-password}, sentinelPasswordSecret: {name: sentinel-password}}}}`},
	{name: "no network policies, no tests, no migrations", values: `
networkPolicy: {enabled: false}
tests: {enabled: false}
migrations: {enabled: false}`},
}

// TestServerAcceptsEveryValueSet renders the chart for each row of the
// table and sends every object, hooks included, to the API server as a
// server-side dry run in a namespace under Pod Security "restricted", with
// strict field validation: any error or any warning (a Pod Security
// violation, an unknown or duplicate field, a deprecated API) fails.
func TestServerAcceptsEveryValueSet(t *testing.T) {
	c := clusterUp(t)
	applyCRDs(t, c)
	ctx := context.Background()
	ns := "backdesk-dryrun-" + randomHex(4)
	_, err := c.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns, Labels: restricted}}, metav1.CreateOptions{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.kube.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	d := newDryRunner(t, c)

	for _, row := range valueTable {
		t.Run(row.name, func(t *testing.T) {
			objs := render(t, c, ns, row.files, row.values)
			kinds := map[string]bool{}
			for _, o := range objs {
				kinds[o.GetKind()] = true
				warnings, err := d.create(ctx, ns, o)
				require.NoError(t, err, "%s %s", o.GetKind(), o.GetName())
				require.Empty(t, warnings, "%s %s: the server warned", o.GetKind(), o.GetName())
			}
			require.True(t, kinds["Deployment"], "the rendering has Deployments")
			t.Logf("%d objects accepted: %v", len(objs), sortedKeys(kinds))
		})
	}

	// The chart refuses at render time what the server refuses (and a
	// sleep as long as the grace period too, which the server lets pass
	// but which leaves the service no time to finish its requests); here
	// the server's own refusal, for a Deployment patched past the chart's
	// check.
	t.Run("the server refuses a preStop sleep longer than the grace period", func(t *testing.T) {
		var dep *unstructured.Unstructured
		for _, o := range render(t, c, ns, nil, "") {
			if o.GetKind() == "Deployment" {
				dep = o
				break
			}
		}
		require.NotNil(t, dep)
		containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
		first := containers[0].(map[string]any)
		require.NoError(t, unstructured.SetNestedField(first, int64(31), "lifecycle", "preStop", "sleep", "seconds"))
		require.NoError(t, unstructured.SetNestedSlice(dep.Object, containers, "spec", "template", "spec", "containers"))
		require.NoError(t, unstructured.SetNestedField(dep.Object, int64(30), "spec", "template", "spec", "terminationGracePeriodSeconds"))
		_, err := d.create(ctx, ns, dep)
		require.ErrorContains(t, err, "less than terminationGracePeriodSeconds (30)")
	})
}

// render renders the chart as helm install into ns would, with values
// files (relative to the repository) and inline YAML on top, and returns
// every object, hooks and tests included.
func render(t *testing.T, c *cluster, ns string, files []string, inline string) []*unstructured.Unstructured {
	t.Helper()
	ch, err := loader.Load(filepath.Join(c.root, "charts", "backdesk"))
	require.NoError(t, err)
	vals := map[string]any{}
	for _, f := range files {
		v, err := chartutil.ReadValuesFile(filepath.Join(c.root, f))
		require.NoError(t, err)
		vals = chartutil.CoalesceTables(v, vals)
	}
	if inline != "" {
		var v map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(inline), &v))
		vals = chartutil.CoalesceTables(v, vals)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = chartutil.KubeVersion{Version: "v1.34.4", Major: "1", Minor: "34"}
	top, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "backdesk", Namespace: ns, Revision: 1, IsInstall: true}, caps)
	require.NoError(t, err)
	out, err := engine.Render(ch, top)
	require.NoError(t, err)
	names := make([]string, 0, len(out))
	for name := range out {
		if strings.HasSuffix(name, ".yaml") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var objs []*unstructured.Unstructured
	for _, name := range names {
		for _, doc := range releaseutil.SplitManifests(out[name]) {
			var m map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(doc), &m), name)
			if len(m) == 0 {
				continue
			}
			objs = append(objs, &unstructured.Unstructured{Object: m})
		}
	}
	return objs
}

// dryRunner creates objects with dryRun=All and strict field validation,
// and reports the warnings the server sent for each.
type dryRunner struct {
	mapper  *restmapper.DeferredDiscoveryRESTMapper
	client  dynamic.Interface
	mu      sync.Mutex
	warning []string
}

func newDryRunner(t *testing.T, c *cluster) *dryRunner {
	t.Helper()
	d := &dryRunner{}
	cfg := rest.CopyConfig(c.rest)
	cfg.WarningHandler = d
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	require.NoError(t, err)
	d.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	d.client, err = dynamic.NewForConfig(cfg)
	require.NoError(t, err)
	return d
}

// HandleWarningHeader collects a warning the server sent.
func (d *dryRunner) HandleWarningHeader(code int, agent, text string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.warning = append(d.warning, text)
}

func (d *dryRunner) create(ctx context.Context, ns string, o *unstructured.Unstructured) ([]string, error) {
	d.mu.Lock()
	d.warning = nil
	d.mu.Unlock()
	gvk := o.GroupVersionKind()
	m, err := d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	o = o.DeepCopy()
	o.SetNamespace(ns)
	_, err = d.client.Resource(m.Resource).Namespace(ns).Create(ctx, o, metav1.CreateOptions{
		DryRun: []string{metav1.DryRunAll}, FieldValidation: "Strict", FieldManager: "backdesk-tests"})
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.warning, err
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
