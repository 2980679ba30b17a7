package demohouse

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// batch is one 270 or 276 interchange as its answers need it: the
// envelope to turn round and the questions, set by set.
type batch struct {
	interchange x12.Interchange
	group       x12.Group
	sets        []set
}

// set is one transaction set: one payer's questions, by provider.
type set struct {
	control   string // ST02
	version   string // ST03, or GS08 when ST03 is empty
	reference string // BHT03, which the answer's BHT echoes
	payer     party  // NM1*PR at HL 20
	receiver  party  // NM1*41 at HL 21 of a 276; empty in a 270
	providers []providerGroup
}

// party is an NM1 naming an organization.
type party struct {
	name      string // NM103
	qualifier string // NM108
	id        string // NM109
}

func partyOf(s x12.Segment) party {
	return party{name: s.Element(3), qualifier: s.Element(8), id: s.Element(9)}
}

// providerGroup is the questions of one provider (NM1*1P).
type providerGroup struct {
	provider party
	requests []request
}

// person is a subscriber or a dependent. All of it is patient data.
type person struct {
	last, first, memberID string
	birth, gender         string // DMG02 and DMG03, as sent
}

// request is one question: a subscriber or dependent level with a trace
// number.
type request struct {
	trace      string // TRN02
	originator string // TRN03
	subscriber person
	dependent  *person // the patient, when not the subscriber
	// A 270's date of service (DTP*291; zero when not sent) and the
	// service types asked about (EQ01).
	serviceDate  time.Time
	serviceTypes []string
	// A 276's claim.
	claim claim
}

// patient is the person the request is about.
func (r request) patient() person {
	if r.dependent != nil {
		return *r.dependent
	}
	return r.subscriber
}

// claim is the claim a 276 asks about.
type claim struct {
	id            string // REF*EJ, the office's claim id
	payerNumber   string // REF*1K, when sent
	chargeCents   int64  // AMT*T3
	dateQualifier string // DTP02 of DTP*472: D8 or RD8
	dates         string // DTP03, as sent
}

// level is the HL being read: what it says, until the next HL or the SE
// closes it.
type level struct {
	code   string // HL03
	pos    x12.Pos
	person person
	req    request
	asked  bool // a TRN*1 came: the level is a question
}

// reader turns the segments of 270s or 276s into a batch.
type reader struct {
	kind       string // 270 or 276
	b          *batch
	set        *set
	at         level
	subscriber person // the last subscriber level's person
}

// read reads body, a 270 or a 276 interchange (kind), into a batch. A file
// that is not readable X12, holds another transaction set, more than one
// functional group, or a question without its trace number is an
// *x12.SyntaxError.
func read(body []byte, kind string) (*batch, error) {
	rd := reader{kind: kind, b: &batch{}}
	for t, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
		if err != nil {
			return nil, err
		}
		if err := rd.transaction(t); err != nil {
			return nil, err
		}
	}
	if len(rd.b.sets) == 0 {
		return nil, &x12.SyntaxError{Msg: "the file holds no " + kind + " transaction set"}
	}
	asked := 0
	for _, s := range rd.b.sets {
		for _, p := range s.providers {
			asked += len(p.requests)
		}
	}
	if asked == 0 {
		return nil, &x12.SyntaxError{Msg: "the " + kind + " asks nothing: no level carries a TRN*1 trace number"}
	}
	return rd.b, nil
}

func (rd *reader) transaction(t *x12.Transaction) error {
	st := t.Segments[0]
	if t.Code != rd.kind {
		return st.Errorf(1, "transaction set %s is not a %s", t.Code, rd.kind)
	}
	if len(rd.b.sets) == 0 {
		if err := rd.checkGroup(t.Group); err != nil {
			return err
		}
		rd.b.interchange, rd.b.group = t.Interchange, t.Group
	} else if t.Interchange.Pos != rd.b.interchange.Pos || t.Group.Pos != rd.b.group.Pos {
		return st.Errorf(0, "a second functional group: one batch per file is answered")
	}
	if !alnum(t.ControlNumber, 9) {
		return st.Errorf(2, "control number is not 1 to 9 letters or digits (%d bytes)", len(t.ControlNumber))
	}
	version := t.ImplementationRef
	if version == "" {
		version = t.Group.Version
	}
	rd.b.sets = append(rd.b.sets, set{control: t.ControlNumber, version: version})
	rd.set = &rd.b.sets[len(rd.b.sets)-1]
	rd.at, rd.subscriber = level{}, person{}
	for _, s := range t.Segments[1:] {
		if err := rd.segment(s); err != nil {
			return err
		}
	}
	return nil
}

// checkGroup checks what the 999 will echo of the group: its functional
// identifier, which must be the kind's, and its control number.
func (rd *reader) checkGroup(g x12.Group) error {
	want := map[string]string{"270": "HS", "276": "HR"}[rd.kind]
	if g.FunctionalID != want {
		return &x12.SyntaxError{Pos: g.Pos, SegmentID: "GS", Element: 1, Msg: "functional identifier is not " + want + " for a " + rd.kind}
	}
	if !alnum(g.ControlNumber, 9) || strings.Trim(g.ControlNumber, "0123456789") != "" {
		return &x12.SyntaxError{Pos: g.Pos, SegmentID: "GS", Element: 6, Msg: fmt.Sprintf("group control number is not 1 to 9 digits (%d bytes)", len(g.ControlNumber))}
	}
	if p := x12write.Problem(g.Version); p != "" {
		return &x12.SyntaxError{Pos: g.Pos, SegmentID: "GS", Element: 8, Msg: "version " + p}
	}
	return nil
}

// alnum reports whether v is 1 to n upper-case letters or digits.
func alnum(v string, n int) bool {
	if v == "" || len(v) > n {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < '0' || c > '9') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

func (rd *reader) segment(s x12.Segment) error {
	switch s.ID {
	case "BHT":
		rd.set.reference = s.Element(3)
	case "HL":
		if err := rd.close(); err != nil {
			return err
		}
		code, err := s.Require(3)
		if err != nil {
			return err
		}
		rd.at = level{code: code, pos: s.Pos}
	case "SE":
		return rd.close()
	case "NM1":
		rd.name(s)
	case "DMG":
		rd.at.person.birth, rd.at.person.gender = s.Element(2), s.Element(3)
	case "TRN":
		if s.Element(1) != "1" || (rd.at.code != "22" && rd.at.code != "23") {
			return nil
		}
		trace, err := s.Require(2)
		if err != nil {
			return err
		}
		rd.at.req.trace, rd.at.req.originator, rd.at.asked = trace, s.Element(3), true
	case "DTP":
		return rd.date(s)
	case "EQ":
		rd.at.req.serviceTypes = append(rd.at.req.serviceTypes, s.Repetitions(1)...)
	case "REF":
		switch s.Element(1) {
		case "EJ":
			rd.at.req.claim.id = s.Element(2)
		case "1K":
			rd.at.req.claim.payerNumber = s.Element(2)
		}
	case "AMT":
		if s.Element(1) == "T3" {
			cents, err := s.RequireCents(2)
			if err != nil {
				return err
			}
			rd.at.req.claim.chargeCents = cents
		}
	}
	return nil
}

// name reads an NM1 by the level it is on.
func (rd *reader) name(s x12.Segment) {
	switch rd.at.code {
	case "20":
		rd.set.payer = partyOf(s)
	case "21":
		if rd.kind == "270" {
			rd.set.providers = append(rd.set.providers, providerGroup{provider: partyOf(s)})
		} else {
			rd.set.receiver = partyOf(s)
		}
	case "19":
		rd.set.providers = append(rd.set.providers, providerGroup{provider: partyOf(s)})
	case "22", "23":
		rd.at.person.last, rd.at.person.first, rd.at.person.memberID = s.Element(3), s.Element(4), s.Element(9)
	}
}

// date reads a 270's date of service and a 276's dates of service.
func (rd *reader) date(s x12.Segment) error {
	q := s.Element(1)
	if q != "291" && q != "472" {
		return nil
	}
	from, to, ok := x12.ParseDateRange(s.Element(3))
	switch format := s.Element(2); {
	case !ok:
		return s.Errorf(3, "not a date or date range (%d bytes)", len(s.Element(3)))
	case format != "D8" && format != "RD8":
		return s.Errorf(2, "date format is not D8 or RD8")
	case format == "D8" && !from.Equal(to):
		return s.Errorf(3, "a range where DTP02 says one date")
	}
	if q == "291" {
		rd.at.req.serviceDate = from
	} else {
		rd.at.req.claim.dateQualifier, rd.at.req.claim.dates = s.Element(2), s.Element(3)
	}
	return nil
}

// close ends the level being read: a subscriber level is remembered for
// the dependents under it, and a level that asked becomes a request of
// the set's last provider.
func (rd *reader) close() error {
	at := rd.at
	rd.at = level{}
	if at.code == "22" {
		rd.subscriber = at.person
	}
	if !at.asked {
		return nil
	}
	if len(rd.set.providers) == 0 {
		return &x12.SyntaxError{Pos: at.pos, SegmentID: "HL", Element: 3, Msg: "a question with no provider level above it"}
	}
	r := at.req
	r.subscriber = rd.subscriber
	if at.code == "23" {
		p := at.person
		r.dependent = &p
	}
	g := &rd.set.providers[len(rd.set.providers)-1]
	g.requests = append(g.requests, r)
	return nil
}
