package x12

import (
	"strings"
	"time"
)

// Delimiters are the separators an interchange declares in its ISA header.
type Delimiters struct {
	Element    byte // ISA byte 3
	Repetition byte // ISA11; 0 when the interchange has none (version 4010 and earlier send "U")
	Component  byte // ISA16
	Segment    byte // the byte after ISA16
}

// Segment is one X12 segment: an identifier and its elements.
type Segment struct {
	// ID is the segment identifier, such as "CLP".
	ID string
	// Elements holds elements 1 to n; Elements[0] is element 1. Use Element
	// for X12's 1-based numbering.
	Elements []string
	// Pos is where the segment starts.
	Pos Pos

	component  byte
	repetition byte
}

// Element returns element i by X12 numbering (seg.Element(1) is CLP01 of a
// CLP segment), or "" when the segment has no such element.
func (s Segment) Element(i int) string {
	if i < 1 || i > len(s.Elements) {
		return ""
	}
	return s.Elements[i-1]
}

// Components splits element i on the component separator. It returns nil
// for an empty or absent element.
func (s Segment) Components(i int) []string {
	e := s.Element(i)
	if e == "" {
		return nil
	}
	if s.component == 0 {
		return []string{e}
	}
	return strings.Split(e, string(s.component))
}

// Component returns component j (1-based) of element i, or "" when absent:
// for SVC*AD:D2740, Component(1, 2) is "D2740".
func (s Segment) Component(i, j int) string {
	c := s.Components(i)
	if j < 1 || j > len(c) {
		return ""
	}
	return c[j-1]
}

// Repetitions splits element i on the repetition separator. It returns nil
// for an empty or absent element, and the element alone when the
// interchange declares no repetition separator.
func (s Segment) Repetitions(i int) []string {
	e := s.Element(i)
	if e == "" {
		return nil
	}
	if s.repetition == 0 {
		return []string{e}
	}
	return strings.Split(e, string(s.repetition))
}

// Require returns element i, or a *SyntaxError if it is empty.
func (s Segment) Require(i int) (string, error) {
	e := s.Element(i)
	if e == "" {
		return "", s.Errorf(i, "required element is empty")
	}
	return e, nil
}

// Cents parses element i as an amount of money into cents. An empty
// element gives 0; anything that is not a decimal number with at most
// whole cents is a *SyntaxError naming the element.
func (s Segment) Cents(i int) (int64, error) {
	e := s.Element(i)
	if e == "" {
		return 0, nil
	}
	c, ok := ParseCents(e)
	if !ok {
		return 0, s.Errorf(i, "not an amount of money (%d bytes)", len(e))
	}
	return c, nil
}

// RequireCents is Cents for an element that must be present.
func (s Segment) RequireCents(i int) (int64, error) {
	if _, err := s.Require(i); err != nil {
		return 0, err
	}
	return s.Cents(i)
}

// Date parses element i as a CCYYMMDD date. An empty element gives the zero
// time; anything else that is not a real calendar date is a *SyntaxError.
func (s Segment) Date(i int) (time.Time, error) {
	e := s.Element(i)
	if e == "" {
		return time.Time{}, nil
	}
	d, ok := ParseDate(e)
	if !ok {
		return time.Time{}, s.Errorf(i, "not a CCYYMMDD date (%d bytes)", len(e))
	}
	return d, nil
}

// Decimal checks that element i is a decimal number such as a quantity or
// a count of units, and returns it unchanged ("" when empty).
func (s Segment) Decimal(i int) (string, error) {
	e := s.Element(i)
	if e != "" && !IsDecimal(e) {
		return "", s.Errorf(i, "not a decimal number (%d bytes)", len(e))
	}
	return e, nil
}
