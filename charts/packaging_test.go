package charts_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// notDeployed are the commands under services/ that are no Deployment of
// the chart: the all-in-one dev binary, and the operator CLI, whose image
// only runs the migration Job.
var notDeployed = map[string]bool{"devstack": true, "ctl": true}

// TestEveryServiceIsPackaged checks that each service command under
// services/*/cmd is built and deployed everywhere a service is listed: a
// component of the chart, an image in skaffold.yaml with the image
// values skaffold sets for it, and a binary of "make build".
func TestEveryServiceIsPackaged(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("../services/*/cmd")
	require.NoError(t, err)
	var cmds []string
	for _, d := range dirs {
		name := filepath.Base(filepath.Dir(d))
		if !notDeployed[name] {
			cmds = append(cmds, name)
		}
	}
	require.ElementsMatch(t, services, cmds, "chart components and service commands differ")

	raw, err := os.ReadFile("../skaffold.yaml")
	require.NoError(t, err)
	var sk struct {
		Build struct {
			Artifacts []struct {
				Image  string `json:"image"`
				Docker struct {
					BuildArgs map[string]string `json:"buildArgs"`
				} `json:"docker"`
			} `json:"artifacts"`
		} `json:"build"`
		Deploy struct {
			Helm struct {
				Releases []struct {
					SetValueTemplates map[string]string `json:"setValueTemplates"`
				} `json:"releases"`
			} `json:"helm"`
		} `json:"deploy"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &sk))
	built := map[string]string{} // image -> SERVICE build argument
	for _, a := range sk.Build.Artifacts {
		built[a.Image] = a.Docker.BuildArgs["SERVICE"]
	}
	require.NotEmpty(t, sk.Deploy.Helm.Releases)
	set := sk.Deploy.Helm.Releases[0].SetValueTemplates

	mk, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^SERVICES := (.*)$`).FindSubmatch(mk)
	require.NotNil(t, m, "Makefile: no SERVICES list")
	makeServices := strings.Fields(string(m[1]))

	for _, c := range services {
		image := "backdesk-" + c
		require.Equal(t, c, built[image], "skaffold.yaml: no image %s built with SERVICE=%s", image, c)
		require.Contains(t, set, c+".image.repository", "skaffold.yaml: %s does not get the image it built", c)
		require.Contains(t, set, c+".image.tag", "skaffold.yaml: %s does not get the image it built", c)
		require.Contains(t, makeServices, c, "Makefile: %s is missing from SERVICES", c)
	}
}
