package clustertest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// registry is the image name prefix of the locally built images; nothing
// is ever pulled, so the pods use imagePullPolicy Never.
const registry = "backdesk.local"

// components are the chart's images: the six services and backdeskctl,
// which runs the migration hook and the helm test pod. Each maps to its
// command under services/.
var components = map[string]string{
	"onboarding": "./services/onboarding/cmd/onboarding",
	"access":     "./services/access/cmd/access",
	"workqueue":  "./services/workqueue/cmd/workqueue",
	"router":     "./services/router/cmd/router",
	"audit":      "./services/audit/cmd/audit",
	"console":    "./services/console/cmd/console",
	"ctl":        "./services/ctl/cmd/backdeskctl",
}

// images builds every component as the Dockerfile does (static, with the
// time zone database embedded), packs each into a one-layer OCI image
// holding the binary and the CA bundle, as the distroless base would,
// imports them into the cluster's containerd as
// backdesk.local/backdesk-<component>:<tags[0]>, and gives them the other
// tags too.
func images(t *testing.T, c *cluster, tags ...string) {
	t.Helper()
	require.NoError(t, buildImages(c, tags))
}

func buildImages(c *cluster, tags []string) error {
	dir, err := os.MkdirTemp("", "backdesk-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tools, err := c.script("build.sh", "--print")
	if err != nil {
		return err
	}
	ocipack := filepath.Join(strings.TrimSpace(tools), "kube-images", "bin", "ocipack")
	if _, err := os.Stat(ocipack); err != nil {
		return fmt.Errorf("ocipack is not built (bash deploy/kube/build.sh images): %w", err)
	}
	// One go build for all seven shares the compiled packages; each
	// binary lands under its command directory's name.
	bins := filepath.Join(dir, "bin")
	args := []string{"build", "-trimpath", "-tags", "timetzdata", "-ldflags", "-s -w", "-o", bins + "/"}
	for _, pkg := range components {
		args = append(args, pkg)
	}
	build := exec.Command("go", args...)
	build.Dir = c.root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %w\n%s", err, out)
	}
	var archives []string
	for name, pkg := range components {
		bin := filepath.Join(bins, filepath.Base(pkg))
		archive := filepath.Join(dir, name+".tar")
		pack := exec.Command(ocipack, "-o", archive, "-name", imageRef(name, tags[0]),
			"-entrypoint", "/usr/local/bin/backdesk", "-port", "8080/tcp", "-user", "65532:65532",
			bin+":/usr/local/bin/backdesk", caBundle+":/etc/ssl/certs/ca-certificates.crt:0644")
		if out, err := pack.CombinedOutput(); err != nil {
			return fmt.Errorf("pack %s: %w\n%s", name, err, out)
		}
		archives = append(archives, archive)
	}
	if _, err := c.script("cluster.sh", append([]string{"import"}, archives...)...); err != nil {
		return err
	}
	for name := range components {
		var more []string
		for _, tag := range tags[1:] {
			more = append(more, imageRef(name, tag))
		}
		if len(more) == 0 {
			continue
		}
		if _, err := c.script("cluster.sh", append([]string{"tag", imageRef(name, tags[0])}, more...)...); err != nil {
			return err
		}
	}
	return nil
}

// caBundle is the host's CA bundle, which the images carry as a
// distroless image does.
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

func imageRef(component, tag string) string {
	return fmt.Sprintf("%s/backdesk-%s:%s", registry, component, tag)
}
