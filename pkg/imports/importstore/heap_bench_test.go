package importstore_test

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
)

// balancesStream produces a balances export of exactly size bytes' worth
// of whole rows without ever holding it, the way a large upload arrives.
type balancesStream struct {
	left int64
	i    int
	buf  []byte
}

func (s *balancesStream) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.buf) == 0 {
			if s.left <= 0 {
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			if s.i == 0 {
				s.buf = []byte("account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90\n")
			} else {
				s.buf = fmt.Appendf(nil, "H-%d,BP%d,195.00,120.00,0.00,75.00,0.00\n", s.i, s.i%1000)
			}
			s.i++
			s.left -= int64(len(s.buf))
		}
		c := copy(p[n:], s.buf)
		s.buf = s.buf[c:]
		n += c
	}
	return n, nil
}

// BenchmarkImportPeakHeap uploads and applies a 50 MB balances file and
// reports the peak heap in use while it does, sampled every few
// milliseconds. The pipeline streams the file in and out of the database
// in chunks, so the peak stays far below the file's size.
func BenchmarkImportPeakHeap(b *testing.B) {
	db, _ := testenv.NewDB(b, "sqlite")
	bb := setup(b, db)
	ctx := context.Background()
	pid := bb.practiceB(b, "1234567893")
	ctx = sqldb.WithPractice(ctx, pid) // as the upload route and the import task do
	seedPatients(b, db, pid, 1000)
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	for b.Loop() {
		imp, err := bb.svc.Submit(ctx, imports.Upload{PracticeID: pid, Kind: "balances", Content: &balancesStream{left: 50<<20 - 100}})
		if err != nil {
			b.Fatal(err)
		}
		if err := bb.svc.Run(ctx, imp.ID); err != nil {
			b.Fatal(err)
		}
		got, _ := bb.svc.Get(ctx, imp.ID)
		if got.State != imports.Succeeded || got.RowsRejected != 0 {
			b.Fatalf("import %s, %d rejected: %v", got.State, got.RowsRejected, got.Errors)
		}
	}
	close(stop)
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
