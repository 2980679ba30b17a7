package faults_test

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// pgCluster is a PostgreSQL cluster of the suite's own, in a temporary
// directory, so it can be stopped, crashed and restarted without
// touching the machine's server. Debian's initdb and pg_ctl run it; as
// root they run as the postgres user, since PostgreSQL refuses root.
type pgCluster struct {
	bin  string // the directory holding initdb, pg_ctl and postgres
	dir  string // the data directory
	sock string // the socket directory
	log  string
	port int
	as   string // the user the server runs as, when the suite is root
}

// postgresBin finds Debian's PostgreSQL server binaries.
func postgresBin(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("BACKDESK_PG_BIN"); b != "" {
		return b
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(matches) == 0 {
		t.Fatal("PostgreSQL's server binaries are missing: install Debian's postgresql package, or set BACKDESK_PG_BIN to the directory holding pg_ctl")
	}
	return filepath.Dir(matches[len(matches)-1])
}

// newPGCluster initialises a cluster under root and starts it on a free
// port, listening on loopback only, with trust authentication.
func newPGCluster(t *testing.T, root string) *pgCluster {
	t.Helper()
	c := &pgCluster{bin: postgresBin(t), dir: filepath.Join(root, "pgdata"), sock: filepath.Join(root, "pgsock"),
		log: filepath.Join(root, "postgres.log"), port: freePort(t)}
	if os.Geteuid() == 0 {
		c.as = "postgres"
		if _, err := user.Lookup(c.as); err != nil {
			t.Fatalf("running as root, the PostgreSQL cluster needs the postgres user: %v", err)
		}
	}
	for _, d := range []string{c.dir, c.sock} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	c.chown(t, root)
	c.run(t, "initdb", "-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	conf := strings.Join([]string{
		"listen_addresses = '127.0.0.1'",
		"port = " + strconv.Itoa(c.port),
		"unix_socket_directories = '" + c.sock + "'",
		"max_connections = 300",
		"shared_buffers = 64MB",
		// The suite's processes crash, not the machine: the page cache
		// keeps what fsync would have written.
		"fsync = off",
		"full_page_writes = off",
		"log_min_messages = warning",
	}, "\n") + "\n"
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(conf)
	_ = f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c.start(t)
	t.Cleanup(func() { _ = c.ctl("stop", "-m", "immediate") })
	return c
}

// chown gives the postgres user the suite's directories, when root.
func (c *pgCluster) chown(t *testing.T, root string) {
	t.Helper()
	if c.as == "" {
		return
	}
	if out, err := exec.Command("chown", "-R", c.as, root).CombinedOutput(); err != nil {
		t.Fatalf("chown %s: %v: %s", root, err, out)
	}
}

func (c *pgCluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.as != "" {
		return exec.Command("runuser", append([]string{"-u", c.as, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (c *pgCluster) run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := c.command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

// ctl runs pg_ctl on the cluster.
func (c *pgCluster) ctl(args ...string) error {
	args = append([]string{"-D", c.dir, "-l", c.log, "-w", "-t", "60"}, args...)
	out, err := c.command("pg_ctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func (c *pgCluster) start(t *testing.T) {
	t.Helper()
	if err := c.ctl("start"); err != nil {
		tail, _ := os.ReadFile(c.log)
		t.Fatalf("%v\n%s", err, lastBytes(string(tail), 2000))
	}
}

// stop shuts the server down: "fast" rolls back open transactions and
// closes connections; "immediate" ends the server at once, as a crash
// does, and the next start recovers from the write-ahead log.
func (c *pgCluster) stop(mode string) error { return c.ctl("stop", "-m", mode) }

// url is the connection URL of database name as user.
func (c *pgCluster) url(user, name string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, c.port, name)
}

// addr is the server's TCP address.
func (c *pgCluster) addr() string { return fmt.Sprintf("127.0.0.1:%d", c.port) }

// createDatabase creates an empty database.
func (c *pgCluster) createDatabase(t *testing.T, name string) {
	t.Helper()
	c.run(t, "createdb", "-h", c.sock, "-p", strconv.Itoa(c.port), "-U", "postgres", name)
}

func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// faultsDirPrefix begins the name of each run's temporary directory, and
// suitePIDFile, in it, holds the process id of the suite that made it.
const (
	faultsDirPrefix = "backdesk-faults-"
	suitePIDFile    = "suite.pid"
)

// stopOrphanClusters stops the PostgreSQL clusters of earlier runs whose
// suite process is gone: pg_ctl detaches the server, so a suite killed
// outright (not merely failed) leaves its cluster running. A cluster of
// a run still going is left alone. The directories stay, with their logs.
func stopOrphanClusters(t *testing.T) {
	t.Helper()
	pids, _ := filepath.Glob(filepath.Join(os.TempDir(), faultsDirPrefix+"*", "pg", "pgdata", "postmaster.pid"))
	for _, pidFile := range pids {
		root := filepath.Dir(filepath.Dir(filepath.Dir(pidFile)))
		if raw, err := os.ReadFile(filepath.Join(root, suitePIDFile)); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && alive(pid) {
				continue
			}
		}
		c := &pgCluster{bin: postgresBin(t), dir: filepath.Dir(pidFile), log: filepath.Join(filepath.Dir(filepath.Dir(pidFile)), "postgres.log")}
		if os.Geteuid() == 0 {
			c.as = "postgres"
		}
		if err := c.ctl("stop", "-m", "immediate"); err != nil {
			t.Logf("an earlier run's PostgreSQL in %s could not be stopped: %v", root, err)
			continue
		}
		t.Logf("stopped the PostgreSQL an earlier, killed run left in %s", root)
	}
}

// alive reports a process that exists (signal 0 reaches it).
func alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}
