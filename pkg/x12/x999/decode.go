package x999

import (
	"strconv"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Decode turns a 999 transaction set into the GroupAck it holds.
func Decode(t *x12.Transaction) (*GroupAck, error) {
	if len(t.Segments) == 0 {
		return nil, &x12.SyntaxError{Msg: "transaction set has no segments"}
	}
	st := t.Segments[0]
	if t.Code != "999" {
		return nil, st.Errorf(1, "transaction set %s is not a 999", quoteCode(t.Code))
	}
	d := decoder{g: &GroupAck{Pos: st.Pos}}
	for _, s := range t.Segments[1:] {
		if err := d.segment(s); err != nil {
			return nil, err
		}
	}
	se := t.Segments[len(t.Segments)-1] // the SE, where the loops had to be closed
	switch {
	case !d.ak1:
		return nil, st.Errorf(0, "999 has no AK1 segment")
	case d.open:
		return nil, d.unclosed(se)
	case !d.ak9:
		return nil, st.Errorf(0, "999 has no AK9 segment")
	}
	return d.g, nil
}

// decoder walks the segments of one 999: AK1, then AK2 loops each closed
// by IK5, then AK9.
type decoder struct {
	g        *GroupAck
	ak1, ak9 bool
	open     bool // an AK2 loop is open: its IK5 has not come yet
	ik3      int  // index in the open set's Errors of its last IK3; -1 before one
}

func (d *decoder) set() *SetAck { return &d.g.Sets[len(d.g.Sets)-1] }

func (d *decoder) segment(s x12.Segment) error {
	switch s.ID {
	case "AK1", "AK2", "IK3", "CTX", "IK4", "IK5", "AK9":
	default:
		return nil
	}
	switch {
	case s.ID == "AK1" && d.ak1:
		return s.Errorf(0, "second AK1 in one 999")
	case s.ID != "AK1" && !d.ak1:
		return s.Errorf(0, "%s before AK1", s.ID)
	case d.ak9:
		return s.Errorf(0, "%s after AK9", s.ID)
	}
	switch s.ID {
	case "AK1":
		return d.akOne(s)
	case "AK2":
		return d.akTwo(s)
	case "IK5":
		return d.ikFive(s)
	case "AK9":
		return d.akNine(s)
	}
	if !d.open {
		return s.Errorf(0, "%s outside a transaction set response (AK2 to IK5)", s.ID)
	}
	switch s.ID {
	case "IK3":
		return d.ikThree(s)
	case "IK4":
		return d.ikFour(s)
	}
	return d.ctx(s)
}

func (d *decoder) akOne(s x12.Segment) error {
	if err := require(s, 1, 2); err != nil {
		return err
	}
	d.ak1 = true
	d.g.FunctionalID, d.g.Control, d.g.Version = s.Element(1), s.Element(2), s.Element(3)
	if !isCode(d.g.FunctionalID, 2) {
		return s.Errorf(1, "functional identifier is not a code (%d bytes)", len(d.g.FunctionalID))
	}
	if !isNumber(d.g.Control, 9) {
		return s.Errorf(2, "group control number is not a number of up to 9 digits (%d bytes)", len(d.g.Control))
	}
	return nil
}

func (d *decoder) akTwo(s x12.Segment) error {
	if d.open {
		return d.unclosed(s)
	}
	if err := require(s, 1, 2); err != nil {
		return err
	}
	set := SetAck{Code: s.Element(1), Control: s.Element(2), ImplementationRef: s.Element(3), Pos: s.Pos}
	if !isCode(set.Code, 3) {
		return s.Errorf(1, "transaction set identifier is not a code (%d bytes)", len(set.Code))
	}
	if !isCode(set.Control, 9) {
		return s.Errorf(2, "transaction set control number is not 1 to 9 letters or digits (%d bytes)", len(set.Control))
	}
	d.g.Sets = append(d.g.Sets, set)
	d.open, d.ik3 = true, -1
	return nil
}

// unclosed reports s where the open set's IK5 should have been.
func (d *decoder) unclosed(s x12.Segment) error {
	set := d.set()
	return s.Errorf(0, "%s before the IK5 of transaction set response %s (AK2 at %s)", s.ID, strconv.Quote(set.Control), set.Pos)
}

func (d *decoder) ikThree(s x12.Segment) error {
	if err := require(s, 1, 2, 4); err != nil {
		return err
	}
	p := Problem{Segment: s.Element(1), Loop: s.Element(3), Code: s.Element(4)}
	if !isCode(p.Segment, 3) {
		return s.Errorf(1, "segment ID is not a code (%d bytes)", len(p.Segment))
	}
	pos, err := count(s, 2, 1)
	if err != nil {
		return err
	}
	p.Position = pos
	if p.Loop != "" && !isCode(p.Loop, 6) {
		return s.Errorf(3, "loop identifier is not a code (%d bytes)", len(p.Loop))
	}
	if !isCode(p.Code, 3) {
		return s.Errorf(4, "segment error code is not a code (%d bytes)", len(p.Code))
	}
	p.Words, _ = codes.SegmentError(p.Code)
	set := d.set()
	set.Errors = append(set.Errors, p)
	d.ik3 = len(set.Errors) - 1
	return nil
}

func (d *decoder) ikFour(s x12.Segment) error {
	if d.ik3 < 0 {
		return s.Errorf(0, "IK4 without an IK3 before it")
	}
	if err := require(s, 1, 3); err != nil {
		return err
	}
	seg := d.set().Errors[d.ik3]
	p := Problem{Segment: seg.Segment, Position: seg.Position, Loop: seg.Loop,
		Reference: s.Element(2), Code: s.Element(3)}
	var err error
	if p.Element, p.Component, p.Repeat, err = position(s, 1, true); err != nil {
		return err
	}
	if p.Reference != "" && !isNumber(p.Reference, 4) {
		return s.Errorf(2, "data element reference number is not a number of up to 4 digits (%d bytes)", len(p.Reference))
	}
	if !isCode(p.Code, 3) {
		return s.Errorf(3, "data element error code is not a code (%d bytes)", len(p.Code))
	}
	p.Words, _ = codes.ElementError(p.Code)
	// IK404 is a copy of the bad value, which may be patient data: it is
	// left unread.
	set := d.set()
	set.Errors = append(set.Errors, p)
	return nil
}

func (d *decoder) ctx(s x12.Segment) error {
	set := d.set()
	if len(set.Errors) == 0 {
		return s.Errorf(0, "CTX without an IK3 or IK4 before it")
	}
	if err := require(s, 1); err != nil {
		return err
	}
	c := Context{Name: s.Component(1, 1), Reference: s.Component(1, 2), Segment: s.Element(2), Loop: s.Element(4)}
	if c.Name == "" {
		return s.Errorf(1, "context name (CTX01-1) is empty")
	}
	if c.Segment != "" && !isCode(c.Segment, 3) {
		return s.Errorf(2, "segment ID is not a code (%d bytes)", len(c.Segment))
	}
	if s.Element(3) != "" {
		pos, err := count(s, 3, 1)
		if err != nil {
			return err
		}
		c.Position = pos
	}
	if c.Loop != "" && !isCode(c.Loop, 6) {
		return s.Errorf(4, "loop identifier is not a code (%d bytes)", len(c.Loop))
	}
	if s.Element(5) != "" {
		var err error
		if c.Element, c.Component, _, err = position(s, 5, false); err != nil {
			return err
		}
	}
	p := &set.Errors[len(set.Errors)-1]
	p.Context = append(p.Context, c)
	return nil
}

func (d *decoder) ikFive(s x12.Segment) error {
	if !d.open {
		return s.Errorf(0, "IK5 without an AK2 before it")
	}
	if _, err := s.Require(1); err != nil {
		return err
	}
	set := d.set()
	set.Status = s.Element(1)
	switch set.Status {
	case "A", "E", "M", "R", "W", "X":
	default:
		return s.Errorf(1, "transaction set acknowledgment code %s is not A, E, M, R, W or X", quoteCode(set.Status))
	}
	var err error
	if set.Reasons, err = errorCodes(s, 2, 6); err != nil {
		return err
	}
	d.open = false
	return nil
}

func (d *decoder) akNine(s x12.Segment) error {
	if d.open {
		return d.unclosed(s)
	}
	if err := require(s, 1, 2, 3, 4); err != nil {
		return err
	}
	d.ak9 = true
	g := d.g
	g.Status = s.Element(1)
	switch g.Status {
	case "A", "E", "M", "P", "R", "W", "X":
	default:
		return s.Errorf(1, "functional group acknowledgment code %s is not A, E, M, P, R, W or X", quoteCode(g.Status))
	}
	for i, n := range []*int{&g.Included, &g.Received, &g.Accepted} {
		v, err := count(s, i+2, 0)
		if err != nil {
			return err
		}
		*n = v
	}
	var err error
	g.Errors, err = errorCodes(s, 5, 9)
	return err
}
