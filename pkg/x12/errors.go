package x12

import (
	"fmt"
	"strconv"
	"strings"
)

// Pos is where a segment starts in its file.
type Pos struct {
	// Segment is the 1-based ordinal of the segment in the file, counting
	// every segment from the first ISA on, envelopes included.
	Segment int
	// Offset is the byte offset of the segment's first byte.
	Offset int64
}

// String gives the position as people count it, for messages.
func (p Pos) String() string {
	return "segment " + strconv.Itoa(p.Segment)
}

// SyntaxError is a problem in the input at a known place.
type SyntaxError struct {
	Pos       Pos
	SegmentID string // empty when the segment's identifier is unknown
	Element   int    // 1-based element index; 0 when the segment as a whole is at fault
	Msg       string
}

// Error formats the error as
// `x12: segment 57 (SE) element 2: <what is wrong>`.
func (e *SyntaxError) Error() string {
	var b strings.Builder
	b.WriteString("x12: segment ")
	b.WriteString(strconv.Itoa(e.Pos.Segment))
	if e.SegmentID != "" {
		b.WriteString(" (")
		b.WriteString(e.SegmentID)
		b.WriteString(")")
	}
	if e.Element > 0 {
		b.WriteString(" element ")
		b.WriteString(strconv.Itoa(e.Element))
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// Errorf returns a *SyntaxError at element i of s (0 for the whole
// segment). Decoders use it so that their errors carry the same position
// information as the reader's. The message must not include element values
// that may be patient data.
func (s Segment) Errorf(i int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: s.Pos, SegmentID: s.ID, Element: i, Msg: fmt.Sprintf(format, args...)}
}

func errAt(pos Pos, id string, element int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Pos: pos, SegmentID: id, Element: element, Msg: fmt.Sprintf(format, args...)}
}
