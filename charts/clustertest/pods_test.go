package clustertest_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// podsLockedDown looks at each running container from the node, not at
// its YAML: the process's user and group, its capabilities, no new
// privileges, a seccomp filter, a read-only root filesystem, and the
// cgroup limits the kubelet applied from the chart's resources.
func podsLockedDown(t *testing.T, r *installation) {
	pods, err := r.c.kube.CoreV1().Pods(r.ns).List(context.Background(), metav1.ListOptions{})
	require.NoError(t, err)
	checked := 0
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodRunning {
			continue
		}
		for i, cs := range p.Status.ContainerStatuses {
			spec := p.Spec.Containers[i]
			id := strings.TrimPrefix(cs.ContainerID, "containerd://")
			require.NotEqual(t, cs.ContainerID, id, "%s: a containerd container", p.Name)
			where := p.Name + "/" + spec.Name
			cg := containerCgroup(t, id)
			pid := firstPID(t, cg)

			status := procStatus(t, pid)
			require.Equal(t, "65532", strings.Fields(status["Uid"])[1], "%s: effective uid", where)
			require.Equal(t, "65532", strings.Fields(status["Gid"])[1], "%s: effective gid", where)
			for _, set := range []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"} {
				require.Equal(t, "0000000000000000", status[set], "%s: %s holds no capability", where, set)
			}
			require.Equal(t, "1", status["NoNewPrivs"], "%s: no new privileges", where)
			require.Equal(t, "2", status["Seccomp"], "%s: a seccomp filter (RuntimeDefault)", where)
			require.True(t, rootReadOnly(t, pid), "%s: the root filesystem is read-only", where)

			mem := spec.Resources.Limits.Memory().Value()
			require.Positive(t, mem, "%s: the chart sets a memory limit", where)
			require.Equal(t, mem, memoryLimit(t, cg), "%s: the memory limit is applied", where)
			cpu := spec.Resources.Limits.Cpu().MilliValue()
			require.Positive(t, cpu, "%s: the chart sets a CPU limit", where)
			quota, period := cpuQuota(t, cg)
			require.Equal(t, cpu*period/1000, quota, "%s: the CPU limit is applied", where)
			checked++
		}
	}
	require.GreaterOrEqual(t, checked, len(serviceNames), "every service's container was checked")
}

// cgroupRoot is where the kubelet puts the pods' cgroups (cluster.sh runs
// it with the cgroupfs driver under /backdesk): the memory hierarchy on
// cgroup v1, the one hierarchy on v2.
func cgroupRoot() (root string, v2 bool) {
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return "/sys/fs/cgroup/backdesk", true
	}
	return "/sys/fs/cgroup/memory/backdesk", false
}

// containerCgroup finds the cgroup directory of a container by its id,
// relative to cgroupRoot.
func containerCgroup(t *testing.T, id string) string {
	t.Helper()
	root, _ := cgroupRoot()
	var found string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipDir
		}
		if d.IsDir() && d.Name() == id {
			found = path
			return filepath.SkipAll
		}
		return nil
	})
	require.NotEmpty(t, found, "the cgroup of container %s under %s", id, root)
	rel, err := filepath.Rel(root, found)
	require.NoError(t, err)
	return rel
}

func firstPID(t *testing.T, cg string) int {
	t.Helper()
	root, _ := cgroupRoot()
	raw, err := os.ReadFile(filepath.Join(root, cg, "cgroup.procs"))
	require.NoError(t, err)
	fields := strings.Fields(string(raw))
	require.NotEmpty(t, fields, "a process in %s", cg)
	pid, err := strconv.Atoi(fields[0])
	require.NoError(t, err)
	return pid
}

// procStatus is /proc/PID/status as a map of field to value.
func procStatus(t *testing.T, pid int) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// rootReadOnly reports whether the process's "/" is mounted read-only.
func rootReadOnly(t *testing.T, pid int) bool {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) > 5 && f[4] == "/" {
			for _, opt := range strings.Split(f[5], ",") {
				if opt == "ro" {
					return true
				}
			}
			return false
		}
	}
	t.Fatalf("no root mount in /proc/%d/mountinfo", pid)
	return false
}

func memoryLimit(t *testing.T, cg string) int64 {
	t.Helper()
	root, v2 := cgroupRoot()
	file := "memory.limit_in_bytes"
	if v2 {
		file = "memory.max"
	}
	raw, err := os.ReadFile(filepath.Join(root, cg, file))
	require.NoError(t, err)
	n, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	require.NoError(t, err, "%s: %s", file, raw)
	return n
}

// cpuQuota is the CFS quota and period of the cgroup, in microseconds.
func cpuQuota(t *testing.T, cg string) (quota, period int64) {
	t.Helper()
	root, v2 := cgroupRoot()
	read := func(path string) string {
		raw, err := os.ReadFile(path)
		require.NoError(t, err)
		return strings.TrimSpace(string(raw))
	}
	num := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err, "%q", s)
		return n
	}
	if v2 {
		f := strings.Fields(read(filepath.Join(root, cg, "cpu.max")))
		require.Len(t, f, 2)
		return num(f[0]), num(f[1])
	}
	dir := filepath.Join("/sys/fs/cgroup/cpu/backdesk", cg)
	return num(read(filepath.Join(dir, "cpu.cfs_quota_us"))), num(read(filepath.Join(dir, "cpu.cfs_period_us")))
}
