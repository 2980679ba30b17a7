package recordcsv

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encoding detection works on a stream, so it cannot see the whole file.
// The decoder buffers the first 64 KiB and decides once:
//
//   - a UTF-16 or UTF-32 byte-order mark, or NUL bytes in the sample, is a
//     file error (the office must save as UTF-8 or CSV);
//   - if the sample is valid UTF-8 (a UTF-8 BOM is stripped) the file is
//     read as UTF-8, and any invalid byte found later is decoded as
//     Windows-1252 on its own: a mostly-UTF-8 file with one pasted
//     "Peña" in cp1252 then still reads correctly;
//   - otherwise the whole file is read as Windows-1252, the encoding Excel
//     and older practice systems on Windows write by default.
//
// Carriage returns are normalised on the way: CRLF and the lone CR of old
// Mac spreadsheets both become LF, so line numbers match what an editor
// shows.
const (
	sniffSize = 64 << 10
	chunkSize = 32 << 10
)

// decoder is the io.Reader encoding/csv reads: UTF-8 with LF line ends,
// whatever the file was written in.
type decoder struct {
	src      *bufio.Reader
	cp1252   bool
	in       []byte // raw bytes read but not decoded: a split rune or a CR awaiting its LF
	buf      []byte // decoded bytes; out is the part not yet returned
	out      []byte
	consumed int64 // raw bytes taken from the source, for progress
	produced int64 // decoded bytes handed to the CSV parser
	err      error // sticky: io.EOF, a *FileError or the source's error
}

func newDecoder(r io.Reader) (*decoder, error) {
	d := &decoder{src: bufio.NewReaderSize(r, sniffSize), in: make([]byte, 0, chunkSize+utf8.UTFMax)}
	head, err := d.src.Peek(sniffSize)
	if err != nil && err != io.EOF {
		return nil, err
	}
	switch {
	case len(head) == 0:
		return nil, fileErr("empty", "the file is empty")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, fileErr("bad_encoding", "the file is saved as UTF-16 (Unicode); save it as CSV UTF-8 and send it again")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fileErr("not_csv", "the file is an Excel workbook, not CSV; open it and save it as CSV UTF-8")
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		head = head[3:]
		d.consumed = 3 // discarded below, once head is no longer needed
	}
	if nul := bytes.Count(head, []byte{0}); nul > 0 {
		if nul > len(head)/4 {
			return nil, fileErr("bad_encoding", "the file looks like UTF-16 (Unicode) text; save it as CSV UTF-8 and send it again")
		}
		return nil, fileErr("not_csv", "the file contains NUL bytes, so it is not a text CSV file; export it again as CSV")
	}
	// A full sample may end inside a character; only an invalid sequence
	// before that point decides Windows-1252.
	valid := utf8.Valid(head)
	for cut := 1; !valid && cut < utf8.UTFMax && len(head) > sniffSize-utf8.UTFMax; cut++ {
		valid = utf8.Valid(head[:len(head)-cut])
	}
	d.cp1252 = !valid
	if len(head) == 0 {
		return nil, fileErr("empty", "the file is empty")
	}
	_, _ = d.src.Discard(int(d.consumed))
	return d, nil
}

// Read hands decoded UTF-8 to the CSV parser.
func (d *decoder) Read(p []byte) (int, error) {
	for len(d.out) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		d.fill()
	}
	n := copy(p, d.out)
	d.out = d.out[n:]
	d.produced += int64(n)
	return n, nil
}

// fill reads one chunk of raw bytes and decodes it into d.out.
func (d *decoder) fill() {
	n, err := d.src.Read(d.in[len(d.in):cap(d.in)])
	d.in = d.in[:len(d.in)+n]
	d.consumed += int64(n)
	atEOF := err != nil
	in, out := d.in, d.buf[:0]
	i := 0
decode:
	for i < len(in) {
		// Plain ASCII is the common case: copy it in runs.
		j := i
		for j < len(in) && in[j] < utf8.RuneSelf && in[j] != '\r' && in[j] != 0 {
			j++
		}
		out = append(out, in[i:j]...)
		i = j
		if i == len(in) {
			break
		}
		switch c := in[i]; {
		case c == 0:
			d.err = fileErr("not_csv", "the file contains a NUL byte near byte %s, so it is not a text CSV file; export it again as CSV",
				strconv.FormatInt(d.consumed-int64(len(in)-i), 10))
			d.in, d.out = d.in[:0], nil
			return
		case c == '\r':
			if i+1 == len(in) && !atEOF {
				break decode // the LF may be in the next chunk
			}
			out = append(out, '\n')
			i++
			if i < len(in) && in[i] == '\n' {
				i++
			}
		case d.cp1252:
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(c))
			i++
		default:
			r, size := utf8.DecodeRune(in[i:])
			if r == utf8.RuneError && size == 1 {
				if !atEOF && !utf8.FullRune(in[i:]) {
					break decode // the rest of the character is in the next chunk
				}
				r = charmap.Windows1252.DecodeByte(c)
			}
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	d.in = d.in[:copy(d.in, in[i:])]
	d.buf, d.out = out, out
	if atEOF {
		d.err = err
	}
}
