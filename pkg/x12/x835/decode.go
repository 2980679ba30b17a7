package x835

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// where says which loop the decoder is in.
type where int

const (
	inHeader where = iota
	inPayer
	inPayee
	inClaim
	inLine
	inDetail // after LX or PLB, outside any claim
)

type decoder struct {
	rem    *Remittance
	at     where
	sawBPR bool
	sawTRN bool
}

// Decode turns an 835 transaction set into a Remittance. Malformed data in
// the segments it reads (a bad amount or date, a missing required element,
// a CAS or SVC outside a claim) is a *x12.SyntaxError at that segment and
// element; a transaction set that is not an 835 is one too.
func Decode(t *x12.Transaction) (*Remittance, error) {
	if len(t.Segments) == 0 {
		return nil, &x12.SyntaxError{Msg: "transaction set has no segments"}
	}
	st := t.Segments[0]
	if t.Code != "835" {
		return nil, st.Errorf(1, "transaction set %q is not an 835", t.Code)
	}
	d := decoder{rem: &Remittance{ControlNumber: t.ControlNumber, Pos: st.Pos}}
	for _, s := range t.Segments[1:] {
		if err := d.segment(s); err != nil {
			return nil, err
		}
	}
	if !d.sawBPR {
		return nil, st.Errorf(0, "835 has no BPR segment")
	}
	if !d.sawTRN {
		return nil, st.Errorf(0, "835 has no TRN segment")
	}
	return d.rem, nil
}

func (d *decoder) segment(s x12.Segment) error {
	switch s.ID {
	case "BPR":
		return d.bpr(s)
	case "TRN":
		if !d.sawTRN && len(d.rem.Claims) == 0 {
			d.sawTRN = true
			d.rem.CheckNumber = s.Element(2)
			d.rem.TraceOriginator = s.Element(3)
			_, err := s.Require(2)
			return err
		}
	case "N1":
		d.n1(s)
	case "REF":
		d.ref(s)
	case "LX":
		d.at = inDetail
	case "CLP":
		return d.clp(s)
	case "CAS":
		return d.cas(s)
	case "NM1":
		d.nm1(s)
	case "MIA", "MOA":
		d.claimRemarks(s)
	case "DTM":
		return d.dtm(s)
	case "SVC":
		return d.svc(s)
	case "AMT":
		return d.amt(s)
	case "LQ":
		if d.at == inLine && s.Element(1) == "HE" && s.Element(2) != "" {
			l := d.line()
			l.RemarkCodes = append(l.RemarkCodes, s.Element(2))
		}
	case "PLB":
		d.at = inDetail
		return d.plb(s)
	}
	return nil
}

func (d *decoder) claim() *ClaimPayment {
	return &d.rem.Claims[len(d.rem.Claims)-1]
}

func (d *decoder) line() *ServiceLine {
	c := d.claim()
	return &c.ServiceLines[len(c.ServiceLines)-1]
}

func (d *decoder) bpr(s x12.Segment) error {
	if d.sawBPR {
		return s.Errorf(0, "second BPR segment in one 835")
	}
	d.sawBPR = true
	amount, err := s.RequireCents(2)
	if err != nil {
		return err
	}
	date, err := s.Date(16)
	if err != nil {
		return err
	}
	d.rem.PaymentCents = amount
	d.rem.CreditDebit = s.Element(3)
	d.rem.PaymentMethod = s.Element(4)
	d.rem.PaymentDate = date
	return nil
}

func (d *decoder) n1(s x12.Segment) {
	if d.at != inHeader && d.at != inPayer && d.at != inPayee {
		return
	}
	switch s.Element(1) {
	case "PR":
		d.at = inPayer
		d.rem.PayerName = s.Element(2)
		if s.Element(4) != "" {
			d.rem.PayerID = s.Element(4)
		}
	case "PE":
		d.at = inPayee
		d.rem.PayeeName = s.Element(2)
		switch s.Element(3) {
		case "XX":
			d.rem.PayeeNPI = s.Element(4)
		case "FI":
			d.rem.PayeeTaxID = s.Element(4)
		}
	default:
		d.at = inHeader
	}
}

func (d *decoder) ref(s x12.Segment) {
	switch {
	case d.at == inPayer && s.Element(1) == "2U" && d.rem.PayerID == "":
		d.rem.PayerID = s.Element(2)
	case d.at == inPayee && s.Element(1) == "TJ" && d.rem.PayeeTaxID == "":
		d.rem.PayeeTaxID = s.Element(2)
	case d.at == inLine && s.Element(1) == "6R":
		d.line().LineControlNumber = s.Element(2)
	}
}

func (d *decoder) nm1(s x12.Segment) {
	if d.at != inClaim {
		return
	}
	c := d.claim()
	switch s.Element(1) {
	case "QC":
		c.PatientLastName = s.Element(3)
		c.PatientFirstName = s.Element(4)
		c.PatientMemberID = s.Element(9)
	case "IL":
		c.SubscriberID = s.Element(9)
	}
}

func (d *decoder) dtm(s x12.Segment) error {
	var target *time.Time
	switch q := s.Element(1); {
	case d.at == inClaim && q == "232":
		target = &d.claim().StatementFrom
	case d.at == inClaim && q == "233":
		target = &d.claim().StatementTo
	case d.at == inLine && q == "472":
		target = &d.line().DateOfService
	case d.at == inLine && q == "150":
		target = &d.line().ServiceFrom
	case d.at == inLine && q == "151":
		target = &d.line().ServiceTo
	default:
		return nil
	}
	t, err := s.Date(2)
	if err != nil {
		return err
	}
	*target = t
	return nil
}
