package charts_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"
)

// TestConsoleIsPackaged checks the web console like any other service and
// what is its own: a Deployment and a Service, its pages routed to it by
// the Ingress and the HTTPRoute, BACKDESK_API_URL pointing at the API it
// calls, no credential it does not need, and an egress rule, for its pods
// alone, to where it calls the API.
func TestConsoleIsPackaged(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			d, ok := rel.deployments["console"]
			require.True(t, ok, "no console Deployment")
			svc, ok := rel.services["console"]
			require.True(t, ok, "no console Service")
			require.Contains(t, d.Spec.Template.Spec.Containers[0].Image, "backdesk-console")

			var paths []string
			for _, p := range value(t, rel.values, "console.paths").([]any) {
				paths = append(paths, p.(string))
			}
			require.Contains(t, paths, "/", "the console's home page is not routed")
			require.Contains(t, paths, "/static", "the console's static files are not routed")
			for _, ing := range rel.ingresses {
				routed := map[string]string{}
				for _, rule := range ing.Spec.Rules {
					for _, p := range rule.HTTP.Paths {
						routed[p.Path] = p.Backend.Service.Name
					}
				}
				for _, p := range paths {
					require.Equal(t, svc.Name, routed[p], "Ingress: %s does not go to the console", p)
				}
			}
			for _, route := range rel.routes {
				routed := map[string]string{}
				for _, rule := range route.Spec.Rules {
					for _, m := range rule.Matches {
						routed[*m.Path.Value] = string(rule.BackendRefs[0].Name)
					}
				}
				for _, p := range paths {
					require.Equal(t, svc.Name, routed[p], "HTTPRoute: %s does not go to the console", p)
				}
			}

			env := d.Spec.Template.Spec.Containers[0].Env
			want := value(t, rel.values, "console.apiURL").(string)
			if want == "" {
				want = value(t, rel.values, "config.publicURL").(string)
			}
			require.Equal(t, want, envValue(env, "BACKDESK_API_URL"))
			require.NotEmpty(t, envValue(env, "BACKDESK_PUBLIC_URL"), "the console builds sign-in links and cookies from it")
			if value(t, rel.values, "config.oidc.recheckInterval") == "" {
				require.Nil(t, envVar(env, "BACKDESK_OIDC_CLIENT_SECRET"), "the console runs no login code exchange, and re-checks no session")
			}
			require.Nil(t, envVar(env, "BACKDESK_AUDIT_SIGNING_KEY"))
			for _, c := range services {
				if c == "console" {
					continue
				}
				other := rel.deployments[c].Spec.Template.Spec.Containers[0].Env
				require.Nil(t, envVar(other, "BACKDESK_API_URL"), "%s calls no API over HTTP", c)
			}

			var apiPorts []int32
			for _, p := range value(t, rel.values, "networkPolicy.egress.api.ports").([]any) {
				apiPorts = append(apiPorts, int32(p.(float64)))
			}
			require.NotEmpty(t, apiPorts)
			ports := egressPorts(t, rel.policies, d.Spec.Template.Labels)
			for _, p := range apiPorts {
				require.Contains(t, ports, p, "the console cannot reach the API on port %d", p)
			}
			var consoleOnly *networkingv1.NetworkPolicy
			for _, np := range rel.policies {
				if np.Name == "backdesk-console-egress" {
					consoleOnly = np
				}
			}
			require.NotNil(t, consoleOnly, "no egress policy of the console's own")
			for _, c := range services {
				if c != "console" {
					require.False(t, selects(t, &consoleOnly.Spec.PodSelector, rel.deployments[c].Spec.Template.Labels),
						"the console's egress rule also applies to %s", c)
				}
			}
			require.False(t, selects(t, &consoleOnly.Spec.PodSelector, rel.jobs[0].Spec.Template.Labels),
				"the console's egress rule also applies to the migration Job")
		})
	}
}

// TestConsoleAPIURL checks that console.apiURL replaces config.publicURL as
// BACKDESK_API_URL and that the schema takes only an http(s) URL there.
func TestConsoleAPIURL(t *testing.T) {
	t.Parallel()
	ch := loadChart(t)

	var vals map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(`console: {apiURL: "https://backdesk.internal.example.com"}`), &vals))
	files, _, err := renderValues(ch, vals)
	require.NoError(t, err)
	require.Contains(t, files["backdesk/templates/console/deployment.yaml"], `value: "https://backdesk.internal.example.com"`)

	for _, bad := range []string{`console: {apiURL: "ftp://backdesk.example.com"}`, `console: {apiURL: "backdesk.example.com"}`} {
		var vals map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(bad), &vals))
		_, _, err := renderValues(ch, vals)
		require.ErrorContains(t, err, "schema", "schema accepted %s", bad)
	}
}

// TestPathClaimedTwiceFailsTheInstall checks that the chart refuses values
// in which two services claim one path, for the Ingress and for the
// HTTPRoute alike, instead of leaving the choice to the controller.
func TestPathClaimedTwiceFailsTheInstall(t *testing.T) {
	t.Parallel()
	ch := loadChart(t)
	routes := []struct {
		name   string
		values string
	}{
		{"ingress", `{}`},
		{"httpRoute", `{ingress: {enabled: false}, httpRoute: {enabled: true, parentRefs: [{name: public}]}}`},
	}
	clashes := []struct {
		name   string
		values string
	}{
		{"a console page given to workqueue", `workqueue: {paths: [/api/v1/work, /queue]}`},
		{"the same prefix with a trailing slash", `access: {paths: [/auth, /static/]}`},
		{"the home page twice", `audit: {paths: [/api/v1/audit, /]}`},
	}
	for _, r := range routes {
		for _, tc := range clashes {
			t.Run(r.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				var vals, clash map[string]any
				require.NoError(t, yaml.Unmarshal([]byte(r.values), &vals))
				require.NoError(t, yaml.Unmarshal([]byte(tc.values), &clash))
				for k, v := range clash {
					vals[k] = v
				}
				_, _, err := renderValues(ch, vals)
				require.ErrorContains(t, err, "each path may go to one service only")
			})
		}
	}
}

// With console.apiInCluster the console calls each API service at its
// Service inside the cluster, by the same path table the Ingress routes
// by, and the NetworkPolicies let console pods, and only them, reach the
// services' pods.
func TestConsoleCanCallTheServicesInsideTheCluster(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "values.yaml")
	require.NoError(t, os.WriteFile(file, []byte("console:\n  apiInCluster: true\n"), 0o600))
	rel := setup(t, file)
	env := rel.deployments["console"].Spec.Template.Spec.Containers[0].Env
	routes := strings.Split(envValue(env, "BACKDESK_API_ROUTES"), ",")
	for _, c := range services {
		if c == "console" {
			continue
		}
		svc := fmt.Sprintf("http://%s-%s.%s.svc:80", releaseName, c, namespace)
		for _, p := range value(t, rel.values, c+".paths").([]any) {
			require.Contains(t, routes, p.(string)+"="+svc)
		}
	}
	require.NotEmpty(t, envValue(env, "BACKDESK_API_URL"), "calls under no path still have somewhere to go")

	consoleOnly, consoleOut := false, false
	for _, np := range rel.policies {
		for _, in := range np.Spec.Ingress {
			for _, from := range in.From {
				if from.PodSelector != nil && from.PodSelector.MatchLabels["app.kubernetes.io/component"] == "console" {
					consoleOnly = true
				}
			}
		}
		if np.Spec.PodSelector.MatchLabels["app.kubernetes.io/component"] == "console" {
			for _, out := range np.Spec.Egress {
				for _, to := range out.To {
					if to.PodSelector != nil {
						consoleOut = true
					}
				}
			}
		}
	}
	require.True(t, consoleOnly, "the services admit console pods")
	require.True(t, consoleOut, "console pods may reach the services' pods")

	def := setup(t, "")
	require.Nil(t, envVar(def.deployments["console"].Spec.Template.Spec.Containers[0].Env, "BACKDESK_API_ROUTES"))
}
