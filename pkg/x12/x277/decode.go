package x277

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// statusComposites are the STC elements that each carry a status.
var statusComposites = []int{1, 10, 11}

type where int

const (
	atNone    where = iota // before any HL, or in a level this package ignores
	atLevel                // source, receiver or provider level
	atPatient              // patient level, before the claim's TRN
	atClaim
	atLine
)

type decoder struct {
	rep         *StatusReport
	at          where
	levelCode   string
	providerNPI string
	patient     ClaimStatus // names and IDs carried into each claim
	subscriber  string      // member ID at the last subscriber level
}

// Decode turns a 277 transaction set into a StatusReport. Malformed data in
// the segments it reads is a *x12.SyntaxError at that segment and element;
// a transaction set that is not a 277 is one too.
func Decode(t *x12.Transaction) (*StatusReport, error) {
	if len(t.Segments) == 0 {
		return nil, &x12.SyntaxError{Msg: "transaction set has no segments"}
	}
	st := t.Segments[0]
	if t.Code != "277" {
		return nil, st.Errorf(1, "transaction set %q is not a 277", t.Code)
	}
	ref := t.ImplementationRef
	if ref == "" {
		ref = t.Group.Version
	}
	d := decoder{rep: &StatusReport{ControlNumber: t.ControlNumber, ImplementationRef: ref, Pos: st.Pos}}
	for _, s := range t.Segments[1:] {
		if err := d.segment(s); err != nil {
			return nil, err
		}
	}
	return d.rep, nil
}

func (d *decoder) claim() *ClaimStatus {
	return &d.rep.Claims[len(d.rep.Claims)-1]
}

func (d *decoder) line() *ServiceStatus {
	c := d.claim()
	return &c.ServiceLines[len(c.ServiceLines)-1]
}

func (d *decoder) level() *LevelStatus {
	return &d.rep.Levels[len(d.rep.Levels)-1]
}

func (d *decoder) segment(s x12.Segment) error {
	switch s.ID {
	case "HL":
		return d.hl(s)
	case "NM1":
		d.nm1(s)
	case "TRN":
		return d.trn(s)
	case "STC":
		return d.stc(s)
	case "REF":
		d.ref(s)
	case "DTP":
		return d.dtp(s)
	case "SVC":
		return d.svc(s)
	}
	return nil
}

func (d *decoder) hl(s x12.Segment) error {
	code, err := s.Require(3)
	if err != nil {
		return err
	}
	d.levelCode = code
	switch code {
	case "20", "21", "19":
		d.at = atLevel
		if code == "19" {
			d.providerNPI = ""
		}
		d.rep.Levels = append(d.rep.Levels, LevelStatus{Level: code, Pos: s.Pos})
	case "PT", "22", "23":
		d.at = atPatient
		d.patient = ClaimStatus{}
		if code == "23" {
			d.patient.MemberID = d.subscriber
		}
	default:
		d.at = atNone
	}
	return nil
}

func (d *decoder) nm1(s x12.Segment) {
	switch d.at {
	case atLevel:
		l := d.level()
		l.Name, l.ID = s.Element(3), s.Element(9)
		switch {
		case l.Level == "20":
			d.rep.SenderName, d.rep.SenderID = l.Name, l.ID
		case l.Level == "21":
			d.rep.ReceiverName = l.Name
		case l.Level == "19" && s.Element(8) == "XX":
			d.providerNPI = l.ID
		}
	case atPatient:
		if q := s.Element(1); q != "QC" && q != "IL" {
			return
		}
		d.patient.PatientLastName, d.patient.PatientFirstName = s.Element(3), s.Element(4)
		if id := s.Element(9); id != "" {
			d.patient.MemberID = id
		}
		if d.levelCode == "22" {
			d.subscriber = d.patient.MemberID
		}
	}
}

func (d *decoder) trn(s x12.Segment) error {
	switch d.at {
	case atLevel:
		d.level().TraceNumber = s.Element(2)
	case atPatient, atClaim, atLine:
		if s.Element(1) != "2" {
			return nil
		}
		pcn, err := s.Require(2)
		if err != nil {
			return err
		}
		c := d.patient
		c.PatientControlNumber, c.ProviderNPI, c.Pos = pcn, d.providerNPI, s.Pos
		d.rep.Claims = append(d.rep.Claims, c)
		d.at = atClaim
	}
	return nil
}

func (d *decoder) ref(s x12.Segment) {
	switch q := s.Element(1); {
	case d.at == atClaim && q == "1K":
		d.claim().PayerClaimControlNumber = s.Element(2)
	case d.at == atClaim && q == "D9":
		d.claim().ClearinghouseTraceNumber = s.Element(2)
	case d.at == atLine && q == "FJ":
		d.line().LineControlNumber = s.Element(2)
	}
}

func (d *decoder) dtp(s x12.Segment) error {
	if s.Element(1) != "472" {
		return nil
	}
	var from, to *time.Time
	switch d.at {
	case atClaim:
		from, to = &d.claim().ServiceFrom, &d.claim().ServiceTo
	case atLine:
		from, to = &d.line().ServiceFrom, &d.line().ServiceTo
	default:
		return nil
	}
	f, t, ok := x12.ParseDateRange(s.Element(3))
	if !ok || (s.Element(2) == "D8" && !f.Equal(t)) {
		return s.Errorf(3, "not a date or date range in the format DTP02 names")
	}
	*from, *to = f, t
	return nil
}
