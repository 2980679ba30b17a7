package clustertest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// gateVar turns the cluster tests on; make test-kube sets it.
const gateVar = "BACKDESK_KUBE_TEST"

// cluster is the running test cluster, shared by every test of the package.
type cluster struct {
	root       string // the repository
	kubeconfig string
	nodeIP     string
	rest       *rest.Config
	kube       kubernetes.Interface
}

var (
	clusterOnce sync.Once
	shared      *cluster
	sharedErr   error
)

// clusterUp starts the cluster (or finds it running) and returns it; the
// test skips unless the cluster tests were asked for.
func clusterUp(t *testing.T) *cluster {
	t.Helper()
	if os.Getenv(gateVar) != "1" {
		t.Skipf("needs a Kubernetes cluster on this machine: run make test-kube (sets %s=1)", gateVar)
	}
	clusterOnce.Do(func() { shared, sharedErr = startCluster() })
	require.NoError(t, sharedErr)
	return shared
}

func startCluster() (*cluster, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	c := &cluster{root: root}
	if _, err := c.script("cluster.sh", "up"); err != nil {
		return nil, err
	}
	out, err := c.script("cluster.sh", "kubeconfig")
	if err != nil {
		return nil, err
	}
	c.kubeconfig = strings.TrimSpace(out)
	c.rest, err = clientcmd.BuildConfigFromFlags("", c.kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", c.kubeconfig, err)
	}
	c.rest.QPS, c.rest.Burst = 50, 100
	c.kube, err = kubernetes.NewForConfig(c.rest)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nodes, err := c.kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	for _, n := range nodes.Items {
		for _, a := range n.Status.Addresses {
			if a.Type == corev1.NodeInternalIP {
				c.nodeIP = a.Address
			}
		}
	}
	if c.nodeIP == "" {
		return nil, fmt.Errorf("the node has no InternalIP address")
	}
	return c, nil
}

// script runs one of deploy/kube's scripts and returns its standard
// output; a failure carries what it wrote to standard error.
func (c *cluster) script(name string, args ...string) (string, error) {
	cmd := exec.Command("bash", append([]string{filepath.Join(c.root, "deploy", "kube", name)}, args...)...)
	cmd.Dir = c.root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(stderr.String(), 4000))
	}
	return stdout.String(), nil
}

// repoRoot is the directory holding go.mod, above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
