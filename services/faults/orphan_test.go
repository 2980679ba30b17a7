package faults_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// A run killed outright leaves its PostgreSQL running, since pg_ctl
// detaches it; the next run stops it. A cluster whose suite is still
// running is left alone.
func TestFaultsStopsOrphanClusters(t *testing.T) {
	needFaults(t)
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	cluster := func(suitePID int) *pgCluster {
		root, err := os.MkdirTemp("", faultsDirPrefix)
		if err != nil {
			t.Fatal(err)
		}
		_ = os.Chmod(root, 0o755)
		t.Cleanup(func() { _ = os.RemoveAll(root) })
		if err := os.WriteFile(filepath.Join(root, suitePIDFile), []byte(strconv.Itoa(suitePID)), 0o644); err != nil {
			t.Fatal(err)
		}
		pgDir := filepath.Join(root, "pg")
		if err := os.MkdirAll(pgDir, 0o755); err != nil {
			t.Fatal(err)
		}
		return newPGCluster(t, pgDir)
	}
	orphan := cluster(gone.Process.Pid)
	mine := cluster(os.Getpid())
	stopOrphanClusters(t)
	if running(orphan) {
		t.Error("the cluster of a suite that is gone still runs")
	}
	if !running(mine) {
		t.Error("the cluster of a suite still running was stopped")
	}
}

// running reports a cluster whose server answers pg_ctl status.
func running(c *pgCluster) bool {
	return c.command("pg_ctl", "-D", c.dir, "status").Run() == nil
}
