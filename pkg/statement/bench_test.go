package statement_test

import (
	"io"
	"testing"

	"github.com/backdesk/backdesk/pkg/statement"
)

// runSize is the statement run the benchmark renders: a large month for
// one billing company.
const runSize = 5000

// countingDiscard discards what it is written and counts it.
type countingDiscard struct{ n int64 }

func (c *countingDiscard) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// BenchmarkStatements renders a run of 5,000 statements, one to three
// pages each, through each batch writer, and reports its throughput in
// bytes written and its peak heap (HeapInuse) while it runs. The
// statements are made as they are added, as a run reading them from a
// store would, so the heap is the writer's. One iteration renders the
// whole run, so the default -benchtime runs each once.
//
// The baseline renders the same 5,000 statements each on its own with
// Render, to a discarding writer: the work no batch writer can avoid, so
// that the ratio to it is what batching costs on top. (Copying bytes
// rendered beforehand would be a baseline some million times faster,
// against which every ratio reads 0.00x.)
func BenchmarkStatements(b *testing.B) {
	type writer interface {
		Add(statement.Statement) error
		Close() error
	}
	run := func(b *testing.B, start func(io.Writer) writer) {
		var peak uint64
		for b.Loop() {
			out := &countingDiscard{}
			stop := peakHeap()
			w := start(out)
			for i := range runSize {
				if err := w.Add(numbered(i, i%70)); err != nil {
					b.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				b.Fatal(err)
			}
			peak = max(peak, stop())
			b.SetBytes(out.n)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(runSize, "statements/op")
	}
	b.Run("pdf", func(b *testing.B) {
		run(b, func(w io.Writer) writer { return statement.NewBatch(w) })
	})
	b.Run("zip", func(b *testing.B) {
		run(b, func(w io.Writer) writer { return statement.NewBatchZip(w) })
	})
	b.Run("baseline", func(b *testing.B) {
		var peak uint64
		for b.Loop() {
			out := &countingDiscard{}
			stop := peakHeap()
			for i := range runSize {
				if err := statement.Render(out, numbered(i, i%70)); err != nil {
					b.Fatal(err)
				}
			}
			peak = max(peak, stop())
			b.SetBytes(out.n)
		}
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		b.ReportMetric(runSize, "statements/op")
	})
}
