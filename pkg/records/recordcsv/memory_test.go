package recordcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

// balancesSource produces a canonical balances file of about size bytes,
// one row at a time, so a test can read 50 MB without holding 50 MB.
type balancesSource struct {
	size    int64
	emitted int64
	rows    int
	buf     []byte
	pending []byte
}

const balancesHeader = "account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90," +
	"last_statement_date,last_payment_date,last_payment_amount\n"

func newBalancesSource(size int64) *balancesSource {
	return &balancesSource{size: size, pending: []byte(balancesHeader)}
}

func (s *balancesSource) Read(p []byte) (int, error) {
	if len(s.pending) == 0 {
		if s.emitted >= s.size {
			return 0, io.EOF
		}
		s.rows++
		s.buf = appendBalanceRow(s.buf[:0], s.rows)
		s.pending = s.buf
	}
	n := copy(p, s.pending)
	s.pending = s.pending[n:]
	s.emitted += int64(n)
	return n, nil
}

// appendBalanceRow writes a plausible row: amounts vary, aging adds up.
func appendBalanceRow(b []byte, i int) []byte {
	aged := [4]int64{int64(i%97) * 125, int64(i%13) * 1000, int64(i%7) * 2550, int64(i%3) * 10000}
	total := aged[0] + aged[1] + aged[2] + aged[3]
	b = append(b, 'A')
	b = strconv.AppendInt(b, int64(1000000+i), 10)
	b = append(b, ",P"...)
	b = strconv.AppendInt(b, int64(2000000+i), 10)
	for _, c := range append([]int64{total}, aged[:]...) {
		b = append(b, ',')
		b = appendCents(b, c)
	}
	b = append(b, ",10/01/2026,"...)
	b = strconv.AppendInt(b, int64(1+i%12), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(1+i%28), 10)
	b = append(b, "/2026,"...)
	b = appendCents(b, int64(i%50)*100)
	return append(b, '\n')
}

func appendCents(b []byte, c int64) []byte {
	b = strconv.AppendInt(b, c/100, 10)
	b = append(b, '.', byte('0'+c%100/10), byte('0'+c%10))
	return b
}

// TestMemoryBounded reads a generated 50 MB balances file and samples the
// heap while it does: streaming must keep it well under 64 MB.
func TestMemoryBounded(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads 50 MB")
	}
	src := newBalancesSource(50 << 20)
	r, err := NewReader(src, Options{Kind: records.Balances})
	require.NoError(t, err)
	var ms runtime.MemStats
	var peak uint64
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	rows := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		if rows++; rows%20000 == 0 {
			sample()
		}
	}
	sample()
	require.Empty(t, r.Errors())
	require.Equal(t, src.rows, rows)
	require.Equal(t, src.emitted, r.BytesRead())
	t.Logf("%d rows, %d MB, peak HeapInuse %.1f MB", rows, src.emitted>>20, float64(peak)/(1<<20))
	require.Less(t, peak, uint64(64<<20))
}

// BenchmarkReaderBalances reads a 100,000-row balances file. The baseline
// only splits the same bytes with encoding/csv, so the ratio is the cost of
// decoding, validation and conversion on top of plain CSV splitting.
func BenchmarkReaderBalances(b *testing.B) {
	const rows = 100_000
	var data []byte
	data = append(data, balancesHeader...)
	for i := 1; i <= rows; i++ {
		data = appendBalanceRow(data, i)
	}
	b.Run("recordcsv", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			r, err := NewReader(bytes.NewReader(data), Options{Kind: records.Balances})
			if err != nil {
				b.Fatal(err)
			}
			got := 0
			for {
				if _, err := r.Next(); err != nil {
					if !errors.Is(err, io.EOF) {
						b.Fatal(err)
					}
					break
				}
				got++
			}
			if got != rows {
				b.Fatalf("read %d rows, want %d", got, rows)
			}
			n++
		}
		b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			cr := csv.NewReader(bytes.NewReader(data))
			cr.ReuseRecord = true
			got := -1 // the header
			for {
				if _, err := cr.Read(); err != nil {
					if !errors.Is(err, io.EOF) {
						b.Fatal(err)
					}
					break
				}
				got++
			}
			if got != rows {
				b.Fatalf("read %d rows, want %d", got, rows)
			}
			n++
		}
		b.ReportMetric(float64(rows*n)/b.Elapsed().Seconds(), "rows/s")
	})
}
