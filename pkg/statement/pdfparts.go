package statement

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// errParts is the error for an fpdf document the batch writer cannot take
// apart: a fault of this package, never of the statement.
var errParts = errors.New("statement: batch: a rendered statement is not the PDF the batch writer expects")

// parts is one statement's PDF as fpdf writes it, taken apart into its
// objects so that the batch writer can renumber them into its own file.
type parts struct {
	pdf   []byte
	spans [][2]int // by object number: where "n 0 obj … endobj" starts and ends; {0, 0} when absent
	root  int      // the catalog, which the batch replaces with its own
	info  int      // the information dictionary, which the batch leaves out
	pages int      // the statement's page tree root
}

var (
	partTrailer = regexp.MustCompile(`startxref\s+([0-9]+)\s+%%EOF\s*$`)
	partRoot    = regexp.MustCompile(`/Root ([0-9]+) 0 R`)
	partInfo    = regexp.MustCompile(`/Info ([0-9]+) 0 R`)
	partPages   = regexp.MustCompile(`/Pages ([0-9]+) 0 R`)
)

// maxPartVersion is the newest PDF version a part may be: the version of
// the batch's header.
const maxPartVersion = "1.4"

// splitParts takes pdf apart by its cross-reference table. fpdf writes
// its objects one after another, so each ends where the next begins.
func splitParts(pdf []byte) (*parts, error) {
	if len(pdf) < 9 || !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || string(pdf[5:8]) > maxPartVersion {
		return nil, errParts
	}
	m := partTrailer.FindSubmatch(pdf)
	if m == nil {
		return nil, errParts
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref >= len(pdf) || !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 ")) {
		return nil, errParts
	}
	line := pdf[xref+len("xref\n0 "):]
	nl := bytes.IndexByte(line, '\n')
	size, err := strconv.Atoi(string(line[:max(nl, 0)]))
	if nl < 0 || err != nil || size < 2 {
		return nil, errParts
	}
	entries := line[nl+1:]
	if len(entries) < 20*size {
		return nil, errParts
	}
	p := &parts{pdf: pdf, spans: make([][2]int, size)}
	type obj struct{ n, off int }
	objs := make([]obj, 0, size)
	for n := 1; n < size; n++ {
		e := entries[20*n : 20*n+20]
		if e[17] != 'n' {
			continue
		}
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || off >= xref {
			return nil, errParts
		}
		objs = append(objs, obj{n, off})
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].off < objs[j].off })
	for i, o := range objs {
		end := xref
		if i+1 < len(objs) {
			end = objs[i+1].off
		}
		span := pdf[o.off:end]
		if !bytes.HasPrefix(span, []byte(strconv.Itoa(o.n)+" 0 obj")) ||
			!bytes.HasSuffix(bytes.TrimRight(span, "\r\n "), []byte("endobj")) {
			return nil, errParts
		}
		p.spans[o.n] = [2]int{o.off, end}
	}
	trailer := pdf[xref:]
	if p.root = submatchInt(partRoot, trailer); p.root <= 0 || p.root >= size {
		return nil, errParts
	}
	p.info = submatchInt(partInfo, trailer)
	if p.pages = submatchInt(partPages, p.object(p.root)); p.pages <= 0 || p.pages >= size || p.spans[p.pages][1] == 0 {
		return nil, errParts
	}
	return p, nil
}

// object is object n's bytes, "n 0 obj" to "endobj".
func (p *parts) object(n int) []byte { return p.pdf[p.spans[n][0]:p.spans[n][1]] }

// submatchInt is re's first group in b as a number, or -1.
func submatchInt(re *regexp.Regexp, b []byte) int {
	m := re.FindSubmatch(b)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return -1
	}
	return n
}

// renumber appends src, the body of an object after its "n 0 obj", to dst
// with every indirect reference "n 0 R" renumbered by to. It reads PDF's
// tokens so that a string or a name is never taken for a number, and
// copies a stream's data untouched from its "stream" keyword on. A
// reference that to does not know is an error.
func renumber(dst, src []byte, to func(int) (int, bool)) ([]byte, error) {
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '(': // a literal string, nested parentheses and escapes
			depth, j := 0, i+1
			for ; j < len(src); j++ {
				if src[j] == '\\' {
					j++
				} else if src[j] == '(' {
					depth++
				} else if src[j] == ')' {
					if depth == 0 {
						break
					}
					depth--
				}
			}
			if j >= len(src) {
				return nil, errParts
			}
			dst = append(dst, src[i:j+1]...)
			i = j + 1
		case c == '<' && i+1 < len(src) && src[i+1] == '<': // a dictionary opens
			dst = append(dst, "<<"...)
			i += 2
		case c == '<': // a hex string
			j := bytes.IndexByte(src[i:], '>')
			if j < 0 {
				return nil, errParts
			}
			dst = append(dst, src[i:i+j+1]...)
			i += j + 1
		case c == '/' || isRegular(c) && !isDigit(c): // a name, or a keyword
			j := i + 1
			for j < len(src) && isRegular(src[j]) {
				j++
			}
			word := src[i:j]
			dst = append(dst, word...)
			i = j
			if string(word) == "stream" {
				return append(dst, src[i:]...), nil
			}
		case isDigit(c):
			j := i
			for j < len(src) && isRegular(src[j]) {
				j++
			}
			if n, end, ok := reference(src, i, j); ok {
				m, known := to(n)
				if !known {
					return nil, errParts
				}
				dst = strconv.AppendInt(dst, int64(m), 10)
				dst = append(dst, " 0 R"...)
				i = end
				continue
			}
			dst = append(dst, src[i:j]...)
			i = j
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst, nil
}

// reference reports whether the number at src[i:j] begins "n 0 R", and
// returns n and where the reference ends.
func reference(src []byte, i, j int) (n, end int, ok bool) {
	n, err := strconv.Atoi(string(src[i:j]))
	if err != nil {
		return 0, 0, false
	}
	k := j
	for k < len(src) && isWhite(src[k]) {
		k++
	}
	if k == j || k >= len(src) || src[k] != '0' {
		return 0, 0, false
	}
	k++
	start := k
	for k < len(src) && isWhite(src[k]) {
		k++
	}
	if k == start || k >= len(src) || src[k] != 'R' || (k+1 < len(src) && isRegular(src[k+1])) {
		return 0, 0, false
	}
	return n, k + 1, true
}

// isWhite, isDigit and isRegular classify bytes as PDF's lexical rules
// do: a regular character is neither white space nor a delimiter.
func isWhite(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isRegular(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return false
	}
	return !isWhite(c)
}

// errEmpty formats the refusal to close a batch that holds nothing.
func errEmpty(what string) error {
	return fmt.Errorf("%w: the %s holds no statement", ErrEmpty, what)
}
