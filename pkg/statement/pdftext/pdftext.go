// Package pdftext reads the text fpdf writes, for tests: each string a
// page shows, where it starts, and in which font and size, so that a test
// can check a rendered PDF by its words and their places.
//
// It reads a PDF as a viewer does, through the cross-reference table that
// startxref points to, so a wrong object offset is an error. It knows
// what fpdf and the statement batch writer produce, not all of PDF: one
// classic cross-reference table (no incremental updates, cross-reference
// streams or object streams), content streams plain or FlateDecode, text
// in the core fonts' WinAnsiEncoding, shown with Tj, TJ, ' and ".
// Positions come from the text matrix (Td, TD, Tm, T*) and ignore the
// cm transformation, which fpdf uses only for rotated or scaled output.
package pdftext

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Run is one string shown on a page.
type Run struct {
	Page int     // from 1, in the page tree's order
	X, Y float64 // where the text starts, in points from the page's bottom-left corner
	Font string  // the font's base name, such as "Helvetica-Bold"
	Size float64 // in points
	Text string  // UTF-8
}

// Read returns the runs of every page of pdf, in the order each page's
// content shows them.
func Read(pdf []byte) ([]Run, error) {
	doc, err := open(pdf)
	if err != nil {
		return nil, err
	}
	pages, err := doc.pages()
	if err != nil {
		return nil, err
	}
	var runs []Run
	for i, pg := range pages {
		r, err := doc.pageRuns(pg, i+1)
		if err != nil {
			return nil, fmt.Errorf("pdftext: page %d: %w", i+1, err)
		}
		runs = append(runs, r...)
	}
	return runs, nil
}

// Text returns the text of pdf, one run to a line.
func Text(pdf []byte) (string, error) {
	runs, err := Read(pdf)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range runs {
		b.WriteString(r.Text)
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// PageCount is how many pages pdf's page tree holds.
func PageCount(pdf []byte) (int, error) {
	doc, err := open(pdf)
	if err != nil {
		return 0, err
	}
	pages, err := doc.pages()
	return len(pages), err
}

// document is a PDF file and where its objects are.
type document struct {
	b       []byte
	offsets map[int]int // object number → offset of "n 0 obj"
	trailer dict
}

var startxref = regexp.MustCompile(`startxref\s+([0-9]+)\s+%%EOF\s*$`)

// open reads pdf's cross-reference table and trailer.
func open(pdf []byte) (*document, error) {
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, fmt.Errorf("pdftext: not a PDF")
	}
	m := startxref.FindSubmatch(pdf)
	if m == nil {
		return nil, fmt.Errorf("pdftext: no startxref at the end")
	}
	at, _ := strconv.Atoi(string(m[1]))
	if at >= len(pdf) || !bytes.HasPrefix(pdf[at:], []byte("xref")) {
		return nil, fmt.Errorf("pdftext: startxref does not point at a cross-reference table")
	}
	doc := &document{b: pdf, offsets: map[int]int{}}
	p := &parser{b: pdf, i: at + len("xref")}
	for {
		p.skip()
		word := p.regular()
		if word == "trailer" {
			break
		}
		first, err1 := strconv.Atoi(word)
		p.skip()
		count, err2 := strconv.Atoi(p.regular())
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("pdftext: bad cross-reference subsection at byte %d", p.i)
		}
		p.skip()
		for k := 0; k < count; k++ {
			entry := pdf[p.i:min(p.i+20, len(pdf))]
			if len(entry) < 20 || (entry[17] != 'n' && entry[17] != 'f') {
				return nil, fmt.Errorf("pdftext: bad cross-reference entry for object %d", first+k)
			}
			if entry[17] == 'n' {
				off, err := strconv.Atoi(string(entry[:10]))
				if err != nil {
					return nil, fmt.Errorf("pdftext: bad offset for object %d", first+k)
				}
				doc.offsets[first+k] = off
			}
			p.i += 20
		}
	}
	t, err := p.object()
	if err != nil {
		return nil, fmt.Errorf("pdftext: trailer: %w", err)
	}
	if doc.trailer, _ = t.(dict); doc.trailer == nil {
		return nil, fmt.Errorf("pdftext: the trailer is not a dictionary")
	}
	if _, ok := doc.trailer["Prev"]; ok {
		return nil, fmt.Errorf("pdftext: incremental updates are not supported")
	}
	return doc, nil
}

// get returns object n, reading a stream's data by its /Length.
func (doc *document) get(n int) (any, error) {
	off, ok := doc.offsets[n]
	if !ok || off >= len(doc.b) {
		return nil, fmt.Errorf("object %d is not in the cross-reference table", n)
	}
	p := &parser{b: doc.b, i: off}
	head := fmt.Sprintf("%d 0 obj", n)
	if !bytes.HasPrefix(doc.b[off:], []byte(head)) {
		return nil, fmt.Errorf("the cross-reference offset of object %d does not point at it", n)
	}
	p.i += len(head)
	v, err := p.object()
	if err != nil {
		return nil, fmt.Errorf("object %d: %w", n, err)
	}
	save := p.i
	if kw, _ := p.object(); kw != op("stream") {
		p.i = save
		return v, nil
	}
	d, ok := v.(dict)
	if !ok {
		return nil, fmt.Errorf("object %d: a stream without a dictionary", n)
	}
	if p.i < len(doc.b) && doc.b[p.i] == '\r' {
		p.i++
	}
	if p.i < len(doc.b) && doc.b[p.i] == '\n' {
		p.i++
	}
	length, err := doc.number(d["Length"])
	if err != nil || length < 0 || p.i+int(length) > len(doc.b) {
		return nil, fmt.Errorf("object %d: bad stream length", n)
	}
	data := doc.b[p.i : p.i+int(length)]
	p.i += int(length)
	if kw, _ := p.object(); kw != op("endstream") {
		return nil, fmt.Errorf("object %d: the stream's length does not end at endstream", n)
	}
	return stream{d, data}, nil
}

// resolve follows v if it is a reference.
func (doc *document) resolve(v any) (any, error) {
	if r, ok := v.(ref); ok {
		return doc.get(r.n)
	}
	return v, nil
}

// dictOf resolves v and requires a dictionary.
func (doc *document) dictOf(v any) (dict, error) {
	v, err := doc.resolve(v)
	if err != nil {
		return nil, err
	}
	d, ok := v.(dict)
	if !ok {
		return nil, fmt.Errorf("expected a dictionary")
	}
	return d, nil
}

// number resolves v and requires a number.
func (doc *document) number(v any) (float64, error) {
	v, err := doc.resolve(v)
	if err != nil {
		return 0, err
	}
	n, ok := v.(float64)
	if !ok {
		return 0, fmt.Errorf("expected a number")
	}
	return n, nil
}

// page is a page's dictionary with the resources it inherits.
type page struct {
	d         dict
	resources dict
}

// pages walks the page tree from the catalog, depth first, checking each
// node's /Count and /Parent.
func (doc *document) pages() ([]page, error) {
	cat, err := doc.dictOf(doc.trailer["Root"])
	if err != nil {
		return nil, fmt.Errorf("pdftext: catalog: %w", err)
	}
	root, ok := cat["Pages"].(ref)
	if !ok {
		return nil, fmt.Errorf("pdftext: the catalog has no /Pages reference")
	}
	var out []page
	var walk func(r ref, parent *ref, inherited dict, depth int) (int, error)
	walk = func(r ref, parent *ref, inherited dict, depth int) (int, error) {
		if depth > 32 {
			return 0, fmt.Errorf("pdftext: the page tree is too deep")
		}
		d, err := doc.dictOf(r)
		if err != nil {
			return 0, fmt.Errorf("pdftext: page tree object %d: %w", r.n, err)
		}
		if parent != nil && d["Parent"] != *parent {
			return 0, fmt.Errorf("pdftext: page tree object %d does not name its parent", r.n)
		}
		res := inherited
		if v, ok := d["Resources"]; ok {
			if res, err = doc.dictOf(v); err != nil {
				return 0, fmt.Errorf("pdftext: resources of object %d: %w", r.n, err)
			}
		}
		switch d["Type"] {
		case name("Page"):
			out = append(out, page{d, res})
			return 1, nil
		case name("Pages"):
			kids, _ := d["Kids"].([]any)
			total := 0
			for _, k := range kids {
				kr, ok := k.(ref)
				if !ok {
					return 0, fmt.Errorf("pdftext: a kid of object %d is not a reference", r.n)
				}
				n, err := walk(kr, &r, res, depth+1)
				if err != nil {
					return 0, err
				}
				total += n
			}
			if count, _ := d["Count"].(float64); int(count) != total {
				return 0, fmt.Errorf("pdftext: object %d counts %v pages and holds %d", r.n, count, total)
			}
			return total, nil
		}
		return 0, fmt.Errorf("pdftext: object %d in the page tree is neither /Page nor /Pages", r.n)
	}
	if _, err := walk(root, nil, nil, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// content returns a page's content, decoded and concatenated.
func (doc *document) content(pg page) ([]byte, error) {
	var refs []any
	switch c := pg.d["Contents"].(type) {
	case []any:
		refs = c
	case nil:
		return nil, nil
	default:
		refs = []any{c}
	}
	var out []byte
	for _, r := range refs {
		v, err := doc.resolve(r)
		if err != nil {
			return nil, err
		}
		s, ok := v.(stream)
		if !ok {
			return nil, fmt.Errorf("contents is not a stream")
		}
		data := s.data
		switch f := s.dict["Filter"]; f {
		case nil:
		case name("FlateDecode"):
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				return nil, fmt.Errorf("inflating contents: %w", err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				return nil, fmt.Errorf("inflating contents: %w", err)
			}
		default:
			return nil, fmt.Errorf("contents filter %v is not supported", f)
		}
		out = append(append(out, data...), '\n')
	}
	return out, nil
}

// matrix is a PDF transformation matrix [a b c d e f].
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul is m × n.
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// textState is the part of the graphics state that q and Q save.
type textState struct {
	font    string
	size    float64
	leading float64
}

// pageRuns interprets a page's content and returns the strings it shows.
func (doc *document) pageRuns(pg page, n int) ([]Run, error) {
	data, err := doc.content(pg)
	if err != nil {
		return nil, err
	}
	fonts := map[string]string{} // resource name → base font
	if pg.resources != nil {
		if fd, err := doc.dictOf(pg.resources["Font"]); err == nil {
			for k, v := range fd {
				if f, err := doc.dictOf(v); err == nil {
					base, _ := f["BaseFont"].(name)
					fonts[k] = string(base)
				}
			}
		}
	}
	var (
		runs     []Run
		ts       textState
		saved    []textState
		tm, tlm  = identity, identity
		operands []any
	)
	show := func(b []byte) {
		text, _ := charmap.Windows1252.NewDecoder().Bytes(b)
		runs = append(runs, Run{Page: n, X: tm[4], Y: tm[5], Font: ts.font, Size: ts.size, Text: string(text)})
	}
	nums := func(k int) ([]float64, error) {
		if len(operands) < k {
			return nil, fmt.Errorf("too few operands")
		}
		out := make([]float64, k)
		for i, v := range operands[len(operands)-k:] {
			f, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("an operand is not a number")
			}
			out[i] = f
		}
		return out, nil
	}
	nextLine := func(tx, ty float64) {
		tlm = matrix{1, 0, 0, 1, tx, ty}.mul(tlm)
		tm = tlm
	}
	lastString := func() []byte {
		if len(operands) == 0 {
			return nil
		}
		s, _ := operands[len(operands)-1].(str)
		return s
	}
	p := &parser{b: data}
	for {
		v, err := p.object()
		if err == errEnd {
			break
		}
		if err != nil {
			return nil, err
		}
		o, isOp := v.(op)
		if !isOp {
			operands = append(operands, v)
			continue
		}
		switch o {
		case "q":
			saved = append(saved, ts)
		case "Q":
			if len(saved) > 0 {
				ts, saved = saved[len(saved)-1], saved[:len(saved)-1]
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tf":
			if len(operands) >= 2 {
				fn, _ := operands[len(operands)-2].(name)
				sz, _ := operands[len(operands)-1].(float64)
				ts.font, ts.size = fonts[string(fn)], sz
				if ts.font == "" {
					ts.font = string(fn)
				}
			}
		case "TL":
			if f, err := nums(1); err == nil {
				ts.leading = f[0]
			}
		case "Td", "TD":
			f, err := nums(2)
			if err != nil {
				return nil, fmt.Errorf("operator %s: %w", o, err)
			}
			if o == "TD" {
				ts.leading = -f[1]
			}
			nextLine(f[0], f[1])
		case "Tm":
			f, err := nums(6)
			if err != nil {
				return nil, fmt.Errorf("operator Tm: %w", err)
			}
			tlm = matrix{f[0], f[1], f[2], f[3], f[4], f[5]}
			tm = tlm
		case "T*":
			nextLine(0, -ts.leading)
		case "Tj":
			show(lastString())
		case "'", "\"":
			nextLine(0, -ts.leading)
			show(lastString())
		case "TJ":
			var arr []any
			if len(operands) > 0 {
				arr, _ = operands[len(operands)-1].([]any)
			}
			var b []byte
			for _, e := range arr {
				switch e := e.(type) {
				case str:
					b = append(b, e...)
				case float64:
					if e <= -250 { // a gap as wide as a space
						b = append(b, ' ')
					}
				}
			}
			show(b)
		case "ID": // inline image data: skip to EI
			end := bytes.Index(p.b[p.i:], []byte("EI"))
			if end < 0 {
				return nil, errEnd
			}
			p.i += end + 2
		}
		operands = operands[:0]
	}
	return runs, nil
}
