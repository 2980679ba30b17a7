package x271

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
)

// eb starts a benefit: an EB segment and the 2110 loop after it.
func (d *decoder) eb(s x12.Segment) error {
	switch d.at {
	case atOther:
		return nil
	case atNone, atSource, atReceiver:
		return s.Errorf(0, "EB outside a subscriber or dependent level")
	}
	info, err := s.Require(1)
	if err != nil {
		return err
	}
	b := Benefit{
		Info:              info,
		CoverageLevel:     s.Element(2),
		ServiceTypes:      s.Repetitions(3),
		InsuranceType:     s.Element(4),
		PlanDescription:   s.Element(5),
		TimePeriod:        s.Element(6),
		QuantityQualifier: s.Element(9),
		Authorization:     s.Element(11),
		InNetwork:         s.Element(12),
		Pos:               s.Pos,
	}
	if b.Amount, err = moneyElement(s, 7); err != nil {
		return err
	}
	if b.Percent, err = percentElement(s, 8); err != nil {
		return err
	}
	if b.Quantity, err = s.Decimal(10); err != nil {
		return err
	}
	if proc := s.Components(13); proc != nil {
		if len(proc) < 2 || proc[0] == "" || proc[1] == "" {
			return s.Errorf(13, "procedure must be a qualifier and a code, such as AD and D1110")
		}
		b.ProcedureQualifier, b.Procedure = proc[0], proc[1]
	}
	d.benefits = append(d.benefits, b)
	d.at = atBenefit
	return nil
}

// inBenefit reports whether a segment that belongs to a benefit stands in
// one, and is an error when it stands where no benefit can be: above the
// first EB of a person, or above any person. Under a level this package
// does not read, the segment is skipped; a missing LE is forgiven.
func (d *decoder) inBenefit(s x12.Segment) (bool, error) {
	switch d.at {
	case atBenefit, atEntity:
		return true, nil
	case atOther:
		return false, nil
	}
	return false, s.Errorf(0, "%s outside a benefit (EB)", s.ID)
}

func (d *decoder) hsd(s x12.Segment) error {
	if ok, err := d.inBenefit(s); !ok {
		return err
	}
	h := Delivery{
		QuantityQualifier: s.Element(1),
		Unit:              s.Element(3),
		TimePeriod:        s.Element(5),
		Pattern:           s.Element(7),
		PatternTime:       s.Element(8),
	}
	var err error
	if h.Quantity, err = s.Decimal(2); err != nil {
		return err
	}
	if h.UnitCount, err = s.Decimal(4); err != nil {
		return err
	}
	if h.Periods, err = s.Decimal(6); err != nil {
		return err
	}
	b := d.benefit()
	b.Deliveries = append(b.Deliveries, h)
	return nil
}

func (d *decoder) msg(s x12.Segment) error {
	if ok, err := d.inBenefit(s); !ok {
		return err
	}
	if m := s.Element(1); m != "" {
		b := d.benefit()
		b.Messages = append(b.Messages, m)
	}
	return nil
}

func (d *decoder) iii(s x12.Segment) error {
	if ok, err := d.inBenefit(s); !ok {
		return err
	}
	b := d.benefit()
	b.Industry = append(b.Industry, IndustryCode{
		Qualifier: s.Element(1), Code: s.Element(2), Category: s.Element(3), Text: s.Element(4),
	})
	return nil
}

func setIfZero(t *time.Time, v time.Time) {
	if t.IsZero() {
		*t = v
	}
}
