package x12

import (
	"bytes"
	"strconv"
)

// ISALen is the fixed length of an ISA segment, terminator included.
const ISALen = 106

// isaSeparators are the byte offsets of the 16 element separators in an
// ISA segment: the one at isaSeparators[k] comes just before ISA(k+1).
var isaSeparators = [16]int{3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103}

// parseISA checks the shape of a 106-byte ISA segment and returns its
// delimiters and its elements. b is exactly ISALen bytes.
func parseISA(b []byte, pos Pos) (Delimiters, Segment, error) {
	d := Delimiters{Element: b[3], Component: b[104], Segment: b[105]}
	if isDataByte(d.Element) {
		return d, Segment{}, errAt(pos, "ISA", 0, "element separator %s is a letter, digit or space", quoteByte(d.Element))
	}
	for k, at := range isaSeparators {
		if b[at] != d.Element {
			// The separator that should follow ISA(k) is elsewhere, so
			// ISA(k) is not its fixed width.
			return d, Segment{}, errAt(pos, "ISA", k, "element is not its fixed width: separator expected at byte %d", at)
		}
	}
	if isDataByte(d.Component) {
		return d, Segment{}, errAt(pos, "ISA", 16, "component separator %s is a letter, digit or space", quoteByte(d.Component))
	}
	if d.Segment == ' ' || isAlnum(d.Segment) {
		return d, Segment{}, errAt(pos, "ISA", 0, "segment terminator %s is a letter, digit or space", quoteByte(d.Segment))
	}
	if rep := b[82]; !isAlnum(rep) {
		// Version 4010 and earlier put the standards identifier "U" here;
		// from 4020 on it is the repetition separator.
		if rep == ' ' || rep == '\r' || rep == '\n' || rep == '\t' {
			return d, Segment{}, errAt(pos, "ISA", 11, "repetition separator %s is white space", quoteByte(rep))
		}
		d.Repetition = rep
	}
	if err := checkDistinct(d, pos); err != nil {
		return d, Segment{}, err
	}
	if n := bytes.Count(b[:105], []byte{d.Element}); n != 16 {
		return d, Segment{}, errAt(pos, "ISA", 0, "element separator %s appears %d times inside the header, want 16", quoteByte(d.Element), n)
	}
	if bytes.IndexByte(b[:105], d.Segment) >= 0 {
		return d, Segment{}, errAt(pos, "ISA", 0, "segment terminator %s appears inside the header", quoteByte(d.Segment))
	}
	seg := Segment{ID: "ISA", Pos: pos, component: d.Component, repetition: d.Repetition}
	seg.Elements = make([]string, 16)
	line := string(b[:105])
	for k := range 16 {
		end := 105
		if k < 15 {
			end = isaSeparators[k+1]
		}
		seg.Elements[k] = line[isaSeparators[k]+1 : end]
	}
	if !allDigits(seg.Elements[12]) {
		return d, Segment{}, errAt(pos, "ISA", 13, "interchange control number is not 9 digits")
	}
	if !allDigits(seg.Elements[0]) || !allDigits(seg.Elements[2]) {
		return d, Segment{}, errAt(pos, "ISA", 1, "authorization and security qualifiers must be digits")
	}
	return d, seg, nil
}

func checkDistinct(d Delimiters, pos Pos) error {
	type named struct {
		name string
		b    byte
	}
	all := []named{{"element separator", d.Element}, {"component separator", d.Component}, {"segment terminator", d.Segment}}
	if d.Repetition != 0 {
		all = append(all, named{"repetition separator", d.Repetition})
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if all[i].b == all[j].b {
				return errAt(pos, "ISA", 0, "delimiters collide: %s and %s are both %s", all[i].name, all[j].name, quoteByte(all[i].b))
			}
		}
	}
	return nil
}

// isDataByte reports whether b cannot serve as a separator inside a
// segment: letters and digits are data, and white space is either data or
// the padding between segments.
func isDataByte(b byte) bool {
	return isAlnum(b) || isSpace(b)
}

func isAlnum(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z'
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == '\v' || b == '\f'
}

func quoteByte(b byte) string {
	return strconv.Quote(string([]byte{b}))
}
