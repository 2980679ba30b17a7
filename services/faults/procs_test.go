package faults_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildServices builds each service's binary, as the image holds it,
// into dir.
func buildServices(t *testing.T, root, dir string) {
	t.Helper()
	args := []string{"build", "-trimpath", "-o", dir + "/"}
	for _, c := range chartComponents {
		args = append(args, "./services/"+c+"/cmd/"+c)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
}

// service is one service process: a component of the chart, run from its
// binary with the environment its Deployment would give it.
type service struct {
	name      string // e.g. "router-2"
	component string // e.g. "router"
	bin       string
	addr      string
	env       []string
	log       string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// start runs the process; its output goes to its log file.
func (s *service) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin)
	cmd.SysProcAttr = diesWithSuite()
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return fmt.Errorf("%s: %w", s.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = f.Close(); close(done) }()
	s.cmd, s.done = cmd, done
	return nil
}

// kill ends the process with SIGKILL, as an OOM kill or a lost node does.
func (s *service) kill() { s.end(syscall.SIGKILL) }

// stop ends the process with SIGTERM, as Kubernetes does, and waits (at
// most 15 s, then SIGKILL).
func (s *service) stop() { s.end(syscall.SIGTERM) }

// end sends sig to the running process and waits until it has ended.
func (s *service) end(sig syscall.Signal) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// exited reports whether the process has ended.
func (s *service) exited() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done == nil {
		return true
	}
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// probeClient asks for readiness as the chart's probe does: the same
// timeout (timeoutSeconds: 3), a new connection each time.
var probeClient = &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// ready asks the process's /readyz, as its readiness probe does.
func (s *service) ready() bool {
	res, err := probeClient.Get("http://" + s.addr + "/readyz")
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// waitReady waits until the process is ready, or fails with its log.
func (s *service) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !s.ready() {
		if s.exited() || time.Now().After(deadline) {
			raw, _ := os.ReadFile(s.log)
			t.Fatalf("%s is not ready after %s (exited: %v); its log ends:\n%s", s.name, within, s.exited(), lastBytes(string(raw), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// diesWithSuite makes a child process end with the suite's process, so
// a suite stopped by its timeout or a signal leaves no service, Redis or
// nginx running. (PostgreSQL, which pg_ctl detaches, is stopped by the
// suite's cleanup.)
func diesWithSuite() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }

// envOf turns a map into an environment, with PATH and HOME kept.
func envOf(m map[string]string) []string {
	out := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

// waitListening waits until addr accepts connections.
func waitListening(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	for {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = c.Close()
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("nothing listens on %s after %s", addr, within)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// repoRoot is the repository's top directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir || strings.TrimSpace(parent) == "" {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
