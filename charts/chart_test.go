// Package charts_test renders charts/backdesk with the Helm SDK, for the
// chart's defaults and for the dev and production example values, decodes
// every object strictly into its Kubernetes API type and checks the
// platform's rules: locked-down pods, probes and resources, a disruption
// budget and network policies for every service, routing as designed (each
// path to one service), and migrations as a pre-install/pre-upgrade hook. It
// also checks that every service command is built by skaffold and make.
package charts_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"
)

const (
	chartDir    = "backdesk"
	releaseName = "backdesk"
	namespace   = "backdesk"
)

// services are the chart's long-running components, one Deployment each.
var services = []string{"onboarding", "access", "workqueue", "router", "audit", "console"}

// asynqQueues are the router's queues (router.DefaultWeights).
var asynqQueues = []string{"critical", "system", "claims", "balances", "recare", "treatment", "eligibility"}

// designRoutes is the path table: which service answers each path prefix,
// as the chart's own values.yaml lists it under each service's paths. It is
// the one table of routes: services/internal/catalog's test checks that
// every route a service mounts falls under that service's paths and that
// each path is answered, so a route is added in one place. Browser login
// and sign-out (/auth) stay with access; the web console's pages, the forms
// they post and its static files (/static) are the console's, and so is
// the home page, "/", matched exactly (see exactPaths). Every values file
// must leave the table as it is.
func designRoutes(t *testing.T) map[string]string {
	t.Helper()
	vals := readValues(t, chartDir+"/values.yaml")
	out := map[string]string{}
	for _, c := range services {
		comp, _ := vals[c].(map[string]any)
		paths, _ := comp["paths"].([]any)
		for _, p := range paths {
			key := routeKey(p.(string))
			require.NotContains(t, out, key, "%s is listed under two services", key)
			out[key] = c
		}
	}
	require.NotEmpty(t, out)
	return out
}

// exactPaths are the routed paths matched exactly rather than as prefixes:
// as a prefix, "/" would send every path no service claims (/metrics and
// the probes among them) to the console.
var exactPaths = map[string]bool{"/": true}

// routeKey is the path an Ingress or Gateway actually matches: a trailing
// slash does not make another prefix.
func routeKey(path string) string {
	if path == "/" {
		return path
	}
	return strings.TrimSuffix(path, "/")
}

// valueSets are the values files the chart is rendered with: the chart's own
// defaults, the kind cluster's and the production example.
var valueSets = []struct {
	name string
	file string
}{
	{name: "default"},
	{name: "dev", file: "../deploy/dev/values.yaml"},
	{name: "prod", file: "../deploy/prod/values.example.yaml"},
}

// scaledObject mirrors the fields of KEDA's keda.sh/v1alpha1 ScaledObject
// that the chart sets; KEDA's own Go module is too heavy to import for a
// test, and strict decoding into this mirror still catches a misspelt or
// misplaced field.
type scaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		ScaleTargetRef struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Name       string `json:"name"`
		} `json:"scaleTargetRef"`
		MinReplicaCount *int32 `json:"minReplicaCount"`
		MaxReplicaCount *int32 `json:"maxReplicaCount"`
		PollingInterval *int32 `json:"pollingInterval"`
		CooldownPeriod  *int32 `json:"cooldownPeriod"`
		Triggers        []struct {
			Type              string            `json:"type"`
			Name              string            `json:"name"`
			Metadata          map[string]string `json:"metadata"`
			AuthenticationRef *struct {
				Name string `json:"name"`
			} `json:"authenticationRef"`
		} `json:"triggers"`
	} `json:"spec"`
}

// triggerAuthentication mirrors KEDA's keda.sh/v1alpha1
// TriggerAuthentication the same way.
type triggerAuthentication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		SecretTargetRef []struct {
			Parameter string `json:"parameter"`
			Name      string `json:"name"`
			Key       string `json:"key"`
		} `json:"secretTargetRef"`
	} `json:"spec"`
}

// kinds maps "apiVersion kind" to a fresh typed object to decode into. A kind
// missing here fails the test: every object the chart renders is checked.
var kinds = map[string]func() any{
	"apps/v1 Deployment":                      func() any { return &appsv1.Deployment{} },
	"v1 Service":                              func() any { return &corev1.Service{} },
	"v1 ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"autoscaling/v2 HorizontalPodAutoscaler":  func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"policy/v1 PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"batch/v1 Job":                            func() any { return &batchv1.Job{} },
	"networking.k8s.io/v1 Ingress":            func() any { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1 NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
	"gateway.networking.k8s.io/v1 HTTPRoute":  func() any { return &gatewayv1.HTTPRoute{} },
	"monitoring.coreos.com/v1 ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
	"keda.sh/v1alpha1 ScaledObject":           func() any { return &scaledObject{} },
	"keda.sh/v1alpha1 TriggerAuthentication":  func() any { return &triggerAuthentication{} },
	"v1 Namespace":                            func() any { return &corev1.Namespace{} },
	"v1 Secret":                               func() any { return &corev1.Secret{} },
	"v1 ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1 Pod":                                  func() any { return &corev1.Pod{} },
	"apps/v1 StatefulSet":                     func() any { return &appsv1.StatefulSet{} },
	"networking.k8s.io/v1 IngressClass":       func() any { return &networkingv1.IngressClass{} },
}

// object is one rendered Kubernetes object in its typed form.
type object struct {
	source string // template file it came from
	kind   string
	name   string
	value  any
}

// release is what one rendering of the chart produced, indexed for the
// assertions below.
type release struct {
	objects         []object
	deployments     map[string]*appsv1.Deployment // by component
	services        map[string]*corev1.Service
	pdbs            []*policyv1.PodDisruptionBudget
	hpas            []*autoscalingv2.HorizontalPodAutoscaler
	policies        []*networkingv1.NetworkPolicy
	jobs            []*batchv1.Job
	testPods        []*corev1.Pod // helm test hooks
	serviceAccounts map[string]*corev1.ServiceAccount
	ingresses       []*networkingv1.Ingress
	routes          []*gatewayv1.HTTPRoute
	scaledObjects   []*scaledObject
	values          chartutil.Values
}

// loadChart reads the chart from disk.
func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	require.NoError(t, err)
	return ch
}

// readValues reads a values file; an empty name means no overrides.
func readValues(t *testing.T, file string) map[string]any {
	t.Helper()
	if file == "" {
		return map[string]any{}
	}
	vals, err := chartutil.ReadValuesFile(file)
	require.NoError(t, err)
	return vals
}

// renderValues renders the chart as "helm install" would, schema validation
// included, and returns the rendered files.
func renderValues(ch *chart.Chart, vals map[string]any) (map[string]string, chartutil.Values, error) {
	opts := chartutil.ReleaseOptions{Name: releaseName, Namespace: namespace, Revision: 1, IsInstall: true}
	top, err := chartutil.ToRenderValues(ch, vals, opts, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, nil, err
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		return nil, nil, err
	}
	merged, err := top.Table("Values")
	if err != nil {
		return nil, nil, err
	}
	return files, merged, nil
}

// decodeStrict decodes every YAML document in content into its typed object,
// rejecting unknown and duplicate fields.
func decodeStrict(t *testing.T, source, content string) []object {
	t.Helper()
	var out []object
	docs := releaseutil.SplitManifests(content)
	keys := make([]string, 0, len(docs))
	for k := range docs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		doc := docs[k]
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var head metav1.TypeMeta
		require.NoError(t, yaml.Unmarshal([]byte(doc), &head), "%s: not YAML", source)
		key := head.APIVersion + " " + head.Kind
		newObj, ok := kinds[key]
		require.Truef(t, ok, "%s: unexpected kind %q", source, key)
		obj := newObj()
		require.NoErrorf(t, yaml.UnmarshalStrict([]byte(doc), obj), "%s: %s does not decode strictly", source, key)
		meta, ok := obj.(metav1.Object)
		require.True(t, ok, "%s: %s has no metadata", source, key)
		require.NotEmpty(t, meta.GetName(), "%s: %s has no name", source, key)
		out = append(out, object{source: source, kind: head.Kind, name: meta.GetName(), value: obj})
	}
	return out
}

// stripComments drops comment lines, so that a document holding only
// comments counts as empty.
func stripComments(doc string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// setup renders the chart with one values file and indexes the result.
func setup(t *testing.T, file string) *release {
	t.Helper()
	ch := loadChart(t)
	files, vals, err := renderValues(ch, readValues(t, file))
	require.NoError(t, err)

	rel := &release{
		deployments:     map[string]*appsv1.Deployment{},
		services:        map[string]*corev1.Service{},
		serviceAccounts: map[string]*corev1.ServiceAccount{},
		values:          vals,
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		rel.objects = append(rel.objects, decodeStrict(t, name, files[name])...)
	}
	for _, o := range rel.objects {
		switch v := o.value.(type) {
		case *appsv1.Deployment:
			c := v.Labels["app.kubernetes.io/component"]
			require.NotContains(t, rel.deployments, c, "two Deployments for %s", c)
			rel.deployments[c] = v
		case *corev1.Service:
			rel.services[v.Labels["app.kubernetes.io/component"]] = v
		case *corev1.ServiceAccount:
			rel.serviceAccounts[v.Name] = v
		case *policyv1.PodDisruptionBudget:
			rel.pdbs = append(rel.pdbs, v)
		case *autoscalingv2.HorizontalPodAutoscaler:
			rel.hpas = append(rel.hpas, v)
		case *networkingv1.NetworkPolicy:
			rel.policies = append(rel.policies, v)
		case *batchv1.Job:
			rel.jobs = append(rel.jobs, v)
		case *corev1.Pod:
			rel.testPods = append(rel.testPods, v)
		case *networkingv1.Ingress:
			rel.ingresses = append(rel.ingresses, v)
		case *gatewayv1.HTTPRoute:
			rel.routes = append(rel.routes, v)
		case *scaledObject:
			rel.scaledObjects = append(rel.scaledObjects, v)
		}
	}
	return rel
}

// workload is a pod template with the name of the object that owns it.
type workload struct {
	name string
	pod  corev1.PodTemplateSpec
}

// workloads lists every pod template of the release: the services', the
// migration Job's and the helm test pod's.
func (r *release) workloads() []workload {
	var out []workload
	for _, c := range services {
		if d, ok := r.deployments[c]; ok {
			out = append(out, workload{name: "Deployment/" + d.Name, pod: d.Spec.Template})
		}
	}
	for _, j := range r.jobs {
		out = append(out, workload{name: "Job/" + j.Name, pod: j.Spec.Template})
	}
	for _, p := range r.testPods {
		out = append(out, workload{name: "Pod/" + p.Name, pod: corev1.PodTemplateSpec{ObjectMeta: p.ObjectMeta, Spec: p.Spec}})
	}
	return out
}

// selects reports whether a non-empty label selector matches podLabels.
func selects(t *testing.T, sel *metav1.LabelSelector, podLabels map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	require.NoError(t, err)
	return !s.Empty() && s.Matches(labels.Set(podLabels))
}

// value reads one merged value by its dotted path.
func value(t *testing.T, vals chartutil.Values, path string) any {
	t.Helper()
	v, err := vals.PathValue(path)
	require.NoError(t, err, path)
	return v
}

// TestRenderDecodesStrictly renders every values set and decodes each object
// into its Kubernetes API type; a field the API does not know fails.
func TestRenderDecodesStrictly(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			require.Len(t, rel.deployments, len(services), "one Deployment per service")
			for _, c := range services {
				require.Contains(t, rel.deployments, c)
				require.Contains(t, rel.services, c)
			}
			require.Len(t, rel.jobs, 1, "exactly one migration Job")
			for _, o := range rel.objects {
				meta := o.value.(metav1.Object)
				require.Equal(t, namespace, meta.GetNamespace(), "%s %s: namespace", o.kind, o.name)
				require.Equal(t, releaseName, meta.GetLabels()["app.kubernetes.io/instance"], "%s %s: instance label", o.kind, o.name)
			}
		})
	}
}

// TestWorkloadsAreLockedDown checks every pod the chart runs: not root, a
// read-only root filesystem, no capabilities, no privilege escalation,
// RuntimeDefault seccomp, no service-account token, resources bounded.
func TestWorkloadsAreLockedDown(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			wls := rel.workloads()
			require.Len(t, wls, len(services)+2, "the services, the migration Job and the helm test pod")
			for _, w := range wls {
				spec := w.pod.Spec
				require.NotNil(t, spec.AutomountServiceAccountToken, w.name)
				require.False(t, *spec.AutomountServiceAccountToken, "%s mounts a service-account token", w.name)
				require.NotNil(t, spec.SecurityContext, w.name)
				require.NotNil(t, spec.SecurityContext.RunAsNonRoot, w.name)
				require.True(t, *spec.SecurityContext.RunAsNonRoot, "%s: pod may run as root", w.name)
				require.NotNil(t, spec.SecurityContext.RunAsUser, w.name)
				require.NotZero(t, *spec.SecurityContext.RunAsUser, "%s: runs as UID 0", w.name)
				require.Empty(t, spec.InitContainers, "%s: init containers are not expected", w.name)
				require.False(t, spec.HostNetwork || spec.HostPID || spec.HostIPC, "%s shares a host namespace", w.name)
				require.NotEmpty(t, spec.Containers, w.name)
				for _, c := range spec.Containers {
					name := w.name + "/" + c.Name
					sc := c.SecurityContext
					require.NotNil(t, sc, name)
					require.NotNil(t, sc.ReadOnlyRootFilesystem, name)
					require.True(t, *sc.ReadOnlyRootFilesystem, "%s: writable root filesystem", name)
					require.NotNil(t, sc.AllowPrivilegeEscalation, name)
					require.False(t, *sc.AllowPrivilegeEscalation, "%s: privilege escalation allowed", name)
					require.NotNil(t, sc.RunAsNonRoot, name)
					require.True(t, *sc.RunAsNonRoot, "%s: may run as root", name)
					require.NotNil(t, sc.Capabilities, name)
					require.Contains(t, sc.Capabilities.Drop, corev1.Capability("ALL"), "%s: capabilities not dropped", name)
					require.Empty(t, sc.Capabilities.Add, "%s adds capabilities", name)
					seccomp := sc.SeccompProfile
					if seccomp == nil {
						seccomp = spec.SecurityContext.SeccompProfile
					}
					require.NotNil(t, seccomp, "%s: no seccomp profile", name)
					require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, seccomp.Type, name)

					for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
						req, hasReq := c.Resources.Requests[res]
						lim, hasLim := c.Resources.Limits[res]
						require.True(t, hasReq && !req.IsZero(), "%s: no %s request", name, res)
						require.True(t, hasLim && !lim.IsZero(), "%s: no %s limit", name, res)
						require.LessOrEqual(t, req.Cmp(lim), 0, "%s: %s request above its limit", name, res)
					}
					require.NotEmpty(t, c.Image, name)
					require.False(t, strings.HasSuffix(c.Image, ":latest"), "%s uses a mutable :latest image", name)
				}
			}
		})
	}
}

// TestServicesAreProbedAndSpread checks the long-running services: liveness
// on /healthz, readiness on /readyz, both on the port the Service targets,
// BACKDESK_ADDR on that same port, and pods spread across nodes.
func TestServicesAreProbedAndSpread(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			for _, c := range services {
				d := rel.deployments[c]
				require.NotNil(t, d, c)
				spec := d.Spec.Template.Spec
				require.Len(t, spec.Containers, 1, c)
				ctr := spec.Containers[0]
				require.NotNil(t, ctr.LivenessProbe, "%s: no liveness probe", c)
				require.NotNil(t, ctr.LivenessProbe.HTTPGet, c)
				require.Equal(t, "/healthz", ctr.LivenessProbe.HTTPGet.Path, c)
				require.NotNil(t, ctr.ReadinessProbe, "%s: no readiness probe", c)
				require.NotNil(t, ctr.ReadinessProbe.HTTPGet, c)
				require.Equal(t, "/readyz", ctr.ReadinessProbe.HTTPGet.Path, c)

				require.Len(t, ctr.Ports, 1, c)
				port := ctr.Ports[0]
				require.Equal(t, "http", port.Name, c)
				require.Equal(t, "http", ctr.LivenessProbe.HTTPGet.Port.String(), c)
				require.Equal(t, "http", ctr.ReadinessProbe.HTTPGet.Port.String(), c)
				addr := envValue(ctr.Env, "BACKDESK_ADDR")
				require.Equal(t, fmt.Sprintf(":%d", port.ContainerPort), addr, "%s listens where the probes look", c)

				svc := rel.services[c]
				require.NotNil(t, svc, c)
				require.Equal(t, "http", svc.Spec.Ports[0].TargetPort.String(), c)
				require.True(t, selects(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, d.Spec.Template.Labels), "%s: Service does not select its pods", c)
				require.True(t, selects(t, d.Spec.Selector, d.Spec.Template.Labels), "%s: Deployment selector misses its pods", c)

				require.NotEmpty(t, spec.TopologySpreadConstraints, "%s: pods are not spread", c)
				for _, tsc := range spec.TopologySpreadConstraints {
					require.True(t, selects(t, tsc.LabelSelector, d.Spec.Template.Labels), "%s: spread constraint counts other pods", c)
				}
				require.GreaterOrEqual(t, *spec.TerminationGracePeriodSeconds, int64(15), "%s: no time for a 10 s graceful shutdown", c)
			}
		})
	}
}

// envValue returns the literal value of an environment variable, or "".
func envValue(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

// envVar finds an environment variable by name.
func envVar(env []corev1.EnvVar, name string) *corev1.EnvVar {
	for i := range env {
		if env[i].Name == name {
			return &env[i]
		}
	}
	return nil
}

// TestEveryServiceHasDisruptionBudgetAndPolicy checks that each service is
// covered by a PodDisruptionBudget, sits behind the default-deny policy, and
// is reachable only through an allow rule on its HTTP port.
func TestEveryServiceHasDisruptionBudgetAndPolicy(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			for _, c := range services {
				d := rel.deployments[c]
				podLabels := d.Spec.Template.Labels

				var budgets int
				for _, pdb := range rel.pdbs {
					if selects(t, pdb.Spec.Selector, podLabels) {
						budgets++
						require.True(t, pdb.Spec.MaxUnavailable != nil || pdb.Spec.MinAvailable != nil, "%s: empty PDB", c)
					}
				}
				require.Equal(t, 1, budgets, "%s: want exactly one PodDisruptionBudget", c)

				var denyIn, denyOut, allowIn, egress bool
				for _, np := range rel.policies {
					if !selects(t, &np.Spec.PodSelector, podLabels) {
						continue
					}
					types := map[networkingv1.PolicyType]bool{}
					for _, pt := range np.Spec.PolicyTypes {
						types[pt] = true
					}
					if types[networkingv1.PolicyTypeIngress] && len(np.Spec.Ingress) == 0 {
						denyIn = true
					}
					if types[networkingv1.PolicyTypeEgress] && len(np.Spec.Egress) == 0 {
						denyOut = true
					}
					for _, rule := range np.Spec.Ingress {
						require.NotEmpty(t, rule.From, "%s: policy %s admits every source", c, np.Name)
						for _, p := range rule.Ports {
							require.NotNil(t, p.Port, "%s: policy %s opens every port", c, np.Name)
							require.Equal(t, "http", p.Port.String(), "%s: policy %s opens a port other than http", c, np.Name)
							allowIn = true
						}
					}
					if len(np.Spec.Egress) > 0 {
						egress = true
					}
				}
				require.True(t, denyIn, "%s: no default-deny ingress policy", c)
				require.True(t, denyOut, "%s: no default-deny egress policy", c)
				require.True(t, allowIn, "%s: nothing may reach it", c)
				require.True(t, egress, "%s: may reach nothing", c)

				ports := egressPorts(t, rel.policies, podLabels)
				for _, p := range []int32{53, 5432, 6379} {
					require.Contains(t, ports, p, "%s: egress to port %d is blocked", c, p)
				}
			}

			// The migration Job reaches DNS and PostgreSQL, and nothing may
			// connect to it.
			job := rel.jobs[0]
			ports := egressPorts(t, rel.policies, job.Spec.Template.Labels)
			require.Contains(t, ports, int32(53))
			require.Contains(t, ports, int32(5432))
			for _, np := range rel.policies {
				if selects(t, &np.Spec.PodSelector, job.Spec.Template.Labels) {
					require.Empty(t, np.Spec.Ingress, "policy %s lets traffic into the migration Job", np.Name)
				}
			}
		})
	}
}

// egressPorts lists the ports the policies selecting podLabels allow out.
func egressPorts(t *testing.T, policies []*networkingv1.NetworkPolicy, podLabels map[string]string) []int32 {
	t.Helper()
	var ports []int32
	for _, np := range policies {
		if !selects(t, &np.Spec.PodSelector, podLabels) {
			continue
		}
		for _, rule := range np.Spec.Egress {
			for _, p := range rule.Ports {
				if p.Port != nil {
					ports = append(ports, p.Port.IntVal)
				}
			}
		}
	}
	return ports
}

// TestRoutesFollowDesign checks that the Ingress (and the HTTPRoute, where
// the production example uses one) sends every path of the path table
// to the service that owns it, and nothing else: each path to one service
// only, as a prefix except the exact paths.
func TestRoutesFollowDesign(t *testing.T) {
	t.Parallel()
	want := designRoutes(t)
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			owner := map[string]string{} // Service name -> component
			for c, svc := range rel.services {
				owner[svc.Name] = c
			}
			require.NotEmpty(t, len(rel.ingresses)+len(rel.routes), "no Ingress and no HTTPRoute")
			for _, ing := range rel.ingresses {
				got := map[string]string{}
				for _, rule := range ing.Spec.Rules {
					require.NotEmpty(t, rule.Host, "Ingress rule without a host")
					for _, p := range rule.HTTP.Paths {
						require.NotNil(t, p.PathType)
						want := networkingv1.PathTypePrefix
						if exactPaths[p.Path] {
							want = networkingv1.PathTypeExact
						}
						require.Equal(t, want, *p.PathType, p.Path)
						require.Equal(t, "http", p.Backend.Service.Port.Name, p.Path)
						key := routeKey(p.Path)
						require.NotContains(t, got, key, "path %s routed twice", p.Path)
						got[key] = owner[p.Backend.Service.Name]
					}
				}
				require.Equal(t, want, got)
			}
			for _, route := range rel.routes {
				got := map[string]string{}
				require.NotEmpty(t, route.Spec.ParentRefs)
				for _, rule := range route.Spec.Rules {
					require.Len(t, rule.BackendRefs, 1)
					backend := rule.BackendRefs[0]
					svc := rel.services[owner[string(backend.Name)]]
					require.NotNil(t, svc, "route to unknown Service %s", backend.Name)
					require.NotNil(t, backend.Port)
					require.Equal(t, svc.Spec.Ports[0].Port, int32(*backend.Port))
					for _, m := range rule.Matches {
						require.NotNil(t, m.Path)
						path := *m.Path.Value
						want := gatewayv1.PathMatchPathPrefix
						if exactPaths[path] {
							want = gatewayv1.PathMatchExact
						}
						require.Equal(t, want, *m.Path.Type, path)
						key := routeKey(path)
						require.NotContains(t, got, key, "path %s routed twice", path)
						got[key] = owner[string(backend.Name)]
					}
				}
				require.Equal(t, want, got)
			}
		})
	}
}

// TestMigrationJobRunsBeforeInstallAndUpgrade checks the migration Job: a
// pre-install and pre-upgrade hook that runs "backdeskctl migrate" with the
// owner role's URL, never the application role's.
func TestMigrationJobRunsBeforeInstallAndUpgrade(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			require.Len(t, rel.jobs, 1)
			job := rel.jobs[0]
			require.Equal(t, "pre-install,pre-upgrade", job.Annotations["helm.sh/hook"])
			require.Contains(t, job.Annotations["helm.sh/hook-delete-policy"], "before-hook-creation")
			require.Equal(t, corev1.RestartPolicyNever, job.Spec.Template.Spec.RestartPolicy)
			require.NotNil(t, job.Spec.ActiveDeadlineSeconds, "a stuck migration would hold the release forever")

			ctr := job.Spec.Template.Spec.Containers[0]
			require.Equal(t, []string{"migrate"}, ctr.Args)
			require.Contains(t, ctr.Image, "backdesk-ctl")
			db := envVar(ctr.Env, "BACKDESK_DATABASE_URL")
			require.NotNil(t, db)
			require.NotNil(t, db.ValueFrom)
			require.NotNil(t, db.ValueFrom.SecretKeyRef)
			owner := value(t, rel.values, "migrations.databaseSecret.name")
			app := value(t, rel.values, "secrets.database.name")
			require.Equal(t, owner, db.ValueFrom.SecretKeyRef.Name)
			require.NotEqual(t, app, db.ValueFrom.SecretKeyRef.Name, "migrations must run as the owner role, not the application role")
			require.Nil(t, envVar(ctr.Env, "BACKDESK_REDIS_URL"), "migrations need no Redis")

			// Its ServiceAccount exists before it does.
			saName := job.Spec.Template.Spec.ServiceAccountName
			sa, ok := rel.serviceAccounts[saName]
			require.True(t, ok, "Job uses ServiceAccount %q the chart does not create", saName)
			require.Equal(t, "pre-install,pre-upgrade", sa.Annotations["helm.sh/hook"])
			require.Less(t, hookWeight(t, sa.Annotations), hookWeight(t, job.Annotations), "ServiceAccount must be created before the Job")
			// Hooks are not part of the release: whatever a hook leaves
			// behind, helm uninstall leaves behind too.
			for _, a := range []map[string]string{sa.Annotations, job.Annotations} {
				require.Contains(t, a["helm.sh/hook-delete-policy"], "hook-succeeded")
			}
		})
	}
}

// hookWeight reads a Helm hook's weight annotation.
func hookWeight(t *testing.T, ann map[string]string) int {
	t.Helper()
	var w int
	_, err := fmt.Sscan(ann["helm.sh/hook-weight"], &w)
	require.NoError(t, err)
	return w
}

// TestSecretsAreReferencedByName checks that the chart renders no Secret and
// that every credential reaches the containers through a secretKeyRef.
func TestSecretsAreReferencedByName(t *testing.T) {
	t.Parallel()
	secretVars := map[string]bool{
		"BACKDESK_DATABASE_URL":       true,
		"BACKDESK_REDIS_URL":          true,
		"BACKDESK_OIDC_CLIENT_SECRET": true,
		"BACKDESK_AUDIT_SIGNING_KEY":  true,
	}
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			for _, o := range rel.objects {
				require.NotEqual(t, "Secret", o.kind, "%s renders Secret %s", o.source, o.name)
				require.NotEqual(t, "ConfigMap", o.kind, "%s renders ConfigMap %s", o.source, o.name)
			}
			for _, w := range rel.workloads() {
				for _, c := range w.pod.Spec.Containers {
					for _, e := range c.Env {
						if !secretVars[e.Name] {
							continue
						}
						require.Empty(t, e.Value, "%s: %s is inlined", w.name, e.Name)
						require.NotNil(t, e.ValueFrom, "%s: %s", w.name, e.Name)
						require.NotNil(t, e.ValueFrom.SecretKeyRef, "%s: %s does not come from a Secret", w.name, e.Name)
					}
				}
			}
			for _, c := range services {
				env := rel.deployments[c].Spec.Template.Spec.Containers[0].Env
				require.NotNil(t, envVar(env, "BACKDESK_DATABASE_URL"), c)
				require.NotNil(t, envVar(env, "BACKDESK_REDIS_URL"), c)
			}
			// Only the services that need a credential get it: the client
			// secret goes to access, and to the others that read browser
			// sessions only when they re-check them (TestScopesReachEveryService).
			access := rel.deployments["access"].Spec.Template.Spec.Containers[0].Env
			require.NotNil(t, envVar(access, "BACKDESK_OIDC_CLIENT_SECRET"))
			onboarding := rel.deployments["onboarding"].Spec.Template.Spec.Containers[0].Env
			if value(t, rel.values, "config.oidc.recheckInterval") == "" {
				require.Nil(t, envVar(onboarding, "BACKDESK_OIDC_CLIENT_SECRET"))
			}
			require.Nil(t, envVar(onboarding, "BACKDESK_AUDIT_SIGNING_KEY"))
			router := rel.deployments["router"].Spec.Template.Spec.Containers[0].Env
			require.NotNil(t, envVar(router, "BACKDESK_AUDIT_SIGNING_KEY"))
			audit := rel.deployments["audit"].Spec.Template.Spec.Containers[0].Env
			require.Nil(t, envVar(audit, "BACKDESK_AUDIT_SIGNING_KEY"), "audit checks checkpoints with the public key only")
		})
	}
}

// TestReplicasAreOwnedOnce checks that a Deployment leaves its replica count
// to an autoscaler when one exists, that each autoscaler targets a real
// Deployment, and that the router's KEDA ScaledObject (on in the production
// example) replaces its CPU autoscaler and watches every asynq queue.
func TestReplicasAreOwnedOnce(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			scaled := map[string]bool{} // Deployment names with an autoscaler
			for _, h := range rel.hpas {
				require.Equal(t, "Deployment", h.Spec.ScaleTargetRef.Kind)
				require.False(t, scaled[h.Spec.ScaleTargetRef.Name], "two autoscalers for %s", h.Spec.ScaleTargetRef.Name)
				scaled[h.Spec.ScaleTargetRef.Name] = true
				require.NotNil(t, h.Spec.MinReplicas)
				require.LessOrEqual(t, *h.Spec.MinReplicas, h.Spec.MaxReplicas)
			}
			for _, so := range rel.scaledObjects {
				target := so.Spec.ScaleTargetRef.Name
				require.False(t, scaled[target], "%s has both an HPA and a ScaledObject", target)
				scaled[target] = true
				require.Equal(t, rel.deployments["router"].Name, target, "only the router scales on queue depth")
				var lists []string
				for _, tr := range so.Spec.Triggers {
					require.Contains(t, []string{"redis", "redis-sentinel"}, tr.Type)
					lists = append(lists, tr.Metadata["listName"])
					require.NotEmpty(t, tr.Metadata["listLength"])
				}
				var want []string
				for _, q := range asynqQueues {
					want = append(want, "asynq:{"+q+"}:pending")
				}
				require.ElementsMatch(t, want, lists)
			}
			for c, d := range rel.deployments {
				if scaled[d.Name] {
					require.Nil(t, d.Spec.Replicas, "%s: replicas fights its autoscaler", c)
				} else {
					require.NotNil(t, d.Spec.Replicas, "%s: no replica count and no autoscaler", c)
				}
			}
		})
	}

	t.Run("prod uses KEDA for the router", func(t *testing.T) {
		t.Parallel()
		rel := setup(t, "../deploy/prod/values.example.yaml")
		require.Len(t, rel.scaledObjects, 1)
		so := rel.scaledObjects[0]
		for _, tr := range so.Spec.Triggers {
			require.Equal(t, "redis-sentinel", tr.Type)
			require.NotEmpty(t, tr.Metadata["addresses"])
			require.NotNil(t, tr.AuthenticationRef, "Redis password not passed to KEDA")
		}
	})
}

// TestSchemaRejectsUnknownKeys checks that values.schema.json turns typos and
// out-of-range values into errors, at the top level and deep inside.
func TestSchemaRejectsUnknownKeys(t *testing.T) {
	t.Parallel()
	ch := loadChart(t)
	bad := []struct {
		name   string
		values string
	}{
		{"unknown top-level key", `replica: 3`},
		{"unknown component key", `onboarding: {replica: 3}`},
		{"unknown nested key", `router: {keda: {enable: true}}`},
		{"misspelt egress target", `networkPolicy: {egress: {databse: {to: [], ports: [5432]}}}`},
		{"unknown key in a peer", `networkPolicy: {ingress: {from: [{namespace: x}]}}`},
		{"role that does not exist", `config: {oidc: {roleMap: {admins: superuser}}}`},
		{"log level that does not exist", `config: {logLevel: verbose}`},
		{"root user", `securityContext: {runAsUser: 0}`},
		{"resources without limits", `audit: {resources: {requests: {cpu: 100m, memory: 64Mi}, limits: null}}`},
		{"path without a slash", `audit: {paths: [compliance]}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var vals map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.values), &vals))
			_, _, err := renderValues(ch, vals)
			require.ErrorContains(t, err, "schema", "schema accepted %s", tc.values)
		})
	}

	// What the API server refuses although each value is in range on its
	// own; the cluster tests (charts/clustertest) show the server's refusal.
	refused := []struct{ name, values, want string }{
		{"preStop sleep as long as the grace period", `{preStopSleepSeconds: 30, terminationGracePeriodSeconds: 30}`,
			"preStopSleepSeconds (30) must be less than terminationGracePeriodSeconds (30)"},
		{"preStop sleep longer than the grace period", `{preStopSleepSeconds: 45}`,
			"preStopSleepSeconds (45) must be less than terminationGracePeriodSeconds (30)"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var vals map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.values), &vals))
			_, _, err := renderValues(ch, vals)
			require.ErrorContains(t, err, tc.want)
		})
	}

	t.Run("a known key is accepted", func(t *testing.T) {
		t.Parallel()
		var vals map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(`onboarding: {replicas: 3, autoscaling: {enabled: false}}`), &vals))
		files, _, err := renderValues(ch, vals)
		require.NoError(t, err)
		require.Contains(t, files["backdesk/templates/onboarding/deployment.yaml"], "replicas: 3")
	})
}

// TestImageReferences checks how a component's image reference is built,
// including the "tag@digest" form skaffold passes and the bare "tag@" it
// passes for images loaded straight into a kind node.
func TestImageReferences(t *testing.T) {
	t.Parallel()
	ch := loadChart(t)
	cases := []struct {
		name   string
		values string
		want   string
	}{
		{"defaults", `{}`, "ghcr.io/backdesk/backdesk-audit:0.1.0"},
		{"global tag", `image: {tag: "1.2.3"}`, "ghcr.io/backdesk/backdesk-audit:1.2.3"},
		{"no registry", `image: {registry: ""}`, "backdesk-audit:0.1.0"},
		{"own repository", `audit: {image: {repository: reg.example/audit, tag: v2}}`, "reg.example/audit:v2"},
		{"digest", `audit: {image: {digest: "sha256:` + strings.Repeat("a", 64) + `"}}`, "ghcr.io/backdesk/backdesk-audit:0.1.0@sha256:" + strings.Repeat("a", 64)},
		{"skaffold tag@digest", `audit: {image: {repository: backdesk-audit, tag: "abc123@sha256:` + strings.Repeat("b", 64) + `"}}`, "backdesk-audit:abc123@sha256:" + strings.Repeat("b", 64)},
		{"skaffold tag without digest", `audit: {image: {repository: backdesk-audit, tag: "abc123@"}}`, "backdesk-audit:abc123"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var vals map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.values), &vals))
			files, _, err := renderValues(ch, vals)
			require.NoError(t, err)
			objs := decodeStrict(t, "audit/deployment.yaml", files["backdesk/templates/audit/deployment.yaml"])
			require.Len(t, objs, 1)
			d := objs[0].value.(*appsv1.Deployment)
			require.Equal(t, tc.want, d.Spec.Template.Spec.Containers[0].Image)
		})
	}
}

// TestLint runs helm lint, as "helm lint --values" would, for every values
// set; warnings count as failures.
func TestLint(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			linter := lint.AllWithKubeVersion(chartDir, readValues(t, set.file), namespace, nil)
			var problems []string
			for _, m := range linter.Messages {
				if m.Severity >= support.WarningSev {
					problems = append(problems, m.Error())
				}
			}
			require.Empty(t, problems)
		})
	}
}

// TestValuesAreDocumented checks that every key in values.yaml has a "# --"
// comment and a row in the chart README's values table.
func TestValuesAreDocumented(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(chartDir, "values.yaml"))
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(chartDir, "README.md"))
	require.NoError(t, err)

	var vals map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &vals))
	keys := leafKeys("", vals)
	require.NotEmpty(t, keys)
	documented := documentedKeys(t, raw)
	for _, k := range keys {
		require.Contains(t, documented, k, "values.yaml: %s has no \"# --\" comment", k)
		require.Contains(t, string(readme), "| `"+k+"` |", "README.md: no row for %s", k)
	}
}

// leafKeys lists the dotted paths of a values tree down to scalars, lists and
// empty maps.
func leafKeys(prefix string, v any) []string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 || (prefix != "" && isFreeForm(prefix)) {
		return []string{prefix}
	}
	var out []string
	for k, child := range m {
		p := k
		if prefix != "" {
			p = prefix + "." + k
		}
		out = append(out, leafKeys(p, child)...)
	}
	sort.Strings(out)
	return out
}

// isFreeForm reports the values that are maps of the user's own keys, which
// are documented as a whole.
func isFreeForm(path string) bool {
	last := path[strings.LastIndex(path, ".")+1:]
	switch last {
	case "resources", "roleMap", "resourceAttributes", "labels", "annotations", "podAnnotations", "podLabels", "nodeSelector", "affinity", "commonLabels":
		return true
	}
	return false
}

// documentedKeys reads values.yaml line by line and returns the dotted path
// of every key preceded by a "# --" comment.
func documentedKeys(t *testing.T, raw []byte) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	var stack []string // keys by indentation level (two spaces each)
	pending := false
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "# --") {
			pending = true
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, "-") {
			continue
		}
		indent := (len(line) - len(strings.TrimLeft(line, " "))) / 2
		key, _, ok := strings.Cut(trimmed, ":")
		if !ok {
			continue
		}
		if indent > len(stack) {
			pending = false
			continue // inside a documented map's own content
		}
		stack = append(stack[:indent], key)
		if pending {
			out[strings.Join(stack, ".")] = true
		}
		pending = false
	}
	require.NoError(t, sc.Err())
	return out
}

// TestDevManifestsDecodeStrictly decodes the dev cluster's dependency
// manifests the same way, so a typo there fails here rather than in
// "skaffold dev".
func TestDevManifestsDecodeStrictly(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../deploy/dev/*.yaml")
	require.NoError(t, err)
	var decoded int
	for _, f := range files {
		if filepath.Base(f) == "values.yaml" {
			continue
		}
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		objs := decodeStrict(t, f, string(raw))
		require.NotEmpty(t, objs, f)
		decoded += len(objs)
	}
	require.NotZero(t, decoded)
}

// TestDashboardIsValid checks that the Grafana dashboard parses and charts
// queue depth, routing latency, audit write latency and error rates.
func TestDashboardIsValid(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../deploy/grafana/backdesk.json")
	require.NoError(t, err)
	var dash struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &dash))
	require.NotEmpty(t, dash.UID)
	var exprs []string
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			require.NotEmpty(t, tg.Expr, "panel %q has an empty query", p.Title)
			exprs = append(exprs, tg.Expr)
		}
	}
	all := strings.Join(exprs, "\n")
	for _, metric := range []string{
		"asynq_queue_size",
		"backdesk_routing_latency_seconds_bucket",
		"backdesk_audit_write_seconds_bucket",
		"backdesk_http_server_duration_seconds_count",
	} {
		require.Contains(t, all, metric)
	}
	require.Contains(t, all, `status=~"5..`, "no error-rate query")
}

// The scopes the sign-in asks for reach every service: the default asks
// for openid, profile and email; the dev values, for Dex, add groups,
// without which Dex signs everyone in with no roles, and offline_access,
// for the refresh tokens that session re-checks redeem. Where re-checks
// are on, every service that sees browser sessions has the interval and
// the client secret; the router has neither.
func TestScopesReachEveryService(t *testing.T) {
	t.Parallel()
	want := map[string]string{"default": "openid profile email", "dev": "openid profile email groups offline_access", "prod": "openid profile email groups"}
	recheck := map[string]string{"dev": "10m"}
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			for _, c := range services {
				d := rel.deployments[c]
				require.NotNil(t, d, c)
				env := d.Spec.Template.Spec.Containers[0].Env
				require.Equal(t, want[set.name], envValue(env, "BACKDESK_OIDC_SCOPES"), c)
				if c == "router" {
					require.Nil(t, envVar(env, "BACKDESK_OIDC_RECHECK_INTERVAL"), c)
					require.Nil(t, envVar(env, "BACKDESK_OIDC_CLIENT_SECRET"), c)
					continue
				}
				require.Equal(t, recheck[set.name], envValue(env, "BACKDESK_OIDC_RECHECK_INTERVAL"), c)
				if recheck[set.name] != "" || c == "access" {
					require.NotNil(t, envVar(env, "BACKDESK_OIDC_CLIENT_SECRET"), c)
				} else {
					require.Nil(t, envVar(env, "BACKDESK_OIDC_CLIENT_SECRET"), c)
				}
			}
		})
	}
}
