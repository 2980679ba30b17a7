package statement

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strconv"
	"time"
)

// ManifestName is the name of the CSV manifest in a BatchZip.
const ManifestName = "manifest.csv"

// manifestHeader names the manifest's columns; the package documentation
// says what each holds.
var manifestHeader = []string{
	"file_name", "account_number", "guarantor_name",
	"address_line1", "address_line2", "city", "state", "postal_code",
	"pages", "amount_due_cents", "amount_due",
}

// BatchZip writes a print-and-mail vendor file, streaming: a zip of one
// PDF per statement, each as Render writes it and named by its place in
// the batch (statement-00001.pdf, statement-00002.pdf, …, so that the
// names carry no patient data), and a CSV manifest, ManifestName, with a
// row per PDF. The PDFs are stored as they are, their content being
// compressed already.
//
// It holds one statement's document at a time. What it keeps besides
// grows with the batch: the zip's central directory, which archive/zip
// keeps until Close (about 150 bytes a statement), and the manifest,
// kept compressed until it is written last (about 60 bytes a statement):
// about 1 MB for 5,000.
//
// A BatchZip is not safe for concurrent use.
type BatchZip struct {
	zw       *zip.Writer
	manifest bytes.Buffer // the CSV so far, deflated
	fw       *flate.Writer
	crc      hash.Hash32 // of the CSV as written
	size     int64       // the CSV's length
	csv      *csv.Writer
	latest   time.Time // the latest statement date: the manifest's time
	files    int       // PDFs written
	added    int       // calls to Add, refused statements included
	err      error     // sticky: a write failed
	closed   bool
}

// NewBatchZip starts a vendor file that writes to w; it writes nothing
// before the first statement.
func NewBatchZip(w io.Writer) *BatchZip {
	z := &BatchZip{zw: zip.NewWriter(w), crc: crc32.NewIEEE()}
	z.fw, _ = flate.NewWriter(&z.manifest, flate.DefaultCompression) // fails only for a bad level
	z.csv = csv.NewWriter(io.MultiWriter(z.crc, z.fw, counter{&z.size}))
	_ = z.csv.Write(manifestHeader) // into memory: cannot fail
	return z
}

// counter adds the length of every write to *n.
type counter struct{ n *int64 }

// Write counts p.
func (c counter) Write(p []byte) (int, error) {
	*c.n += int64(len(p))
	return len(p), nil
}

// Add renders s into the zip and adds its row to the manifest. A
// statement with problems is refused as Batch.Add refuses it, writing
// nothing; a failure to write ends the batch.
func (z *BatchZip) Add(s Statement) error {
	if z.closed {
		return ErrClosed
	}
	if z.err != nil {
		return z.err
	}
	z.added++
	pdf, pages, err := render(s)
	if err != nil {
		return fmt.Errorf("statement %d of the batch: %w", z.added, err)
	}
	name := fmt.Sprintf("statement-%05d.pdf", z.files+1)
	at := s.StatementDate.Time()
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: at})
	if err == nil {
		_, err = w.Write(pdf)
	}
	if err != nil {
		z.err = fmt.Errorf("statement: writing the vendor file: %w", err)
		return z.err
	}
	z.files++
	if at.After(z.latest) {
		z.latest = at
	}
	g, due := s.Guarantor, s.Totals().DueCents
	// Into memory: cannot fail.
	_ = z.csv.Write([]string{
		name, s.AccountNumber, g.Name,
		g.Address.Line1, g.Address.Line2, g.Address.City, g.Address.State, g.Address.PostalCode,
		strconv.Itoa(pages), strconv.FormatInt(due, 10), FormatCents(due),
	})
	return nil
}

// Close writes the manifest and the zip's central directory. It does not
// close the underlying writer. A vendor file that holds no statement
// writes nothing and returns ErrEmpty.
func (z *BatchZip) Close() error {
	if z.closed {
		return ErrClosed
	}
	z.closed = true
	if z.err != nil {
		return z.err
	}
	if z.files == 0 {
		return errEmpty("vendor file")
	}
	z.csv.Flush()
	if err := z.fw.Close(); err != nil {
		return fmt.Errorf("statement: compressing the manifest: %w", err)
	}
	w, err := z.zw.CreateRaw(&zip.FileHeader{
		Name:               ManifestName,
		Method:             zip.Deflate,
		Modified:           z.latest,
		CRC32:              z.crc.Sum32(),
		CompressedSize64:   uint64(z.manifest.Len()),
		UncompressedSize64: uint64(z.size),
	})
	if err == nil {
		_, err = w.Write(z.manifest.Bytes())
	}
	if err == nil {
		err = z.zw.Close()
	}
	if err != nil {
		z.err = fmt.Errorf("statement: writing the vendor file: %w", err)
	}
	return z.err
}
