package pdftext

import (
	"bytes"
	"fmt"
	"strconv"
)

// The values a PDF object may be, as the parser returns them: float64 for
// numbers, bool, nil for null, and these.
type (
	name   string          // a name, without its slash
	str    []byte          // a string's bytes, escapes resolved
	ref    struct{ n int } // an indirect reference; generations are always 0 here
	dict   map[string]any  // a dictionary, keyed by name
	op     string          // a content stream operator, or a keyword such as "stream"
	stream struct {        // a stream: its dictionary and its data, still encoded
		dict dict
		data []byte
	}
)

// parser reads PDF objects from b, starting at i.
type parser struct {
	b []byte
	i int
}

// isSpace and isDelim classify bytes as PDF's lexical rules do.
func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

// skip passes white space and comments.
func (p *parser) skip() {
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case isSpace(c):
			p.i++
		case c == '%':
			for p.i < len(p.b) && p.b[p.i] != '\n' && p.b[p.i] != '\r' {
				p.i++
			}
		default:
			return
		}
	}
}

// regular reads a run of regular characters: a number or a keyword.
func (p *parser) regular() string {
	start := p.i
	for p.i < len(p.b) && !isSpace(p.b[p.i]) && !isDelim(p.b[p.i]) {
		p.i++
	}
	return string(p.b[start:p.i])
}

// errEnd is returned when the input ends inside an object.
var errEnd = fmt.Errorf("pdftext: unexpected end of data")

// object reads one object; an operator or keyword comes back as op, the
// closing ">>" and "]" as op too, so that dictionaries and arrays can
// find their ends.
func (p *parser) object() (any, error) {
	p.skip()
	if p.i >= len(p.b) {
		return nil, errEnd
	}
	switch c := p.b[p.i]; {
	case c == '/':
		p.i++
		return name(p.regular()), nil
	case c == '(':
		return p.literal()
	case c == '<' && p.i+1 < len(p.b) && p.b[p.i+1] == '<':
		p.i += 2
		return p.dictionary()
	case c == '<':
		return p.hex()
	case c == '>' && p.i+1 < len(p.b) && p.b[p.i+1] == '>':
		p.i += 2
		return op(">>"), nil
	case c == '[':
		p.i++
		return p.array()
	case c == ']':
		p.i++
		return op("]"), nil
	case isDelim(c):
		return nil, fmt.Errorf("pdftext: unexpected %q at byte %d", c, p.i)
	}
	word := p.regular()
	switch word {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	}
	n, err := strconv.ParseFloat(word, 64)
	if err != nil {
		return op(word), nil
	}
	// An integer may begin a reference: "12 0 R".
	if n == float64(int(n)) {
		save := p.i
		p.skip()
		gen := p.regular()
		p.skip()
		if _, err := strconv.Atoi(gen); err == nil && p.regular() == "R" {
			return ref{int(n)}, nil
		}
		p.i = save
	}
	return n, nil
}

// dictionary reads a dictionary's entries after its "<<".
func (p *parser) dictionary() (dict, error) {
	d := dict{}
	for {
		k, err := p.object()
		if err != nil {
			return nil, err
		}
		if k == op(">>") {
			return d, nil
		}
		key, ok := k.(name)
		if !ok {
			return nil, fmt.Errorf("pdftext: dictionary key is not a name at byte %d", p.i)
		}
		v, err := p.object()
		if err != nil {
			return nil, err
		}
		d[string(key)] = v
	}
}

// array reads an array's elements after its "[".
func (p *parser) array() ([]any, error) {
	var a []any
	for {
		v, err := p.object()
		if err != nil {
			return nil, err
		}
		if v == op("]") {
			return a, nil
		}
		a = append(a, v)
	}
}

// literal reads a (string), resolving its escapes.
func (p *parser) literal() (str, error) {
	var out []byte
	depth := 0
	p.i++ // (
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch c {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return out, nil
			}
			depth--
		case '\\':
			if p.i >= len(p.b) {
				return nil, errEnd
			}
			e := p.b[p.i]
			p.i++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r', '\n': // a line continued
				if e == '\r' && p.i < len(p.b) && p.b[p.i] == '\n' {
					p.i++
				}
				continue
			case '0', '1', '2', '3', '4', '5', '6', '7':
				v := int(e - '0')
				for k := 0; k < 2 && p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '7'; k++ {
					v = v*8 + int(p.b[p.i]-'0')
					p.i++
				}
				c = byte(v)
			default:
				c = e // \( \) \\ and any other
			}
		}
		out = append(out, c)
	}
	return nil, errEnd
}

// hex reads a <hex string>.
func (p *parser) hex() (str, error) {
	end := bytes.IndexByte(p.b[p.i:], '>')
	if end < 0 {
		return nil, errEnd
	}
	var digits []byte
	for _, c := range p.b[p.i+1 : p.i+end] {
		if !isSpace(c) {
			digits = append(digits, c)
		}
	}
	p.i += end + 1
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	for k := range out {
		v, err := strconv.ParseUint(string(digits[2*k:2*k+2]), 16, 8)
		if err != nil {
			return nil, fmt.Errorf("pdftext: bad hex string at byte %d", p.i)
		}
		out[k] = byte(v)
	}
	return out, nil
}
