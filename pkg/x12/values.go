package x12

import (
	"strconv"
	"strings"
	"time"
)

// maxWholeDigits keeps ParseCents away from int64 overflow: 16 digits of whole
// currency units is far beyond any payment.
const maxWholeDigits = 16

// ParseCents parses an X12 decimal amount ("125", "125.5", "-40.00", "0",
// ".5") into cents without floating point. It accepts an optional leading
// minus sign and at most one decimal point; digits past the cents must be
// zeros, since they cannot be represented. It reports false for anything
// else, including exponents, plus signs and empty input.
func ParseCents(s string) (int64, bool) {
	neg := false
	if strings.HasPrefix(s, "-") {
		neg = true
		s = s[1:]
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, false
	}
	if hasPoint && strings.Contains(frac, ".") {
		return 0, false
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > maxWholeDigits {
		return 0, false
	}
	var c int64
	for i := 0; i < len(whole); i++ {
		c = c*10 + int64(whole[i]-'0')
	}
	c *= 100
	for i := 0; i < len(frac); i++ {
		d := int64(frac[i] - '0')
		switch i {
		case 0:
			c += d * 10
		case 1:
			c += d
		default:
			if d != 0 {
				return 0, false
			}
		}
	}
	if neg {
		c = -c
	}
	return c, true
}

// FormatCents writes cents as an X12 decimal amount with two decimals
// ("125.50", "-40.00", "0.00").
func FormatCents(c int64) string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign = "-"
		u = uint64(-c)
	}
	frac := u % 100
	s := sign + strconv.FormatUint(u/100, 10) + "."
	if frac < 10 {
		s += "0"
	}
	return s + strconv.FormatUint(frac, 10)
}

// IsDecimal reports whether s is an X12 decimal number: an optional minus
// sign, digits, and at most one decimal point, with at least one digit.
func IsDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	return (whole != "" || frac != "") && allDigits(whole) && allDigits(frac)
}

// ParseDate parses a CCYYMMDD date as midnight UTC. It reports false for
// anything else, including impossible dates such as 20240230.
func ParseDate(s string) (time.Time, bool) {
	if len(s) != 8 || !allDigits(s) {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102", s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// ParseDateRange parses a period written as CCYYMMDD-CCYYMMDD (date format
// qualifier RD8), or a single CCYYMMDD date (D8) as a one-day period.
func ParseDateRange(s string) (from, to time.Time, ok bool) {
	a, b, isRange := strings.Cut(s, "-")
	from, ok = ParseDate(a)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	if !isRange {
		return from, from, true
	}
	to, ok = ParseDate(b)
	if !ok || to.Before(from) {
		return time.Time{}, time.Time{}, false
	}
	return from, to, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
