package clustertest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// serviceNames are the chart's six services, in the order of values.yaml.
var serviceNames = []string{"onboarding", "access", "workqueue", "router", "audit", "console"}

// ingress stands in for the ingress controller: it routes each request by
// path to its service's NodePort on loopback, from the path table in the
// chart's values.yaml, the table the chart's Ingress is rendered from.
// "/" is matched exactly, as the chart's Ingress does; every other path
// as a prefix.
type ingress struct {
	url   string
	paths map[string]string // path prefix -> component

	mu      sync.RWMutex
	targets map[string]*httputil.ReverseProxy
}

func newIngress(t *testing.T, root string) *ingress {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "charts", "backdesk", "values.yaml"))
	require.NoError(t, err)
	var vals map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &vals))
	in := &ingress{paths: map[string]string{}, targets: map[string]*httputil.ReverseProxy{}}
	for _, c := range serviceNames {
		comp, _ := vals[c].(map[string]any)
		paths, _ := comp["paths"].([]any)
		for _, p := range paths {
			in.paths[p.(string)] = c
		}
	}
	require.NotEmpty(t, in.paths)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	in.url = "http://" + ln.Addr().String()
	srv := &http.Server{Handler: in, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("ingress: %v", err)
		}
	}()
	t.Cleanup(func() { _ = srv.Close() })
	return in
}

// component is the service that answers path, or "".
func (in *ingress) component(path string) string {
	best, comp := "", ""
	for p, c := range in.paths {
		match := path == p || (p != "/" && strings.HasPrefix(path, p+"/"))
		if match && len(p) > len(best) {
			best, comp = p, c
		}
	}
	return comp
}

func (in *ingress) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	comp := in.component(r.URL.Path)
	in.mu.RLock()
	proxy := in.targets[comp]
	in.mu.RUnlock()
	if proxy == nil {
		http.Error(w, "no route to "+r.URL.Path, http.StatusNotFound)
		return
	}
	proxy.ServeHTTP(w, r)
}

// discover points each component at its Service's NodePort.
func (in *ingress) discover(t *testing.T, r *installation) {
	t.Helper()
	svcs, err := r.c.kube.CoreV1().Services(r.ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, s := range svcs.Items {
		comp := s.Labels["app.kubernetes.io/component"]
		if comp == "" || len(s.Spec.Ports) == 0 || s.Spec.Ports[0].NodePort == 0 {
			continue
		}
		target, _ := url.Parse(fmt.Sprintf("http://127.0.0.1:%d", s.Spec.Ports[0].NodePort))
		p := httputil.NewSingleHostReverseProxy(target)
		p.Transport = &http.Transport{DisableKeepAlives: true}
		in.targets[comp] = p
	}
	for _, c := range serviceNames {
		require.Contains(t, in.targets, c, "the %s Service has a NodePort", c)
	}
}
