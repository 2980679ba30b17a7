package faults_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// chartComponents are the chart's services, whose `paths` in values.yaml
// are the ingress's routing table.
var chartComponents = []string{"onboarding", "access", "workqueue", "router", "audit", "console"}

// chartPaths reads the path table the chart's Ingress is rendered from:
// path prefix to component.
func chartPaths(t *testing.T, root string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "charts", "backdesk", "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]any
	if err := yaml.Unmarshal(raw, &vals); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range chartComponents {
		comp, _ := vals[c].(map[string]any)
		paths, _ := comp["paths"].([]any)
		for _, p := range paths {
			out[p.(string)] = c
		}
	}
	if len(out) == 0 {
		t.Fatal("charts/backdesk/values.yaml lists no paths")
	}
	return out
}

// nginxConfig writes the proxy's configuration: one upstream per
// component (the routers' two processes in one; like ingress-nginx by
// default, a server is never marked down for failing), and the chart's paths
// matched as its Ingress matches them: "/" exactly, every other path as a
// prefix of whole path elements, the longest first. Every request is
// logged with its request id, which the suite compares with the audit
// trail.
func nginxConfig(dir string, port int, paths map[string]string, upstreams map[string][]string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("worker_processes 2;")
	w("daemon off;")
	w("pid %s;", filepath.Join(dir, "nginx.pid"))
	w("error_log %s warn;", filepath.Join(dir, "error.log"))
	w("events { worker_connections 2048; }")
	w("http {")
	w("  log_format faults '$msec $request_method $uri $status $upstream_addr $http_x_request_id $request_time';")
	w("  access_log %s faults;", filepath.Join(dir, "access.log"))
	for _, tmp := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		w("  %s_temp_path %s;", tmp, filepath.Join(dir, "tmp", tmp))
	}
	w("  client_max_body_size 60m;")
	w("  proxy_http_version 1.1;")
	w(`  proxy_set_header Connection "";`)
	w("  proxy_set_header Host $http_host;")
	w("  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
	w("  proxy_set_header X-Forwarded-Proto $scheme;")
	w("  proxy_connect_timeout 2s;")
	w("  proxy_read_timeout 60s;")
	comps := make([]string, 0, len(upstreams))
	for c := range upstreams {
		comps = append(comps, c)
	}
	sort.Strings(comps)
	for _, c := range comps {
		w("  upstream %s {", c)
		for _, addr := range upstreams[c] {
			w("    server %s max_fails=0;", addr)
		}
		w("    keepalive 32;")
		w("  }")
	}
	w("  server {")
	w("    listen 127.0.0.1:%d;", port)
	prefixes := make([]string, 0, len(paths))
	for p := range paths {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		if p == "/" {
			w("    location = / { proxy_pass http://%s; }", paths[p])
			continue
		}
		w("    location = %s { proxy_pass http://%s; }", p, paths[p])
		w("    location %s/ { proxy_pass http://%s; }", p, paths[p])
	}
	w("    location / { return 404; }")
	w("  }")
	w("}")
	return b.String()
}

// nginx is Debian's nginx, run in the foreground by the suite.
type nginx struct {
	dir  string
	port int
	cmd  *exec.Cmd
}

// nginxBinary is the nginx deploy/dev/nginx.sh fetched (BACKDESK_NGINX).
func nginxBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("BACKDESK_NGINX")
	if bin == "" {
		t.Fatal("BACKDESK_NGINX is not set: run the suite with `make test-faults`, which fetches Debian's nginx (deploy/dev/nginx.sh)")
	}
	return bin
}

func startNginx(t *testing.T, dir string, port int, paths map[string]string, upstreams map[string][]string) *nginx {
	t.Helper()
	n := &nginx{dir: dir, port: port}
	for _, tmp := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		if err := os.MkdirAll(filepath.Join(dir, "tmp", tmp), 0o777); err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(filepath.Join(dir, "tmp", tmp), 0o777)
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConfig(dir, n.port, paths, upstreams)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := nginxBinary(t)
	if out, err := exec.Command(bin, "-t", "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	n.cmd = exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	n.cmd.SysProcAttr = diesWithSuite()
	n.cmd.Stderr = os.Stderr
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = n.cmd.Process.Signal(syscall.SIGQUIT)
		done := make(chan struct{})
		go func() { _ = n.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = n.cmd.Process.Kill()
		}
	})
	waitListening(t, fmt.Sprintf("127.0.0.1:%d", n.port), 10*time.Second)
	return n
}

func (n *nginx) url() string { return "http://127.0.0.1:" + strconv.Itoa(n.port) }

// accessLine is one request as nginx logged it.
type accessLine struct {
	At        time.Time
	Method    string
	Path      string
	Status    int
	Upstream  string
	RequestID string
}

// accessLog reads what nginx logged so far.
func (n *nginx) accessLog(t *testing.T) []accessLine {
	t.Helper()
	f, err := os.Open(filepath.Join(n.dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []accessLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 7 {
			continue
		}
		sec, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			continue
		}
		status, _ := strconv.Atoi(fields[3])
		out = append(out, accessLine{At: time.UnixMilli(int64(sec * 1000)), Method: fields[1], Path: fields[2],
			Status: status, Upstream: fields[4], RequestID: fields[5]})
	}
	return out
}
