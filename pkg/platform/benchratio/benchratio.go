// Package benchratio reads `go test -bench` output and reports each result
// beside the baseline measured in the same run. Benchmarks name their
// baseline as a sibling sub-benchmark called "baseline" (for example
// BenchmarkInsert/postgres/store and BenchmarkInsert/postgres/baseline);
// the ratio is baseline time per op divided by the result's, so 1.0 means
// as fast as the baseline and 0.5 half as fast. Ratios, unlike absolute
// times, stay meaningful on a shared, noisy machine.
package benchratio

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Result is one benchmark line.
type Result struct {
	Name    string             // full name without the -GOMAXPROCS suffix
	N       int                // iterations
	NsPerOp float64            // ns/op
	Metrics map[string]float64 // every other unit reported (B/op, rows/s, p99-ms…)
}

// Group is the parent name, Member the last element: "store" or "baseline".
func (r Result) split() (group, member string) {
	i := strings.LastIndex(r.Name, "/")
	if i < 0 {
		return r.Name, ""
	}
	return r.Name[:i], r.Name[i+1:]
}

var line = regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// Parse reads benchmark lines from r; other lines are ignored.
func Parse(r io.Reader) ([]Result, error) {
	var out []Result
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		m := line.FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		res := Result{Name: m[1], N: n, Metrics: map[string]float64{}}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if f[i+1] == "ns/op" {
				res.NsPerOp = v
			} else {
				res.Metrics[f[i+1]] = v
			}
		}
		out = append(out, res)
	}
	return out, sc.Err()
}

// Report writes one row per result with its ratio to its baseline and
// returns how many results had a baseline.
func Report(w io.Writer, results []Result) int {
	base := map[string]Result{}
	for _, r := range results {
		if g, m := r.split(); m == "baseline" {
			base[g] = r
		}
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\tns/op\tvs baseline\tother")
	paired := 0
	for _, r := range results {
		g, m := r.split()
		ratio := "-"
		if b, ok := base[g]; ok && m != "baseline" && r.NsPerOp > 0 {
			ratio = fmt.Sprintf("%.2fx", b.NsPerOp/r.NsPerOp)
			paired++
		} else if m == "baseline" {
			ratio = "(baseline)"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\n", r.Name, r.NsPerOp, ratio, metrics(r.Metrics))
	}
	_ = tw.Flush()
	return paired
}

func metrics(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, strconv.FormatFloat(m[k], 'f', -1, 64)+" "+k)
	}
	return strings.Join(parts, ", ")
}
