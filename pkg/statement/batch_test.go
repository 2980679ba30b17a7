package statement_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/statement"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/stretchr/testify/require"
)

// numbered is statement i of a run: withLines(extra) under its own
// account number and pay link.
func numbered(i, extra int) statement.Statement {
	s := withLines(extra)
	s.AccountNumber = fmt.Sprintf("LV-%06d", i)
	s.PayURL = fmt.Sprintf("https://pay.backdesk.example/s/%08d", i)
	return s
}

func TestBatchIsOnePDFOfEveryStatement(t *testing.T) {
	var buf bytes.Buffer
	b := statement.NewBatch(&buf)
	extras := []int{0, 25, 80} // one, two and three or more pages
	want := 0
	for i, extra := range extras {
		require.NoError(t, b.Add(numbered(i, extra)))
		n, err := pdftext.PageCount(renderPDF(t, numbered(i, extra)))
		require.NoError(t, err)
		want += n
	}
	require.NoError(t, b.Close())

	// pdftext reads through the cross-reference table and checks every
	// page tree node's parent and count.
	pdf := buf.Bytes()
	got, err := pdftext.PageCount(pdf)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Page by page, the batch shows what each statement shows alone.
	runs := readRuns(t, pdf)
	page, total := 0, 0
	for i, extra := range extras {
		alone := readRuns(t, renderPDF(t, numbered(i, extra)))
		total += len(alone)
		for _, r := range alone {
			r.Page += page
			require.Contains(t, runs, r)
		}
		pages := alone[len(alone)-1].Page
		for p := 1; p <= pages; p++ {
			one(t, runs, page+p, fmt.Sprintf("Page %d of %d", p, pages))
		}
		page += pages
	}
	require.Len(t, runs, total)
}

func TestBatchRefusesAnInvalidStatementAndGoesOn(t *testing.T) {
	var buf bytes.Buffer
	b := statement.NewBatch(&buf)
	require.NoError(t, b.Add(numbered(1, 0)))
	bad := numbered(2, 0)
	bad.Guarantor.Address.PostalCode = "Zebulon"
	err := b.Add(bad)
	var invalid *statement.InvalidError
	require.ErrorAs(t, err, &invalid)
	require.Equal(t, "statement 2 of the batch: statement: invalid: guarantor.address.postal_code must be a ZIP code: five digits, or ZIP+4 as 12345-6789", err.Error())
	require.NoError(t, b.Add(numbered(3, 0)))
	require.NoError(t, b.Close())

	runs := readRuns(t, buf.Bytes())
	require.Contains(t, texts(runs), "Account LV-000001")
	require.NotContains(t, texts(runs), "Account LV-000002")
	require.Contains(t, texts(runs), "Account LV-000003")

	require.ErrorIs(t, b.Add(numbered(4, 0)), statement.ErrClosed)
	require.ErrorIs(t, b.Close(), statement.ErrClosed)
}

func TestEmptyBatchesWriteNothing(t *testing.T) {
	var buf bytes.Buffer
	require.ErrorIs(t, statement.NewBatch(&buf).Close(), statement.ErrEmpty)
	require.ErrorIs(t, statement.NewBatchZip(&buf).Close(), statement.ErrEmpty)
	require.Zero(t, buf.Len())
}

// A failed write ends a batch, and every later call says so.
func TestBatchWriteFailureIsSticky(t *testing.T) {
	b := statement.NewBatch(&limitWriter{n: 100 << 10})
	var err error
	for i := 0; err == nil && i < 100; i++ {
		err = b.Add(numbered(i, 0))
	}
	require.ErrorIs(t, err, errDisk)
	require.ErrorIs(t, b.Add(numbered(0, 0)), errDisk)
	require.ErrorIs(t, b.Close(), errDisk)

	z := statement.NewBatchZip(&limitWriter{n: 100 << 10})
	err = nil
	for i := 0; err == nil && i < 100; i++ {
		err = z.Add(numbered(i, 0))
	}
	require.ErrorIs(t, err, errDisk)
	require.ErrorIs(t, z.Close(), errDisk)
}

// limitWriter takes n bytes, then fails.
type limitWriter struct{ n int }

func (w *limitWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDisk
	}
	w.n -= len(p)
	return len(p), nil
}

func TestBatchZipIsPDFsAndAManifest(t *testing.T) {
	var buf bytes.Buffer
	z := statement.NewBatchZip(&buf)
	require.NoError(t, z.Add(numbered(1, 0)))
	bad := numbered(2, 0)
	bad.PayURL = "http://insecure.example/"
	require.ErrorContains(t, z.Add(bad), "statement 2 of the batch: statement: invalid: pay_url")
	second := numbered(3, 25)
	second.Guarantor.Address.Line2 = ""
	second.Guarantor.Name = "O'Brien, \"Pat\""
	require.NoError(t, z.Add(second))
	require.NoError(t, z.Close())

	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	require.NoError(t, err)
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, err := f.Open()
		require.NoError(t, err)
		files[f.Name], err = io.ReadAll(rc) // checks the CRC too
		require.NoError(t, err)
		require.NoError(t, rc.Close())
	}
	require.Equal(t, []string{"statement-00001.pdf", "statement-00002.pdf", statement.ManifestName}, names)
	// Each PDF is what Render writes.
	require.Equal(t, renderPDF(t, numbered(1, 0)), files["statement-00001.pdf"])
	require.Equal(t, renderPDF(t, second), files["statement-00002.pdf"])

	rows, err := csv.NewReader(bytes.NewReader(files[statement.ManifestName])).ReadAll()
	require.NoError(t, err)
	require.Equal(t, [][]string{
		{"file_name", "account_number", "guarantor_name", "address_line1", "address_line2", "city", "state", "postal_code", "pages", "amount_due_cents", "amount_due"},
		{"statement-00001.pdf", "LV-000001", "Maria L. Gomez", "1187 Elm Avenue", "Apt 3B", "Huron", "OH", "44839-1021", "1", "68728", "$687.28"},
		{"statement-00002.pdf", "LV-000003", "O'Brien, \"Pat\"", "1187 Elm Avenue", "", "Huron", "OH", "44839-1021", "2", "71228", "$712.28"},
	}, rows)
}

// peakHeap samples HeapInuse while it runs and returns the most seen,
// in bytes, when stopped.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	var peak atomic.Uint64
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak.Load() {
			peak.Store(m.HeapInuse)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		sample()
		return peak.Load()
	}
}

// A batch's heap stays well inside the 64 MB a statement run may use; the
// benchmark measures it for a run of 5,000.
func TestBatchHeapStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("renders hundreds of statements")
	}
	for _, zipped := range []bool{false, true} {
		stop := peakHeap()
		var w interface {
			Add(statement.Statement) error
			Close() error
		} = statement.NewBatch(io.Discard)
		if zipped {
			w = statement.NewBatchZip(io.Discard)
		}
		for i := range 300 {
			require.NoError(t, w.Add(numbered(i, i%40)))
		}
		require.NoError(t, w.Close())
		peak := stop()
		require.Less(t, peak, uint64(64<<20), "zip %v: peak heap %d MB", zipped, peak>>20)
	}
}
