package x271

import (
	"github.com/backdesk/backdesk/pkg/x12"
)

type where int

const (
	atNone     where = iota // before any HL
	atSource                // HL 20
	atReceiver              // HL 21
	atPerson                // HL 22 or 23, before the first EB
	atBenefit               // in an EB loop
	atEntity                // between LS and LE in an EB loop
	atOther                 // an HL level this package does not read
)

type decoder struct {
	rep *Response
	at  where
	// subscriber is the index in Answers of the last subscriber, whose
	// name, member ID, plan and group the dependents under it share; -1
	// when there is none.
	subscriber int
	// leadsOn[i] is true when Answers[i] is a subscriber whose HL04 says a
	// dependent level follows.
	leadsOn []bool
	// benefits holds the benefits of every answer, one after the other;
	// first is where the current answer's start. Each answer's Benefits is
	// its stretch of it, so that a set of many answers does not grow a
	// slice of large structs once per answer.
	benefits []Benefit
	first    int
}

// Decode turns a 271 transaction set into a Response. Malformed data in
// the segments it reads is a *x12.SyntaxError at that segment and element,
// and so is a transaction set that is not a 271, or a benefit segment
// outside a subscriber or dependent level.
func Decode(t *x12.Transaction) (*Response, error) {
	if len(t.Segments) == 0 {
		return nil, &x12.SyntaxError{Msg: "transaction set has no segments"}
	}
	st := t.Segments[0]
	if t.Code != "271" {
		return nil, st.Errorf(1, "transaction set %q is not a 271", t.Code)
	}
	ref := t.ImplementationRef
	if ref == "" {
		ref = t.Group.Version
	}
	d := decoder{rep: &Response{ControlNumber: t.ControlNumber, ImplementationRef: ref, Pos: st.Pos}, subscriber: -1}
	d.size(t.Segments)
	for _, s := range t.Segments[1:] {
		if err := d.segment(s); err != nil {
			return nil, err
		}
	}
	d.finish()
	return d.rep, nil
}

// size makes room for the answers and benefits of the set at once.
func (d *decoder) size(segs []x12.Segment) {
	people, benefits := 0, 0
	for _, s := range segs {
		switch s.ID {
		case "HL":
			if l := s.Element(3); l == "22" || l == "23" {
				people++
			}
		case "EB":
			benefits++
		}
	}
	d.rep.Answers = make([]Answer, 0, people)
	d.leadsOn = make([]bool, 0, people)
	d.benefits = make([]Benefit, 0, benefits)
}

// closeAnswer gives the current answer its benefits; the capacity is cut
// so that appending to them cannot reach the next answer's.
func (d *decoder) closeAnswer() {
	if len(d.rep.Answers) > 0 && len(d.benefits) > d.first {
		n := len(d.benefits)
		d.answer().Benefits = d.benefits[d.first:n:n]
	}
	d.first = len(d.benefits)
}

func (d *decoder) answer() *Answer {
	return &d.rep.Answers[len(d.rep.Answers)-1]
}

func (d *decoder) benefit() *Benefit {
	return &d.benefits[len(d.benefits)-1]
}

func (d *decoder) segment(s x12.Segment) error {
	switch s.ID {
	case "BHT":
		return d.bht(s)
	case "HL":
		return d.hl(s)
	case "NM1":
		d.nm1(s)
	case "AAA":
		return d.aaa(s)
	case "TRN":
		return d.trn(s)
	case "REF":
		d.ref(s)
	case "DTP":
		return d.dtp(s)
	case "EB":
		return d.eb(s)
	case "HSD":
		return d.hsd(s)
	case "MSG":
		return d.msg(s)
	case "III":
		return d.iii(s)
	case "LS":
		if d.at == atBenefit {
			d.at = atEntity
		}
	case "LE":
		if d.at == atEntity {
			d.at = atBenefit
		}
	}
	return nil
}

func (d *decoder) bht(s x12.Segment) error {
	created, err := s.Date(4)
	if err != nil {
		return err
	}
	d.rep.Reference, d.rep.Created = s.Element(3), created
	return nil
}

func (d *decoder) hl(s x12.Segment) error {
	code, err := s.Require(3)
	if err != nil {
		return err
	}
	d.closeAnswer()
	switch code {
	case "20":
		d.at = atSource
	case "21":
		d.at = atReceiver
	case "22", "23":
		d.at = atPerson
		a := Answer{
			Dependent: code == "23",
			Above:     append([]Rejection(nil), d.rep.Rejections...),
			Answered:  d.rep.Created,
			Pos:       s.Pos,
		}
		if code == "22" {
			d.subscriber = len(d.rep.Answers)
		} else if d.subscriber >= 0 {
			sub := d.rep.Answers[d.subscriber]
			a.MemberID = sub.MemberID
			a.SubscriberLastName, a.SubscriberFirstName = sub.LastName, sub.FirstName
			a.PlanNumber, a.PlanName, a.GroupNumber, a.GroupName = sub.PlanNumber, sub.PlanName, sub.GroupNumber, sub.GroupName
		}
		d.rep.Answers = append(d.rep.Answers, a)
		d.leadsOn = append(d.leadsOn, code == "22" && s.Element(4) == "1")
	default:
		d.at = atOther
	}
	return nil
}

func (d *decoder) nm1(s x12.Segment) {
	switch d.at {
	case atSource:
		d.rep.SourceName, d.rep.SourceID = s.Element(3), s.Element(9)
	case atReceiver:
		d.rep.ReceiverName, d.rep.ReceiverID = s.Element(3), s.Element(9)
		if s.Element(8) == "XX" {
			d.rep.ReceiverNPI = s.Element(9)
		}
	case atPerson:
		a := d.answer()
		a.LastName, a.FirstName, a.MiddleName = s.Element(3), s.Element(4), s.Element(5)
		if id := s.Element(9); id != "" {
			a.MemberID = id
		}
	case atEntity:
		b := d.benefit()
		b.Entities = append(b.Entities, Entity{
			Code: s.Element(1), Name: s.Element(3), FirstName: s.Element(4),
			IDQualifier: s.Element(8), ID: s.Element(9),
		})
	}
}

func (d *decoder) aaa(s x12.Segment) error {
	r := Rejection{ValidRequest: s.Element(1) == "Y", Reason: s.Element(3), FollowUp: s.Element(4), Pos: s.Pos}
	switch d.at {
	case atSource:
		r.Level = SourceLevel
		d.rep.Rejections = append(d.rep.Rejections, r)
	case atReceiver:
		r.Level = ReceiverLevel
		d.rep.Rejections = append(d.rep.Rejections, r)
	case atPerson:
		a := d.answer()
		r.Level = SubscriberLevel
		if a.Dependent {
			r.Level = DependentLevel
		}
		a.Rejections = append(a.Rejections, r)
	case atBenefit, atEntity:
		r.Level = BenefitLevel
		b := d.benefit()
		b.Rejections = append(b.Rejections, r)
	case atNone:
		return s.Errorf(0, "AAA before any HL level")
	}
	return nil
}

func (d *decoder) trn(s x12.Segment) error {
	if d.at != atPerson {
		return nil
	}
	a := d.answer()
	switch s.Element(1) {
	case "2":
		n, err := s.Require(2)
		if err != nil {
			return err
		}
		a.TraceNumbers = append(a.TraceNumbers, n)
	case "1":
		n, err := s.Require(2)
		if err != nil {
			return err
		}
		a.PayerTraceNumbers = append(a.PayerTraceNumbers, n)
	}
	return nil
}

func (d *decoder) ref(s x12.Segment) {
	r := Ref{Qualifier: s.Element(1), ID: s.Element(2), Description: s.Element(3)}
	switch d.at {
	case atPerson:
		a := d.answer()
		a.Refs = append(a.Refs, r)
		switch r.Qualifier {
		case "18":
			a.PlanNumber, a.PlanName = r.ID, r.Description
		case "6P":
			a.GroupNumber, a.GroupName = r.ID, r.Description
		case "1L":
			if a.GroupNumber == "" {
				a.GroupNumber = r.ID
			}
		}
	case atBenefit:
		b := d.benefit()
		b.Refs = append(b.Refs, r)
	}
}

func (d *decoder) dtp(s x12.Segment) error {
	if d.at != atPerson && d.at != atBenefit {
		return nil
	}
	date, err := parseDTP(s)
	if err != nil {
		return err
	}
	if d.at == atBenefit {
		b := d.benefit()
		b.Dates = append(b.Dates, date)
		return nil
	}
	a := d.answer()
	a.Dates = append(a.Dates, date)
	switch date.Qualifier {
	case "346":
		a.PlanBegin = date.From
	case "347":
		a.PlanEnd = date.To
	case "291":
		if date.To.After(date.From) {
			setIfZero(&a.PlanBegin, date.From)
			setIfZero(&a.PlanEnd, date.To)
		}
	case "356":
		a.EligibilityBegin = date.From
	case "357":
		a.EligibilityEnd = date.To
	case "307":
		if date.To.After(date.From) {
			setIfZero(&a.EligibilityBegin, date.From)
			setIfZero(&a.EligibilityEnd, date.To)
		}
	case "304":
		a.LatestVisit = date.To
	case "348":
		a.BenefitBegin = date.From
	}
	return nil
}

// parseDTP reads a DTP segment: a qualifier and a date (D8) or a range of
// dates (RD8).
func parseDTP(s x12.Segment) (Date, error) {
	q, err := s.Require(1)
	if err != nil {
		return Date{}, err
	}
	v, err := s.Require(3)
	if err != nil {
		return Date{}, err
	}
	from, to, ok := x12.ParseDateRange(v)
	if !ok || (s.Element(2) == "D8" && !from.Equal(to)) {
		return Date{}, s.Errorf(3, "not a date or date range in the format DTP02 names (%d bytes)", len(v))
	}
	return Date{Qualifier: q, From: from, To: to}, nil
}

// finish drops the subscriber levels that only lead to a dependent: the
// payer answered about the dependent, not them.
func (d *decoder) finish() {
	d.closeAnswer()
	kept := d.rep.Answers[:0]
	for i, a := range d.rep.Answers {
		if d.leadsOn[i] && len(a.TraceNumbers) == 0 && len(a.Benefits) == 0 && len(a.Rejections) == 0 {
			continue
		}
		kept = append(kept, a)
	}
	d.rep.Answers = kept
}
