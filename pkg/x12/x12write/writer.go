package x12write

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// envelopeIDs are the segments the Writer writes itself.
var envelopeIDs = map[string]bool{"ISA": true, "IEA": true, "GS": true, "GE": true, "ST": true, "SE": true}

// ErrClosed is returned by every call on a Writer after Close.
var ErrClosed = errors.New("x12write: interchange is closed")

// Writer writes one interchange holding one functional group. Its methods
// must be called in order: Begin, Segment as often as needed, End, again
// for each transaction set, and Close once. A Writer is not safe for
// concurrent use.
type Writer struct {
	bw  *bufio.Writer
	env Envelope
	buf []byte // the segment being built

	segments    int    // segments written so far, envelopes included
	bytes       int64  // bytes written so far, buffered ones included
	sets        int    // transaction sets begun
	setControl  string // ST02 of the open set; "" when none is open
	setSegments int    // segments of the open set so far, ST included

	err    error // sticky: an I/O error ends the writing
	closed bool
}

// NewWriter checks env and writes the ISA and GS headers to w through a
// buffer; Close flushes it.
func NewWriter(w io.Writer, env Envelope) (*Writer, error) {
	if err := env.check(); err != nil {
		return nil, err
	}
	ww := &Writer{bw: bufio.NewWriterSize(w, 64<<10), env: env, buf: make([]byte, 0, 256)}
	isa := env.isa()
	ww.bytes += int64(len(isa))
	ww.segments++
	if _, err := ww.bw.WriteString(isa); err != nil {
		ww.err = err
		return nil, ww.ioError(err)
	}
	sender, receiver := env.group()
	ww.write("GS", env.FunctionalID, sender, receiver, env.At.Format("20060102"), env.At.Format("1504"),
		strconv.FormatInt(env.GroupControl, 10), "X", env.Version)
	if ww.err != nil {
		return nil, ww.err
	}
	return ww, nil
}

// Begin opens a transaction set: it writes ST with code (ST01, three
// digits such as 270), control (ST02, 4 to 9 bytes, unique within the
// group) and the envelope's Version (ST03).
func (w *Writer) Begin(code, control string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.setControl != "" {
		return fmt.Errorf("x12write: Begin while transaction set %q is open", w.setControl)
	}
	if len(code) != 3 || !allDigits(code) {
		return &ValueError{Segment: w.segments + 1, SegmentID: "ST", Element: 1, Problem: "transaction set identifier is not three digits"}
	}
	if p := TextProblem(control, 4, 9); p != "" {
		return &ValueError{Segment: w.segments + 1, SegmentID: "ST", Element: 2, Problem: "control number " + p}
	}
	if err := w.write("ST", code, control, w.env.Version); err != nil {
		return err
	}
	w.sets++
	w.setControl, w.setSegments = control, 1
	return nil
}

// Segment writes one segment of the open transaction set. Trailing empty
// elements are dropped, so optional elements at the end can be passed as
// "". An element may be a Composite or a Repeat; any other value holding a
// delimiter, a control character or a byte outside printable ASCII is
// refused with a *ValueError, and nothing is written.
func (w *Writer) Segment(id string, elements ...string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if envelopeIDs[id] {
		return &ValueError{Segment: w.segments + 1, SegmentID: id, Problem: "envelope segments are written by NewWriter, Begin, End and Close"}
	}
	if w.setControl == "" {
		return &ValueError{Segment: w.segments + 1, SegmentID: id, Problem: "segment outside a transaction set: call Begin first"}
	}
	if err := w.write(id, elements...); err != nil {
		return err
	}
	w.setSegments++
	return nil
}

// End closes the open transaction set with an SE that counts its
// segments.
func (w *Writer) End() error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.setControl == "" {
		return errors.New("x12write: End without an open transaction set")
	}
	if err := w.write("SE", strconv.Itoa(w.setSegments+1), w.setControl); err != nil {
		return err
	}
	w.setControl = ""
	return nil
}

// Close writes the GE and IEA trailers and flushes. It does not close the
// underlying writer. A transaction set still open is an error, and nothing
// more is written.
func (w *Writer) Close() error {
	if err := w.usable(); err != nil {
		return err
	}
	if w.setControl != "" {
		return fmt.Errorf("x12write: Close while transaction set %q is open", w.setControl)
	}
	w.write("GE", strconv.Itoa(w.sets), strconv.FormatInt(w.env.GroupControl, 10))
	w.write("IEA", "1", fmt.Sprintf("%09d", w.env.InterchangeControl))
	if w.err == nil {
		if err := w.bw.Flush(); err != nil {
			w.err = w.ioError(err)
		}
	}
	w.closed = true
	return w.err
}

// Bytes returns how many bytes have been written, counting those still in
// the buffer.
func (w *Writer) Bytes() int64 { return w.bytes }

// Sets returns how many transaction sets have been begun.
func (w *Writer) Sets() int { return w.sets }

// Segments returns how many segments have been written, envelopes
// included.
func (w *Writer) Segments() int { return w.segments }

func (w *Writer) usable() error {
	switch {
	case w.closed:
		return ErrClosed
	case w.err != nil:
		return w.err
	}
	return nil
}

// write builds a segment, checking every element, and writes it with its
// terminator and a line break.
func (w *Writer) write(id string, elements ...string) error {
	if w.err != nil {
		return w.err
	}
	pos := w.segments + 1
	if !validID(id) {
		return &ValueError{Segment: pos, Problem: fmt.Sprintf("segment identifier of %d bytes is not two or three upper-case letters and digits", len(id))}
	}
	for len(elements) > 0 && elements[len(elements)-1] == "" {
		elements = elements[:len(elements)-1]
	}
	b := append(w.buf[:0], id...)
	for i, e := range elements {
		b = append(b, ElementSeparator)
		component := 1
		for j := 0; j < len(e); j++ {
			c := e[j]
			if plain[c] {
				b = append(b, c)
				continue
			}
			switch c {
			case componentMark:
				b = append(b, ComponentSeparator)
				component++
			case repetitionMark:
				b = append(b, RepetitionSeparator)
				component = 1
			default:
				err := &ValueError{Segment: pos, SegmentID: id, Element: i + 1, Problem: byteProblem(c)}
				if component > 1 || strings.IndexByte(e[j:], componentMark) >= 0 {
					err.Component = component
				}
				w.buf = b
				return err
			}
		}
	}
	b = append(b, SegmentTerminator, '\n')
	w.buf = b
	w.segments++
	w.bytes += int64(len(b))
	if _, err := w.bw.Write(b); err != nil {
		w.err = w.ioError(err)
		return w.err
	}
	return nil
}

func (w *Writer) ioError(err error) error {
	return fmt.Errorf("x12write: writing segment %d: %w", w.segments, err)
}

// validID reports whether id can be a segment identifier: two or three
// upper-case letters and digits, starting with a letter.
func validID(id string) bool {
	if len(id) < 2 || len(id) > 3 || id[0] < 'A' || id[0] > 'Z' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
