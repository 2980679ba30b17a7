package x999

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// DecodeTA1 turns a TA1 segment into an Interchange.
func DecodeTA1(a x12.InterchangeAck) (Interchange, error) {
	s := a.Segment
	if s.ID != "TA1" {
		return Interchange{}, s.Errorf(0, "not a TA1 segment")
	}
	for i := 1; i <= 5; i++ {
		if _, err := s.Require(i); err != nil {
			return Interchange{}, err
		}
	}
	ic := Interchange{Control: s.Element(1), Status: s.Element(4), Note: s.Element(5), Pos: s.Pos}
	if !isNumber(ic.Control, 9) {
		return Interchange{}, s.Errorf(1, "interchange control number is not a number of up to 9 digits (%d bytes)", len(ic.Control))
	}
	date, clock := s.Element(2), s.Element(3)
	if len(date) != 6 || !isNumber(date, 6) {
		return Interchange{}, s.Errorf(2, "not a YYMMDD date (%d bytes)", len(date))
	}
	if len(clock) != 4 || !isNumber(clock, 4) {
		return Interchange{}, s.Errorf(3, "not an HHMM time (%d bytes)", len(clock))
	}
	// The ISA carries a two-digit year; interchanges under version 5010
	// are all from this century.
	d, err := time.Parse("200601021504", "20"+date+clock)
	if err != nil {
		return Interchange{}, s.Errorf(2, "not a real date and time")
	}
	ic.Date = d
	switch ic.Status {
	case "A", "E", "R":
	default:
		return Interchange{}, s.Errorf(4, "interchange acknowledgment code %s is not A, E or R", quoteCode(ic.Status))
	}
	if !isCode(ic.Note, 3) {
		return Interchange{}, s.Errorf(5, "interchange note code is not a code (%d bytes)", len(ic.Note))
	}
	ic.NoteWords, _ = codes.InterchangeNote(ic.Note)
	return ic, nil
}
