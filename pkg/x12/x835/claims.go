package x835

import (
	"github.com/backdesk/backdesk/pkg/x12"
)

// claimRemarkElements are the elements of MIA and MOA that carry claim
// remark codes. The others are amounts, counts and rates that matter for
// hospital and Medicare claims rather than dental ones; MIA24, after the
// last remark code, is one of those amounts.
var claimRemarkElements = map[string][]int{
	"MIA": {5, 20, 21, 22, 23},
	"MOA": {3, 4, 5, 6, 7},
}

// casTriples is how many reason/amount/quantity triples a CAS may carry.
const casTriples = 6

// plbPairs is how many reason/amount pairs a PLB may carry.
const plbPairs = 6

func (d *decoder) clp(s x12.Segment) error {
	c := ClaimPayment{Pos: s.Pos}
	var err error
	if c.PatientControlNumber, err = s.Require(1); err != nil {
		return err
	}
	if c.StatusCode, err = s.Require(2); err != nil {
		return err
	}
	if c.ChargeCents, err = s.RequireCents(3); err != nil {
		return err
	}
	if c.PaidCents, err = s.RequireCents(4); err != nil {
		return err
	}
	if c.PatientResponsibilityCents, err = s.Cents(5); err != nil {
		return err
	}
	c.FilingIndicator = s.Element(6)
	c.PayerClaimControlNumber = s.Element(7)
	d.rem.Claims = append(d.rem.Claims, c)
	d.at = inClaim
	return nil
}

// cas expands a CAS segment into one Adjustment per reason it carries and
// adds them to the current service line or, before any, to the claim.
func (d *decoder) cas(s x12.Segment) error {
	var list *[]Adjustment
	switch d.at {
	case inClaim:
		list = &d.claim().Adjustments
	case inLine:
		list = &d.line().Adjustments
	default:
		return s.Errorf(0, "CAS outside a claim")
	}
	group, err := s.Require(1)
	if err != nil {
		return err
	}
	found := false
	for k := range casTriples {
		ri, ai, qi := 2+3*k, 3+3*k, 4+3*k
		reason := s.Element(ri)
		if reason == "" {
			if s.Element(ai) != "" || s.Element(qi) != "" {
				return s.Errorf(ri, "adjustment amount without a reason code")
			}
			continue
		}
		amount, err := s.RequireCents(ai)
		if err != nil {
			return err
		}
		qty, err := s.Decimal(qi)
		if err != nil {
			return err
		}
		*list = append(*list, Adjustment{Group: group, Reason: reason, AmountCents: amount, Quantity: qty})
		found = true
	}
	if !found {
		return s.Errorf(2, "CAS carries no adjustment reason")
	}
	return nil
}

func (d *decoder) svc(s x12.Segment) error {
	if d.at != inClaim && d.at != inLine {
		return s.Errorf(0, "SVC outside a claim")
	}
	l := ServiceLine{Pos: s.Pos}
	proc := s.Components(1)
	if len(proc) < 2 || proc[0] == "" || proc[1] == "" {
		return s.Errorf(1, "procedure must be a qualifier and a code, such as AD and D2740")
	}
	l.ProcedureQualifier, l.ProcedureCode = proc[0], proc[1]
	for _, m := range proc[2:min(len(proc), 6)] {
		if m != "" {
			l.Modifiers = append(l.Modifiers, m)
		}
	}
	var err error
	if l.ChargeCents, err = s.RequireCents(2); err != nil {
		return err
	}
	if l.PaidCents, err = s.RequireCents(3); err != nil {
		return err
	}
	if l.Units, err = s.Decimal(5); err != nil {
		return err
	}
	if sub := s.Components(6); len(sub) >= 2 {
		l.SubmittedQualifier, l.SubmittedCode = sub[0], sub[1]
	}
	c := d.claim()
	c.ServiceLines = append(c.ServiceLines, l)
	d.at = inLine
	return nil
}

func (d *decoder) amt(s x12.Segment) error {
	if d.at != inLine || s.Element(1) != "B6" {
		return nil
	}
	cents, err := s.RequireCents(2)
	if err != nil {
		return err
	}
	l := d.line()
	l.AllowedCents, l.HasAllowed = cents, true
	return nil
}

func (d *decoder) plb(s x12.Segment) error {
	provider, err := s.Require(1)
	if err != nil {
		return err
	}
	found := false
	for k := range plbPairs {
		ci, ai := 3+2*k, 4+2*k
		if s.Element(ci) == "" {
			if s.Element(ai) != "" {
				return s.Errorf(ci, "provider adjustment amount without a reason")
			}
			continue
		}
		amount, err := s.RequireCents(ai)
		if err != nil {
			return err
		}
		d.rem.ProviderAdjustments = append(d.rem.ProviderAdjustments, ProviderAdjustment{
			ProviderID: provider, Reason: s.Component(ci, 1), Reference: s.Component(ci, 2),
			AmountCents: amount, Pos: s.Pos,
		})
		found = true
	}
	if !found {
		return s.Errorf(3, "PLB carries no adjustment")
	}
	return nil
}

// claimRemarks adds the remark codes of an MIA or MOA segment to the
// claim it belongs to. Both come after the claim's CAS and NM1 segments
// and before its first service line; anywhere else they are ignored.
func (d *decoder) claimRemarks(s x12.Segment) {
	if d.at != inClaim {
		return
	}
	c := d.claim()
	for _, i := range claimRemarkElements[s.ID] {
		if code := s.Element(i); code != "" {
			c.RemarkCodes = append(c.RemarkCodes, code)
		}
	}
}
