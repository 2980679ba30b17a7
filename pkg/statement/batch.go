package statement

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// ErrClosed is returned by Add and Close on a batch already closed.
var ErrClosed = errors.New("statement: the batch is closed")

// ErrEmpty is returned by Close on a batch to which no statement was
// added: it has written nothing, since a PDF of no pages is not one that
// viewers and printers open.
var ErrEmpty = errors.New("statement: empty batch")

// Batch writes many statements into one PDF, streaming: each statement is
// rendered on its own, as Render would, and its objects are renumbered
// into the batch's file and written out at once. Each statement's pages
// hang under their own node of the page tree, so every "page N of M"
// counts that statement's pages.
//
// fpdf builds a whole document in memory before writing it, so a batch
// never holds more than one statement's document; what it keeps besides
// is the offset of every object written (8 bytes each, about six objects a
// statement) and the page tree node of every statement, which the
// cross-reference table and the page tree at the end need: about 100 bytes
// a statement, 0.5 MB for 5,000.
//
// A Batch is not safe for concurrent use.
type Batch struct {
	w       *bufio.Writer
	at      int64   // bytes written so far
	offsets []int64 // by object number; objects 1 and 2 are written by Close
	kids    []int   // the page tree node of each statement
	pages   int     // pages so far
	added   int     // calls to Add, refused statements included
	err     error   // sticky: a write failed
	closed  bool
}

// NewBatch starts a batch that writes to w; it writes nothing before the
// first statement.
func NewBatch(w io.Writer) *Batch {
	return &Batch{w: bufio.NewWriterSize(w, 64<<10)}
}

// pdfHeader begins the batch's file, with bytes above 127 that mark it as
// binary.
const pdfHeader = "%PDF-" + maxPartVersion + "\n%\xe2\xe3\xcf\xd3\n"

// The batch's own objects.
const (
	batchPages   = 1 // the page tree root, whose kids are the statements' nodes
	batchCatalog = 2
)

// Add renders s and appends its pages. A statement with problems is
// refused with an error wrapping its *InvalidError and saying which call
// of Add it was; nothing of it is written and the batch goes on. A
// failure to write ends the batch: every later call returns it.
func (b *Batch) Add(s Statement) error {
	if b.closed {
		return ErrClosed
	}
	if b.err != nil {
		return b.err
	}
	b.added++
	pdf, pages, err := render(s)
	if err != nil {
		return fmt.Errorf("statement %d of the batch: %w", b.added, err)
	}
	p, err := splitParts(pdf)
	if err != nil {
		return fmt.Errorf("statement %d of the batch: %w", b.added, err)
	}
	// Every object but the catalog and the information dictionary takes
	// the next number in the batch; the header and the batch's own
	// objects come first.
	first := len(b.kids) == 0
	numbers := make([]int, len(p.spans))
	next, start := len(b.offsets), b.at
	if first {
		next, start = batchCatalog+1, int64(len(pdfHeader))
	}
	for n := range p.spans {
		if p.spans[n][1] != 0 && n != p.root && n != p.info {
			numbers[n] = next
			next++
		}
	}
	to := func(n int) (int, bool) {
		if n <= 0 || n >= len(numbers) || numbers[n] == 0 {
			return 0, false
		}
		return numbers[n], true
	}
	// The objects are built whole before any is written, so that a
	// statement refused half way leaves nothing behind.
	buf := make([]byte, 0, len(pdf)+256)
	at := make([]int64, 0, len(p.spans))
	for n, m := range numbers {
		if m == 0 {
			continue
		}
		obj := p.object(n)
		body := obj[len(strconv.Itoa(n)+" 0 obj"):]
		at = append(at, start+int64(len(buf)))
		buf = strconv.AppendInt(buf, int64(m), 10)
		buf = append(buf, " 0 obj"...)
		if n == p.pages {
			// The statement's page tree root becomes a node under the
			// batch's.
			open := indexDict(body)
			if open < 0 {
				return fmt.Errorf("statement %d of the batch: %w", b.added, errParts)
			}
			buf = append(buf, body[:open+2]...)
			buf = append(buf, "/Parent "+strconv.Itoa(batchPages)+" 0 R "...)
			body = body[open+2:]
		}
		if buf, err = renumber(buf, body, to); err != nil {
			return fmt.Errorf("statement %d of the batch: %w", b.added, err)
		}
	}
	if first {
		b.write([]byte(pdfHeader))
		b.offsets = append(b.offsets[:0], 0, 0, 0) // objects 0, 1 and 2
	}
	b.offsets = append(b.offsets, at...)
	b.write(buf)
	b.kids = append(b.kids, numbers[p.pages])
	b.pages += pages
	return b.err
}

// indexDict is where the first "<<" of an object's body is, or -1.
func indexDict(body []byte) int {
	for i := 0; i+1 < len(body); i++ {
		if body[i] == '<' && body[i+1] == '<' {
			return i
		}
	}
	return -1
}

// write writes p unless a write has failed, counting the bytes.
func (b *Batch) write(p []byte) {
	if b.err != nil {
		return
	}
	n, err := b.w.Write(p)
	b.at += int64(n)
	if err != nil {
		b.err = fmt.Errorf("statement: writing the batch: %w", err)
	}
}

// Close writes the page tree root, the catalog and the cross-reference
// table, and flushes. It does not close the underlying writer. A batch
// that holds no statement writes nothing and returns ErrEmpty.
func (b *Batch) Close() error {
	if b.closed {
		return ErrClosed
	}
	b.closed = true
	if b.err != nil {
		return b.err
	}
	if len(b.kids) == 0 {
		return errEmpty("batch")
	}
	buf := make([]byte, 0, 64<<10)
	b.offsets[batchPages] = b.at
	buf = append(buf, "1 0 obj\n<</Type /Pages\n/Kids ["...)
	for i, k := range b.kids {
		if i > 0 && i%10 == 0 {
			buf = append(buf, '\n')
		}
		buf = strconv.AppendInt(buf, int64(k), 10)
		buf = append(buf, " 0 R "...)
		if len(buf) > 60<<10 {
			b.write(buf)
			buf = buf[:0]
		}
	}
	buf = fmt.Appendf(buf, "]\n/Count %d\n>>\nendobj\n", b.pages)
	b.write(buf)
	b.offsets[batchCatalog] = b.at
	b.write([]byte("2 0 obj\n<</Type /Catalog\n/Pages 1 0 R\n>>\nendobj\n"))

	xref := b.at
	buf = fmt.Appendf(buf[:0], "xref\n0 %d\n0000000000 65535 f \n", len(b.offsets))
	for _, off := range b.offsets[1:] {
		buf = fmt.Appendf(buf, "%010d 00000 n \n", off)
		if len(buf) > 60<<10 {
			b.write(buf)
			buf = buf[:0]
		}
	}
	buf = fmt.Appendf(buf, "trailer\n<</Size %d\n/Root %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n", len(b.offsets), batchCatalog, xref)
	b.write(buf)
	if b.err == nil {
		if err := b.w.Flush(); err != nil {
			b.err = fmt.Errorf("statement: writing the batch: %w", err)
		}
	}
	return b.err
}
