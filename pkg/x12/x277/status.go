package x277

import (
	"github.com/backdesk/backdesk/pkg/x12"
)

// stc adds the statuses of an STC segment to the line, claim or level it
// belongs to, and the claim amounts to the claim.
func (d *decoder) stc(s x12.Segment) error {
	statuses, err := parseSTC(s)
	if err != nil {
		return err
	}
	switch d.at {
	case atLevel:
		l := d.level()
		l.Statuses = append(l.Statuses, statuses...)
	case atClaim:
		c := d.claim()
		c.Statuses = append(c.Statuses, statuses...)
		return claimAmounts(c, s)
	case atLine:
		l := d.line()
		l.Statuses = append(l.Statuses, statuses...)
	case atPatient:
		return s.Errorf(0, "STC at the patient level before the claim's TRN")
	}
	return nil
}

func parseSTC(s x12.Segment) ([]Status, error) {
	if _, err := s.Require(1); err != nil {
		return nil, err
	}
	date, err := s.Date(2)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, i := range statusComposites {
		c := s.Components(i)
		if len(c) == 0 {
			continue
		}
		if c[0] == "" {
			return nil, s.Errorf(i, "status has no category code")
		}
		st := Status{Category: c[0], EffectiveDate: date, ActionCode: s.Element(3)}
		if len(c) > 1 {
			st.Code = c[1]
		}
		if len(c) > 2 {
			st.Entity = c[2]
		}
		out = append(out, st)
	}
	return out, nil
}

// claimAmounts takes the claim's charge, payment and payment details from
// the first STC that carries them.
func claimAmounts(c *ClaimStatus, s x12.Segment) error {
	if s.Element(4) != "" && c.BilledCents == 0 {
		v, err := s.Cents(4)
		if err != nil {
			return err
		}
		c.BilledCents = v
	}
	if s.Element(5) != "" && c.PaidCents == 0 {
		v, err := s.Cents(5)
		if err != nil {
			return err
		}
		c.PaidCents = v
	}
	if s.Element(6) != "" && c.AdjudicationDate.IsZero() {
		v, err := s.Date(6)
		if err != nil {
			return err
		}
		c.AdjudicationDate = v
	}
	if s.Element(8) != "" && c.PaymentDate.IsZero() {
		v, err := s.Date(8)
		if err != nil {
			return err
		}
		c.PaymentDate = v
	}
	if c.CheckNumber == "" {
		c.CheckNumber = s.Element(9)
	}
	return nil
}

func (d *decoder) svc(s x12.Segment) error {
	if d.at != atClaim && d.at != atLine {
		return s.Errorf(0, "SVC outside a claim")
	}
	proc := s.Components(1)
	if len(proc) < 2 || proc[0] == "" || proc[1] == "" {
		return s.Errorf(1, "procedure must be a qualifier and a code, such as AD and D2740")
	}
	l := ServiceStatus{ProcedureQualifier: proc[0], ProcedureCode: proc[1], Pos: s.Pos}
	var err error
	if l.ChargeCents, err = s.RequireCents(2); err != nil {
		return err
	}
	if l.PaidCents, err = s.Cents(3); err != nil {
		return err
	}
	if l.Units, err = s.Decimal(7); err != nil {
		return err
	}
	c := d.claim()
	c.ServiceLines = append(c.ServiceLines, l)
	d.at = atLine
	return nil
}
