package x12

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxSegmentLen is the longest segment the Reader accepts, in bytes. Real
// segments are a few hundred bytes at most; hitting the limit usually means
// the file does not use the terminator its ISA header declares.
const MaxSegmentLen = 64 << 10

// bufferSize is the size of the Reader's input buffer.
const bufferSize = 64 << 10

// Reader reads segments from an X12 input and checks its envelopes.
type Reader struct {
	br    *bufio.Reader
	delim Delimiters
	off   int64 // offset of the next unread byte
	n     int   // segments read so far
	env   envelope
	err   error  // sticky: once set, every call returns it
	buf   []byte // a segment that spans buffer refills

	lastSetLen int              // segments in the last transaction set NextTransaction returned
	acks       []InterchangeAck // the TA1 segments read so far
}

// NewReader returns a Reader that reads from r through a buffer of bounded
// size.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, bufferSize)}
}

// Delimiters returns the delimiters of the interchange being read; it is
// the zero value before the first ISA segment.
func (r *Reader) Delimiters() Delimiters {
	return r.delim
}

// Next returns the next segment, envelopes included. At the end of input
// after a closed interchange it returns io.EOF. Any other error, a
// *SyntaxError for bad input or the underlying reader's error, ends the
// reading: later calls return the same error.
func (r *Reader) Next() (Segment, error) {
	if r.err != nil {
		return Segment{}, r.err
	}
	seg, err := r.next()
	if err != nil {
		r.err = err
		return Segment{}, err
	}
	return seg, nil
}

func (r *Reader) next() (Segment, error) {
	if err := r.skipSpace(); err != nil {
		if err == io.EOF {
			return Segment{}, r.endOfInput()
		}
		return Segment{}, r.ioError(err)
	}
	pos := Pos{Segment: r.n + 1, Offset: r.off}
	if r.env.level == outside {
		return r.readISA(pos)
	}
	raw, err := r.readRaw()
	if err != nil {
		if err == io.EOF {
			id := segmentID(raw, r.delim.Element)
			if id == "IEA" && r.env.level == inInterchange {
				return r.unterminatedIEA(raw, pos)
			}
			return Segment{}, errAt(pos, id, 0, "input ends before the segment terminator %s: %s",
				quoteByte(r.delim.Segment), r.env.describe())
		}
		if err == errTooLong {
			return Segment{}, errAt(pos, segmentID(raw, r.delim.Element), 0,
				"segment is longer than %d bytes; does the file use the terminator %s its ISA declares?",
				MaxSegmentLen, quoteByte(r.delim.Segment))
		}
		return Segment{}, r.ioError(err)
	}
	r.n++
	seg, err := r.split(raw, pos)
	if err != nil {
		return Segment{}, err
	}
	if err := r.env.check(seg); err != nil {
		return Segment{}, err
	}
	if seg.ID == "TA1" {
		r.acks = append(r.acks, InterchangeAck{Interchange: r.env.interchange, Segment: seg})
	}
	return seg, nil
}

// endOfInput decides what running out of input between segments means.
func (r *Reader) endOfInput() error {
	pos := Pos{Segment: r.n + 1, Offset: r.off}
	switch {
	case r.env.level != outside:
		return errAt(pos, "", 0, "unexpected end of input: %s", r.env.describe())
	case r.n == 0:
		return errAt(pos, "", 0, "input is empty; expected an ISA segment")
	}
	return io.EOF
}

func (r *Reader) ioError(err error) error {
	return fmt.Errorf("x12: reading segment %d at byte %d: %w", r.n+1, r.off, err)
}

// skipSpace consumes the white space (line breaks, usually) that may
// follow a segment terminator, and a byte order mark before the first ISA.
// After an IEA it also consumes the NUL and Ctrl-Z bytes some systems pad
// the end of a file with.
func (r *Reader) skipSpace() error {
	if r.off == 0 {
		if b, err := r.br.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
			r.br.Discard(3)
			r.off += 3
		}
	}
	skip := isSpace
	if r.env.level == outside && r.n > 0 {
		skip = isPadding
	}
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			return err
		}
		if !skip(c) {
			return r.br.UnreadByte()
		}
		r.off++
	}
}

// isPadding reports whether c may trail the last IEA of a file: white
// space, NUL, or the Ctrl-Z that marks the end of a DOS text file.
func isPadding(c byte) bool {
	return isSpace(c) || c == 0 || c == 0x1a
}

// unterminatedIEA handles input that ends inside an IEA, with no segment
// terminator after it: some systems leave the terminator off the last
// segment of a file. raw is the rest of the input from the IEA's first
// byte. The IEA is accepted when both its elements are whole, which is
// known when IEA02 has all the digits of ISA13; a shorter IEA02 may have
// been cut off, and taking it at its word would accept a truncated file,
// so it is refused. An accepted IEA is checked like any other.
func (r *Reader) unterminatedIEA(raw []byte, pos Pos) (Segment, error) {
	end := len(raw)
	for end > 0 && isPadding(raw[end-1]) {
		end--
	}
	seg, err := r.split(raw[:end], pos)
	if err != nil {
		return Segment{}, err
	}
	const incomplete = "the last segment has no segment terminator and is incomplete: "
	digits := len(r.env.interchange.ControlNumber)
	switch {
	case len(seg.Elements) == 0:
		return Segment{}, seg.Errorf(1, incomplete+"the input ends before IEA01")
	case len(seg.Elements) == 1:
		return Segment{}, seg.Errorf(2, incomplete+"the input ends before IEA02")
	case len(seg.Element(2)) < digits:
		return Segment{}, seg.Errorf(2, incomplete+"the input ends inside IEA02, after %d of its %d digits",
			len(seg.Element(2)), digits)
	}
	r.n++
	if err := r.env.check(seg); err != nil {
		return Segment{}, err
	}
	return seg, nil
}

// readISA reads a fixed-length ISA segment and opens an interchange with
// its delimiters. Line breaks within the first 105 bytes are dropped, so
// files wrapped at a fixed width still read.
func (r *Reader) readISA(pos Pos) (Segment, error) {
	var b [ISALen]byte
	n := 0
	for n < ISALen {
		c, err := r.br.ReadByte()
		if err == io.EOF {
			if n < 3 || !bytes.Equal(b[:3], []byte("ISA")) {
				return Segment{}, notISA(pos, b[:n])
			}
			return Segment{}, errAt(pos, "ISA", 0, "input ends inside the ISA segment after %d of its %d bytes", n, ISALen)
		}
		if err != nil {
			return Segment{}, r.ioError(err)
		}
		r.off++
		if n < ISALen-1 && (c == '\r' || c == '\n') {
			continue
		}
		b[n] = c
		n++
		if n == 3 && !bytes.Equal(b[:3], []byte("ISA")) {
			return Segment{}, notISA(pos, b[:3])
		}
	}
	r.n++
	d, seg, err := parseISA(b[:], pos)
	if err != nil {
		return Segment{}, err
	}
	r.delim = d
	r.env.openInterchange(seg, d)
	return seg, nil
}

func notISA(pos Pos, got []byte) error {
	if len(got) == 0 {
		return errAt(pos, "", 0, "expected an ISA segment")
	}
	return errAt(pos, "", 0, "expected an ISA segment, found %q", got)
}

var errTooLong = errors.New("segment too long")

// readRaw reads up to the segment terminator and returns the segment
// without it. At the end of input it returns what it read with io.EOF.
func (r *Reader) readRaw() ([]byte, error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice(r.delim.Segment)
		r.off += int64(len(chunk))
		switch err {
		case nil:
			chunk = chunk[:len(chunk)-1]
			if len(r.buf) == 0 {
				return chunk, nil
			}
			r.buf = append(r.buf, chunk...)
			if len(r.buf) > MaxSegmentLen {
				return r.buf, errTooLong
			}
			return r.buf, nil
		case bufio.ErrBufferFull:
			r.buf = append(r.buf, chunk...)
			if len(r.buf) > MaxSegmentLen {
				return r.buf, errTooLong
			}
		default:
			r.buf = append(r.buf, chunk...)
			return r.buf, err
		}
	}
}
