package clustertest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/yaml"
)

// crdSources are the CustomResourceDefinitions the chart's optional kinds
// need, each from the Go module of the project that owns it, pinned.
var crdSources = []struct {
	module, version string
	files           []string
}{
	{"github.com/prometheus-operator/prometheus-operator", "v0.94.0",
		[]string{"example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"}},
	{"sigs.k8s.io/gateway-api", "v1.6.3",
		[]string{"config/crd/standard/gateway.networking.k8s.io_httproutes.yaml"}},
	{"github.com/kedacore/keda/v2", "v2.20.0",
		[]string{"config/crd/bases/keda.sh_scaledobjects.yaml", "config/crd/bases/keda.sh_triggerauthentications.yaml"}},
}

// applyCRDs downloads each module (into the Go module cache, which keeps
// it) and creates or updates its CRDs in the cluster, then waits until the
// API server serves them.
func applyCRDs(t *testing.T, c *cluster) {
	t.Helper()
	ctx := context.Background()
	client, err := apiextclient.NewForConfig(c.rest)
	require.NoError(t, err)
	var names []string
	for _, src := range crdSources {
		dir := moduleDir(t, src.module, src.version)
		for _, f := range src.files {
			raw, err := os.ReadFile(filepath.Join(dir, f))
			require.NoError(t, err)
			var crd apiextv1.CustomResourceDefinition
			require.NoError(t, yaml.Unmarshal(raw, &crd), f)
			existing, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, crd.Name, metav1.GetOptions{})
			if err == nil {
				crd.ResourceVersion = existing.ResourceVersion
				_, err = client.ApiextensionsV1().CustomResourceDefinitions().Update(ctx, &crd, metav1.UpdateOptions{})
			} else {
				_, err = client.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{})
			}
			require.NoError(t, err, "apply %s from %s@%s", crd.Name, src.module, src.version)
			names = append(names, crd.Name)
		}
	}
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			crd, err := client.ApiextensionsV1().CustomResourceDefinitions().Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			for _, cond := range crd.Status.Conditions {
				if cond.Type == apiextv1.Established && cond.Status == apiextv1.ConditionTrue {
					return true, nil
				}
			}
			return false, nil
		})
		require.NoError(t, err, "%s is established", name)
	}
}

// moduleDir downloads module@version with the go command, outside any
// module, and returns its directory in the module cache.
func moduleDir(t *testing.T, module, version string) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var info struct{ Dir, Error string }
	_ = json.Unmarshal(out.Bytes(), &info)
	require.NoError(t, err, "go mod download %s@%s: %s %s", module, version, info.Error, errOut.String())
	require.NotEmpty(t, info.Dir, fmt.Sprintf("%s@%s has no directory", module, version))
	return info.Dir
}
