// Command benchratio reads `go test -bench` output on standard input, copies
// it through, and prints every result with its ratio to the baseline
// measured in the same run.
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/backdesk/backdesk/pkg/platform/benchratio"
)

func main() {
	var buf bytes.Buffer
	if _, err := io.Copy(io.MultiWriter(os.Stdout, &buf), os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	results, err := benchratio.Parse(&buf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
	if len(results) == 0 {
		fmt.Fprintln(os.Stderr, "benchratio: no benchmark results on standard input")
		os.Exit(1)
	}
	fmt.Println("\nResults against the baseline measured in the same run (higher is better; 1.00x = as fast as the baseline):")
	benchratio.Report(os.Stdout, results)
}
