package x835_test

import (
	"bufio"
	"bytes"
	"io"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12test"
	"github.com/backdesk/backdesk/pkg/x12/x835"
)

// benchClaims is the size of the benchmark file.
const benchClaims = 20000

// BenchmarkDecode835 reads and decodes a generated 835 of 20,000 claims
// ("decode") beside its baseline ("baseline"): splitting the same bytes on
// "~" with bufio.Scanner and counting the CLP segments, the least any
// reader must do. Both report claims/s and the peak heap in use above what
// the input itself takes.
func BenchmarkDecode835(b *testing.B) {
	var buf bytes.Buffer
	sum, err := x12test.Generate835(&buf, benchClaims, 1)
	if err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("decode", func(b *testing.B) {
		runDecode(b, data, sum.Claims, decode835)
	})
	b.Run("baseline", func(b *testing.B) {
		runDecode(b, data, sum.Claims, scanBaseline)
	})
}

// runDecode times pass over data, then runs it once more outside the
// timer, sampling the heap after every transaction set, for the peak.
func runDecode(b *testing.B, data []byte, claims int, pass func(io.Reader, func()) (int, error)) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := pass(bytes.NewReader(data), func() {})
		if err != nil || n != claims {
			b.Fatalf("%d claims, %v", n, err)
		}
	}
	b.ReportMetric(float64(claims)*float64(b.N)/b.Elapsed().Seconds(), "claims/s")

	// The input stays live through the pass, and at the default GOGC the
	// collector would let the heap grow by about its size before running,
	// which would hide what the decoder holds. A low GC percent keeps that
	// headroom small for the sampled pass only.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	if _, err := pass(bytes.NewReader(data), sample); err != nil {
		b.Fatal(err)
	}
	sample()
	b.ReportMetric(float64(peak-base), "peak-heap-B")
}

// decode835 decodes every transaction set and counts the claims, calling
// each after every set.
func decode835(r io.Reader, each func()) (int, error) {
	n := 0
	for tr, err := range x12.NewReader(r).Transactions() {
		if err != nil {
			return n, err
		}
		rem, err := x835.Decode(tr)
		if err != nil {
			return n, err
		}
		n += len(rem.Claims)
		each()
	}
	return n, nil
}

// scanBaseline splits on the segment terminator and counts CLP segments,
// calling each after every SE.
func scanBaseline(r io.Reader, each func()) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Split(func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, '~'); i >= 0 {
			return i + 1, bytes.TrimLeft(data[:i], "\r\n"), nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	})
	n := 0
	for sc.Scan() {
		switch seg := sc.Bytes(); {
		case bytes.HasPrefix(seg, []byte("CLP*")):
			n++
		case bytes.HasPrefix(seg, []byte("SE*")):
			each()
		}
	}
	return n, sc.Err()
}
