package x999

import (
	"strconv"

	"github.com/backdesk/backdesk/pkg/x12"
)

// require checks that each element i of s is present.
func require(s x12.Segment, elements ...int) error {
	for _, i := range elements {
		if _, err := s.Require(i); err != nil {
			return err
		}
	}
	return nil
}

// count parses element i as a whole number no less than least, of up to 9
// digits.
func count(s x12.Segment, i, least int) (int, error) {
	v := s.Element(i)
	if !isNumber(v, 9) {
		return 0, s.Errorf(i, "not a whole number (%d bytes)", len(v))
	}
	n, _ := strconv.Atoi(v)
	if n < least {
		return 0, s.Errorf(i, "%d is below %d", n, least)
	}
	return n, nil
}

// positionDigits are the most digits each part of a position in a segment
// (C030) may have: element, component, repetition.
var positionDigits = [3]int{2, 2, 4}

// position parses the position-in-segment composite at element i: the
// element's position, then optionally the component's and the
// repetition's. The element position is required when need is set.
func position(s x12.Segment, i int, need bool) (element, component, repeat int, err error) {
	parts := s.Components(i)
	if len(parts) > 3 {
		return 0, 0, 0, s.Errorf(i, "position in segment has %d components, want at most 3", len(parts))
	}
	var n [3]int
	for j, v := range parts {
		if v == "" {
			continue
		}
		if !isNumber(v, positionDigits[j]) {
			return 0, 0, 0, s.Errorf(i, "position in segment, component %d, is not a number (%d bytes)", j+1, len(v))
		}
		if n[j], _ = strconv.Atoi(v); n[j] == 0 {
			return 0, 0, 0, s.Errorf(i, "position in segment, component %d, is 0; positions count from 1", j+1)
		}
	}
	if n[0] == 0 && (need || n[1] != 0 || n[2] != 0) {
		return 0, 0, 0, s.Errorf(i, "position in segment has no element position")
	}
	return n[0], n[1], n[2], nil
}

// errorCodes collects the error codes in elements from to through of s,
// skipping empty ones.
func errorCodes(s x12.Segment, from, through int) ([]string, error) {
	var out []string
	for i := from; i <= through; i++ {
		v := s.Element(i)
		if v == "" {
			continue
		}
		if !isCode(v, 3) {
			return nil, s.Errorf(i, "error code is not a code (%d bytes)", len(v))
		}
		out = append(out, v)
	}
	return out, nil
}

// isNumber reports whether v is 1 to max digits.
func isNumber(v string, max int) bool {
	if v == "" || len(v) > max {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// isCode reports whether v is 1 to max ASCII letters and digits: the shape
// of every code and identifier a message may quote.
func isCode(v string, max int) bool {
	if v == "" || len(v) > max {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// quoteCode quotes a value for a message when it has the shape of a code,
// and otherwise gives only its length.
func quoteCode(v string) string {
	if isCode(v, 3) {
		return strconv.Quote(v)
	}
	return "of " + strconv.Itoa(len(v)) + " bytes"
}
