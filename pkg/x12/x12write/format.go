package x12write

import (
	"strconv"
	"time"
)

// Date formats t as an X12 date, CCYYMMDD, in t's own time zone.
func Date(t time.Time) string { return t.Format("20060102") }

// Time formats t as an X12 time, HHMM, in t's own time zone.
func Time(t time.Time) string { return t.Format("1504") }

// Period returns the format qualifier and value of a DTP date: D8 and
// CCYYMMDD for a single day (to is zero or the same day as from), RD8 and
// CCYYMMDD-CCYYMMDD for a range.
func Period(from, to time.Time) (qualifier, value string) {
	f := Date(from)
	if to.IsZero() {
		return "D8", f
	}
	if t := Date(to); t != f {
		return "RD8", f + "-" + t
	}
	return "D8", f
}

// Amount formats cents as an X12 decimal amount with no trailing zeros
// after the point, as the standard prefers: 24500 is "245", 24550 is
// "245.5" and 24555 is "245.55".
func Amount(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", uint64(-cents)
	}
	s := sign + strconv.FormatUint(u/100, 10)
	switch frac := u % 100; {
	case frac == 0:
		return s
	case frac%10 == 0:
		return s + "." + strconv.FormatUint(frac/10, 10)
	case frac < 10:
		return s + ".0" + strconv.FormatUint(frac, 10)
	default:
		return s + "." + strconv.FormatUint(frac, 10)
	}
}
