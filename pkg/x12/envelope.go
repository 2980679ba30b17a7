package x12

import (
	"strconv"
	"strings"
)

type level int

const (
	outside       level = iota // between interchanges: an ISA comes next
	inInterchange              // after ISA: GS or IEA
	inGroup                    // after GS: ST or GE
	inSet                      // after ST: any segment up to SE
)

// Interchange describes the ISA header a transaction set arrived in.
type Interchange struct {
	SenderQualifier   string // ISA05
	SenderID          string // ISA06, padding removed
	ReceiverQualifier string // ISA07
	ReceiverID        string // ISA08, padding removed
	Version           string // ISA12, such as "00501"
	ControlNumber     string // ISA13
	Usage             string // ISA15: "P" production, "T" test
	Delimiters        Delimiters
	Pos               Pos // where the ISA segment starts
}

// Group describes the GS header of a functional group.
type Group struct {
	FunctionalID  string // GS01: "HP" for 835, "HN" for 277
	SenderCode    string // GS02
	ReceiverCode  string // GS03
	ControlNumber string // GS06
	Version       string // GS08, such as "005010X221A1"
	Pos           Pos    // where the GS segment starts
}

// envelope tracks the open envelopes and checks each trailer against its
// header.
type envelope struct {
	level       level
	interchange Interchange
	groups      int // GS segments in the open interchange
	group       Group
	sets        int // ST segments in the open group
	setControl  string
	setPos      Pos
	setSegments int // segments so far in the open transaction set, ST included
}

// describe names the innermost open envelope, for end-of-input errors.
func (e *envelope) describe() string {
	switch e.level {
	case inSet:
		return "transaction set " + strconv.Quote(e.setControl) + " (ST at " + e.setPos.String() + ") is not closed by SE"
	case inGroup:
		return "functional group " + strconv.Quote(e.group.ControlNumber) + " (GS at " + e.group.Pos.String() + ") is not closed by GE"
	case inInterchange:
		return "interchange " + strconv.Quote(e.interchange.ControlNumber) + " (ISA at " + e.interchange.Pos.String() + ") is not closed by IEA"
	}
	return "no envelope is open"
}

func (e *envelope) openInterchange(isa Segment, d Delimiters) {
	e.level = inInterchange
	e.groups = 0
	e.interchange = Interchange{
		SenderQualifier:   isa.Element(5),
		SenderID:          strings.TrimSpace(isa.Element(6)),
		ReceiverQualifier: isa.Element(7),
		ReceiverID:        strings.TrimSpace(isa.Element(8)),
		Version:           isa.Element(12),
		ControlNumber:     isa.Element(13),
		Usage:             isa.Element(15),
		Delimiters:        d,
		Pos:               isa.Pos,
	}
}

// check applies the envelope rules to the next segment of an open
// interchange.
func (e *envelope) check(s Segment) error {
	switch s.ID {
	case "ISA":
		return s.Errorf(0, "%s", "ISA inside an open envelope: "+e.describe())
	case "GS":
		if e.level != inInterchange {
			return s.Errorf(0, "%s", "GS inside an open envelope: "+e.describe())
		}
		for _, i := range []int{1, 6, 8} {
			if _, err := s.Require(i); err != nil {
				return err
			}
		}
		e.level, e.sets, e.groups = inGroup, 0, e.groups+1
		e.group = Group{FunctionalID: s.Element(1), SenderCode: s.Element(2), ReceiverCode: s.Element(3),
			ControlNumber: s.Element(6), Version: s.Element(8), Pos: s.Pos}
	case "ST":
		if e.level != inGroup {
			return e.misplaced(s, "GS")
		}
		for _, i := range []int{1, 2} {
			if _, err := s.Require(i); err != nil {
				return err
			}
		}
		e.level, e.sets = inSet, e.sets+1
		e.setControl, e.setPos, e.setSegments = s.Element(2), s.Pos, 1
	case "SE":
		if e.level != inSet {
			return e.misplaced(s, "ST")
		}
		e.setSegments++
		if err := checkCount(s, 1, e.setSegments, "segments from ST to SE"); err != nil {
			return err
		}
		if err := checkControl(s, 2, e.setControl, "ST02"); err != nil {
			return err
		}
		e.level = inGroup
	case "GE":
		if e.level != inGroup {
			return e.misplaced(s, "GS")
		}
		if err := checkCount(s, 1, e.sets, "transaction sets in the group"); err != nil {
			return err
		}
		if err := checkControl(s, 2, e.group.ControlNumber, "GS06"); err != nil {
			return err
		}
		e.level = inInterchange
	case "TA1":
		// An interchange acknowledgment belongs to the interchange's own
		// envelope: after the ISA and any other TA1, before the first GS.
		if e.level != inInterchange {
			return s.Errorf(0, "%s", "TA1 inside an open envelope: "+e.describe())
		}
		if e.groups > 0 {
			return s.Errorf(0, "TA1 after functional group %s (GS at %s): TA1 segments come before the first GS",
				quoteShort(e.group.ControlNumber), e.group.Pos)
		}
	case "IEA":
		if e.level != inInterchange {
			return e.misplaced(s, "ISA")
		}
		if err := checkCount(s, 1, e.groups, "functional groups in the interchange"); err != nil {
			return err
		}
		if err := checkControl(s, 2, e.interchange.ControlNumber, "ISA13"); err != nil {
			return err
		}
		e.level = outside
	default:
		if e.level != inSet {
			return s.Errorf(0, "segment outside any transaction set (expected %s)", e.expected())
		}
		e.setSegments++
	}
	return nil
}

// misplaced reports a header or trailer where it cannot be: either an
// inner envelope is still open, or the header it closes is missing.
func (e *envelope) misplaced(s Segment, header string) error {
	if e.level == inSet || (e.level == inGroup && s.ID == "IEA") {
		return s.Errorf(0, "%s", "unexpected "+s.ID+": "+e.describe())
	}
	return s.Errorf(0, "%s without a matching %s (expected %s)", s.ID, header, e.expected())
}

func (e *envelope) expected() string {
	switch e.level {
	case inInterchange:
		return "GS or IEA"
	case inGroup:
		return "ST or GE"
	case inSet:
		return "a segment of the transaction set or SE"
	}
	return "ISA"
}

// checkCount compares a trailer's count element with what was seen.
func checkCount(s Segment, i, want int, what string) error {
	v := s.Element(i)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || !allDigits(v) {
		return s.Errorf(i, "count %s is not a number", quoteShort(v))
	}
	if n != want {
		return s.Errorf(i, "count %d does not match the %d %s", n, want, what)
	}
	return nil
}

// checkControl compares a trailer's control number with its header's.
// Numbers that differ only in leading zeros are taken as equal.
func checkControl(s Segment, i int, header, headerName string) error {
	v := s.Element(i)
	if v == header || (v != "" && allDigits(v) && allDigits(header) && strings.TrimLeft(v, "0") == strings.TrimLeft(header, "0")) {
		return nil
	}
	return s.Errorf(i, "control number %s does not match %s %s", quoteShort(v), headerName, quoteShort(header))
}

// quoteShort quotes an envelope value for a message, or gives its length
// when it is too long to be a control number or a count.
func quoteShort(v string) string {
	if len(v) > 20 {
		return "of " + strconv.Itoa(len(v)) + " bytes"
	}
	return strconv.Quote(v)
}
