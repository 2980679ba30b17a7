package faults_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server of the suite's own on a free port, so
// it can be restarted and paused without touching the machine's.
type redisServer struct {
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// newRedisServer starts redis-server with append-only persistence in
// dir.
func newRedisServer(t *testing.T, dir string) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatal("redis-server is missing: install Debian's redis-server package")
	}
	r := &redisServer{bin: bin, dir: dir, port: freePort(t)}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.start(true); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.kill() })
	return r
}

// start runs the server, keeping an append-only file when persist is
// set and nothing at all otherwise, and waits until it answers.
func (r *redisServer) start(persist bool) error {
	aof := "no"
	if persist {
		aof = "yes"
	}
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--save", "", "--appendonly", aof, "--appendfsync", "everysec",
		"--logfile", filepath.Join(r.dir, "redis.log"), "--maxclients", "2000")
	r.cmd.SysProcAttr = diesWithSuite()
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	r.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}) { _ = c.Wait(); close(done) }(r.cmd, r.done)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := redis.NewClient(&redis.Options{Addr: r.addr()})
	defer c.Close()
	for {
		if err := c.Ping(ctx).Err(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redis-server did not answer within 30s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// restart stops the server and starts it again. With persist, it is
// shut down as an operator would (SIGTERM writes the append-only file)
// and comes back with its data; without, its data directory is emptied
// and it comes back with nothing, as a Redis without persistence does.
func (r *redisServer) restart(persist bool) error {
	if persist {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
	} else {
		_ = r.cmd.Process.Kill()
	}
	<-r.done
	if !persist {
		entries, _ := os.ReadDir(r.dir)
		for _, e := range entries {
			if e.Name() != "redis.log" {
				_ = os.RemoveAll(filepath.Join(r.dir, e.Name()))
			}
		}
	}
	return r.start(true)
}

// pause stops the server's process (SIGSTOP) until resume: connections
// stay open and nothing answers.
func (r *redisServer) pause() error  { return r.cmd.Process.Signal(syscall.SIGSTOP) }
func (r *redisServer) resume() error { return r.cmd.Process.Signal(syscall.SIGCONT) }

func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Signal(syscall.SIGCONT)
		_ = r.cmd.Process.Kill()
		<-r.done
	}
}

func (r *redisServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
