package charts_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHelmTestProbesEveryService checks the helm test hook: one pod that
// runs "backdeskctl probe" on every service's /readyz through its Service,
// and NetworkPolicies that exist only as test hooks, so the release's own
// policies never admit the test pod outside "helm test".
func TestHelmTestProbesEveryService(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			require.Len(t, rel.testPods, 1)
			pod := rel.testPods[0]
			require.Equal(t, "test", pod.Annotations["helm.sh/hook"])
			require.Contains(t, pod.Spec.Containers[0].Image, "backdesk-ctl")
			var want []string
			for _, c := range services {
				want = append(want, fmt.Sprintf("http://%s:%d/readyz", rel.services[c].Name, rel.services[c].Spec.Ports[0].Port))
			}
			require.Equal(t, append([]string{"probe"}, want...), pod.Spec.Containers[0].Args)
			hooks := 0
			for _, p := range rel.policies {
				if p.Labels["app.kubernetes.io/component"] == "test" {
					hooks++
					require.Equal(t, "test", p.Annotations["helm.sh/hook"], "%s is a test hook", p.Name)
				}
			}
			if value(t, rel.values, "networkPolicy.enabled") == true {
				require.Equal(t, 2, hooks, "one policy admits the test pod, one lets it out")
			}
		})
	}
}
