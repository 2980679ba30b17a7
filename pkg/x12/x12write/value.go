package x12write

import (
	"strconv"
	"strings"
)

// The delimiters every interchange from this package declares in its ISA.
const (
	ElementSeparator    = '*'
	ComponentSeparator  = ':'
	RepetitionSeparator = '^'
	SegmentTerminator   = '~'
)

// Composite and Repeat mark the places of the separators they join with
// control bytes, which no valid value contains, so that Segment can tell
// a separator the caller meant from one that slipped into a value. Segment
// writes the marks as ":" and "^".
const (
	componentMark  = '\x1f'
	repetitionMark = '\x1e'
)

// Composite joins the components of a composite element, such as AD and
// D2740 into AD:D2740. Trailing empty components are dropped. Pass the
// result to Segment, which checks each component and writes the
// separators; it means nothing elsewhere.
func Composite(parts ...string) string {
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return join(parts, componentMark)
}

// Repeat joins the repetitions of a repeating element, such as the service
// types 35, 23 and 41 into 35^23^41. Empty repetitions are dropped, since
// they ask for nothing. A repetition may be a Composite. Pass the result to
// Segment, which checks each repetition and writes the separators.
func Repeat(values ...string) string {
	kept := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			kept = append(kept, v)
		}
	}
	return join(kept, repetitionMark)
}

// join joins parts with a mark. A part that already holds a mark byte,
// which can only come from the caller, has it replaced with NUL so that
// Segment refuses it as a control character instead of taking it for a
// separator.
func join(parts []string, mark byte) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(mark)
		}
		for j := 0; j < len(p); j++ {
			c := p[j]
			if c == mark || (mark == componentMark && c == repetitionMark) {
				c = 0
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// plain holds the bytes a value may contain as they are, so that the
// common case costs one lookup per byte.
var plain = func() (t [256]bool) {
	for c := range t {
		t[c] = byteProblem(byte(c)) == ""
	}
	return t
}()

// Problem says what is wrong with a value that cannot be written, without
// quoting it, or returns "" for a value that can. It applies the same
// rules as Segment to a plain value, so callers can check their fields
// before they write anything.
func Problem(v string) string {
	for i := 0; i < len(v); i++ {
		if !plain[v[i]] {
			return byteProblem(v[i])
		}
	}
	return ""
}

// byteProblem says why c cannot appear in a value, or returns "".
func byteProblem(c byte) string {
	switch {
	case c == ElementSeparator:
		return "contains the element separator " + strconv.QuoteRune(ElementSeparator)
	case c == ComponentSeparator:
		return "contains the component separator " + strconv.QuoteRune(ComponentSeparator)
	case c == RepetitionSeparator:
		return "contains the repetition separator " + strconv.QuoteRune(RepetitionSeparator)
	case c == SegmentTerminator:
		return "contains the segment terminator " + strconv.QuoteRune(SegmentTerminator)
	case c < 0x20 || c == 0x7f:
		return "contains a control character"
	case c >= 0x80:
		return "contains a byte outside printable ASCII"
	}
	return ""
}

// ValueError is an element the Writer refused. It says where the element
// is and what is wrong with it, never what it holds.
type ValueError struct {
	// Segment is the 1-based ordinal the segment would have had in the
	// interchange, counting from the ISA.
	Segment   int
	SegmentID string
	Element   int // 1-based; 0 when the segment as a whole is at fault
	Component int // 1-based within a composite element; 0 otherwise
	Problem   string
}

// Error formats the error as
// `x12write: segment 12 (NM1) element 3: <what is wrong>`.
func (e *ValueError) Error() string {
	var b strings.Builder
	b.WriteString("x12write: segment ")
	b.WriteString(strconv.Itoa(e.Segment))
	if e.SegmentID != "" {
		b.WriteString(" (" + e.SegmentID + ")")
	}
	if e.Element > 0 {
		b.WriteString(" element " + strconv.Itoa(e.Element))
	}
	if e.Component > 0 {
		b.WriteString(" component " + strconv.Itoa(e.Component))
	}
	b.WriteString(": " + e.Problem)
	return b.String()
}
