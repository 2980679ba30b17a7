package x271

import (
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12"
)

// Money is an amount in cents that a payer may or may not have sent.
type Money struct {
	Cents int64
	Known bool
}

// String writes dollars with thousands separators, and cents only when
// there are any: "$1,500", "$62.50". An unknown amount is "unknown".
func (m Money) String() string {
	if !m.Known {
		return "unknown"
	}
	c, sign := m.Cents, ""
	if c < 0 {
		c, sign = -c, "-"
	}
	s := sign + "$" + groupThousands(strconv.FormatInt(c/100, 10))
	if c%100 != 0 {
		s += "." + strconv.FormatInt(c%100/10, 10) + strconv.FormatInt(c%10, 10)
	}
	return s
}

func groupThousands(digits string) string {
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	return b.String()
}

// Percent is a share in hundredths of a percent (2000 is 20%) that a payer
// may or may not have sent.
type Percent struct {
	Hundredths int
	Known      bool
}

// String writes the percentage with as many decimals as it needs: "20%",
// "12.5%". An unknown share is "unknown".
func (p Percent) String() string {
	if !p.Known {
		return "unknown"
	}
	s := strconv.Itoa(p.Hundredths / 100)
	if f := p.Hundredths % 100; f != 0 {
		s += "." + strings.TrimRight(strconv.Itoa(100 + f)[1:], "0")
	}
	return s + "%"
}

// percentElement reads element i as a percentage. X12 sends it as a
// decimal from 0 to 1 (.2 is 20%); some payers send whole percentages
// instead (20), so a value above 1 and up to 100 is taken as one. Digits
// past the hundredth of a percent are dropped.
func percentElement(s x12.Segment, i int) (Percent, error) {
	e := s.Element(i)
	if e == "" {
		return Percent{}, nil
	}
	bad := func() (Percent, error) {
		return Percent{}, s.Errorf(i, "not a percentage from 0 to 1 (%d bytes)", len(e))
	}
	if strings.HasPrefix(e, "-") || !x12.IsDecimal(e) {
		return bad()
	}
	whole, frac, _ := strings.Cut(e, ".")
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 3 {
		return bad()
	}
	w, _ := strconv.Atoi("0" + whole)
	// Hundredths of a percent are ten-thousandths of the decimal.
	f4, _ := strconv.Atoi((frac + "0000")[:4])
	h := w*10000 + f4
	if h <= 10000 {
		return Percent{Hundredths: h, Known: true}, nil
	}
	if w > 100 || (w == 100 && f4 != 0) {
		return bad()
	}
	f2, _ := strconv.Atoi((frac + "00")[:2])
	return Percent{Hundredths: w*100 + f2, Known: true}, nil
}

// moneyElement reads element i as an amount of money; an empty element is
// an unknown amount.
func moneyElement(s x12.Segment, i int) (Money, error) {
	if s.Element(i) == "" {
		return Money{}, nil
	}
	c, err := s.Cents(i)
	if err != nil {
		return Money{}, err
	}
	return Money{Cents: c, Known: true}, nil
}

// wholeNumber reads a decimal as sent ("2", "2.0") as a whole number; it
// reports false for an empty value, a fraction or a negative number.
func wholeNumber(s string) (int, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(frac, "0") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(whole)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
