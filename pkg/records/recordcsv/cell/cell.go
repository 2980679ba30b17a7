// Package cell reads the values of one import cell: dates in the formats
// practice systems export, money, phone numbers, e-mail addresses, states,
// postal codes and yes/no words. Each parser takes a trimmed, non-empty cell
// and says only whether it read it, so no parser can put a value, which may
// be PHI, into a message.
package cell

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/records"
)

// The value parsers below take a trimmed, non-empty cell. They report only
// ok or not: the caller owns the message, so no parser can leak a value
// into one.

// Key folds a header name or an enumerated word for comparison:
// lowercase letters and digits only, so "Date of Birth", "DATE_OF_BIRTH"
// and "date-of-birth" are the same key.
func Key(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Text trims s, turns each run of white space (including newlines
// from quoted multi-line cells) into one space and drops other control
// characters, which only ever come from copy-and-paste accidents. Most cells
// need none of this, so they are returned without copying.
func Text(s string) string {
	s = strings.TrimSpace(s)
	clean := true
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c >= utf8.RuneSelf || (c == ' ' && prevSpace) {
			clean = false
			break
		}
		prevSpace = c == ' '
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
		case unicode.IsControl(r), r == '\uFEFF':
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Digits reports whether s is non-empty and all ASCII digits.
func Digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Date reads the US forms practice systems export: MM/DD/YYYY,
// M/D/YYYY, MM/DD/YY, MM-DD-YYYY and YYYY-MM-DD, optionally followed by a
// time of day (spreadsheets add " 0:00"), which is ignored. A two-digit
// year above this year's last two digits plus one is taken as 19YY, so
// birth dates land in the past and due dates in the near future. Open
// Dental writes "not set" as 0001-01-01; that reads as a blank (zero) date.
// Impossible dates such as 02/30 are rejected.
func Date(s string, thisYear int) (records.Date, bool) {
	if i := strings.IndexAny(s, " T"); i >= 0 {
		if i == 0 || !IsTime(s[i+1:]) {
			return records.Date{}, false
		}
		s = s[:i]
	}
	// One pass over at most three groups of digits with one separator.
	var n, w [3]int
	var sep byte
	k := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if w[k] == 4 {
				return records.Date{}, false
			}
			n[k], w[k] = n[k]*10+int(c-'0'), w[k]+1
		case (c == '/' || c == '-' || c == '.') && k < 2 && w[k] > 0 && (sep == 0 || c == sep):
			sep, k = c, k+1
		default:
			return records.Date{}, false
		}
	}
	if k != 2 || w[2] == 0 {
		return records.Date{}, false
	}
	year, month, day, yw := n[2], n[0], n[1], w[2]
	if w[0] == 4 {
		year, month, day, yw = n[0], n[1], n[2], 4
		if w[1] > 2 || w[2] > 2 {
			return records.Date{}, false
		}
	} else if w[0] > 2 || w[1] > 2 || (yw != 2 && yw != 4) {
		return records.Date{}, false
	}
	if yw == 4 && year == 1 && month == 1 && day == 1 {
		return records.Date{}, true
	}
	if yw == 2 {
		century := thisYear / 100 * 100
		if year > thisYear%100+1 {
			year += century - 100
		} else {
			year += century
		}
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return records.Date{}, false
	}
	return records.Date{Year: year, Month: time.Month(month), Day: day}, true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// IsTime accepts the time-of-day suffixes exports put after a date:
// "0:00", "12:00:00 AM", "00:00:00.000", "00:00:00Z".
func IsTime(s string) bool {
	s = strings.TrimSpace(s)
	up := strings.ToUpper(s)
	up = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(up, "Z"), "AM"), "PM")
	up = strings.TrimSpace(up)
	if up == "" || up[0] < '0' || up[0] > '9' || !strings.Contains(up, ":") {
		return false
	}
	for i := 0; i < len(up); i++ {
		if c := up[i]; (c < '0' || c > '9') && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

// Clock reads a time of day as exports write it: 24-hour "9:00",
// "09:00:00" or "09:00:00.000", or 12-hour "9:00 AM", "9:00pm", "9:00 a.m."
// or "9:00a". It returns minutes after midnight; seconds are dropped,
// because visits are booked to the minute. A zone or offset ("Z",
// "-06:00") is refused: the time is the practice's wall clock, and one
// written in another zone would be read hours off.
func Clock(s string) (int, bool) {
	up := strings.ToUpper(strings.TrimSpace(s))
	half := 0 // 0: 24-hour, 1: AM, 2: PM
	for _, suf := range []struct {
		s string
		h int
	}{{"A.M.", 1}, {"P.M.", 2}, {"AM", 1}, {"PM", 2}, {"A", 1}, {"P", 2}} {
		if rest, ok := strings.CutSuffix(up, suf.s); ok {
			up, half = strings.TrimSpace(rest), suf.h
			break
		}
	}
	hh, rest, ok := strings.Cut(up, ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || !Digits(hh) {
		return 0, false
	}
	mm, sec, hasSec := strings.Cut(rest, ":")
	if len(mm) != 2 || !Digits(mm) {
		return 0, false
	}
	if hasSec {
		whole, frac, hasFrac := strings.Cut(sec, ".")
		if len(whole) != 2 || !Digits(whole) || whole > "59" || (hasFrac && !Digits(frac)) {
			return 0, false
		}
	}
	h := int(hh[0] - '0')
	if len(hh) == 2 {
		h = h*10 + int(hh[1]-'0')
	}
	m := int(mm[0]-'0')*10 + int(mm[1]-'0')
	if m > 59 {
		return 0, false
	}
	switch {
	case half == 0 && h > 23:
		return 0, false
	case half != 0 && (h < 1 || h > 12):
		return 0, false
	case half == 1 && h == 12:
		h = 0
	case half == 2 && h != 12:
		h += 12
	}
	return h*60 + m, true
}

// DateTime reads a date in any form Date reads, optionally followed by a
// time of day in any form Clock reads, after a space or a "T". It returns
// the date, the minutes after midnight and whether a time was given. A
// zero date means "not set", as for Date.
func DateTime(s string, thisYear int) (d records.Date, minutes int, timed, ok bool) {
	date, clock, hasClock := strings.Cut(strings.TrimSpace(s), " ")
	if !hasClock {
		date, clock, hasClock = strings.Cut(date, "T")
	}
	if d, ok = Date(date, thisYear); !ok {
		return records.Date{}, 0, false, false
	}
	if !hasClock {
		return d, 0, false, true
	}
	if minutes, ok = Clock(clock); !ok {
		return records.Date{}, 0, false, false
	}
	return d, minutes, true, true
}

// Procedures reads a list of CDT procedure codes ("D0120 D1110",
// "D0120, D1110", "d0120;d1110"): each a D and four digits, separated by
// spaces, commas, semicolons, slashes, bars or plus signs. It returns
// them upper-cased, in order, each once. A cell with anything else in it
// (descriptions, abbreviations, a code of another length) is refused, so
// a mis-mapped column is caught rather than half read.
func Procedures(s string) ([]string, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;/|+", r)
	})
	if len(fields) == 0 {
		return nil, false
	}
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		if len(f) != 5 || (f[0] != 'D' && f[0] != 'd') || !Digits(f[1:]) {
			return nil, false
		}
		code := "D" + f[1:]
		if !slices.Contains(out, code) {
			out = append(out, code)
		}
	}
	return out, true
}

// maxMoneyDigits bounds whole dollars so cents always fit in an int64 with
// room to sum aging buckets; no dental balance comes near ten trillion.
const maxMoneyDigits = 13

// Money turns "$1,234.56", "1234.5", "(12.00)" or "-12.00" into cents
// exactly, without floating point, which would turn 0.29 into 28 cents.
// More than two decimals is an error rather than a rounding decision.
func Money(s string) (int64, bool) {
	neg := false
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		neg, s = true, strings.TrimSpace(s[1:len(s)-1])
	}
	signed, dollar := false, false
prefix:
	for len(s) > 0 {
		switch s[0] {
		case '-', '+':
			if neg || signed {
				return 0, false
			}
			neg, signed = s[0] == '-', true
		case '$':
			if dollar {
				return 0, false
			}
			dollar = true
		default:
			break prefix
		}
		s = strings.TrimSpace(s[1:])
	}
	// One pass: whole digits with optional thousands commas, then up to
	// two decimals. group counts digits since the last comma (-1: none yet).
	var cents int64
	whole, sig, group, frac := 0, 0, -1, -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' && frac >= 0:
			if frac == 2 {
				return 0, false
			}
			cents += int64(c-'0') * [2]int64{10, 1}[frac]
			frac++
		case c >= '0' && c <= '9':
			if sig > 0 || c != '0' {
				if sig++; sig > maxMoneyDigits {
					return 0, false
				}
			}
			cents = cents*10 + int64(c-'0')*100
			whole++
			if group >= 0 {
				group++
			}
		case c == ',' && frac < 0:
			if whole == 0 || (group < 0 && whole > 3) || (group >= 0 && group != 3) {
				return 0, false
			}
			group = 0
		case c == '.' && frac < 0:
			if group >= 0 && group != 3 {
				return 0, false
			}
			frac = 0
		default:
			return 0, false
		}
	}
	if (frac < 0 && group >= 0 && group != 3) || (whole == 0 && frac <= 0) {
		return 0, false
	}
	if neg {
		cents = -cents
	}
	return cents, true
}

// Phone normalises a US (NANP) number written in any common form to
// E.164 "+1NXXNXXXXXX". An extension ("x12", "ext. 12") is dropped: E.164
// cannot carry it and the main line still reaches the patient. Area codes
// and exchanges starting with 0 or 1 do not exist and are rejected, which
// also catches numbers Excel turned into something else.
func Phone(s string) (string, bool) {
	if i := strings.IndexAny(s, "xX#eE"); i > 0 {
		ext := strings.TrimLeft(s[i:], "extnsioEXTNSIO.:# ")
		if !Digits(ext) {
			return "", false
		}
		s = s[:i]
	}
	var d [11]byte
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
		case c == '+' && n == 0 && !plus:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return "", false
		}
	}
	num := d[:n]
	if n == 11 && num[0] == '1' {
		num = num[1:]
	} else if plus {
		return "", false // a non-US country code
	}
	if len(num) != 10 || num[0] < '2' || num[3] < '2' {
		return "", false
	}
	return "+1" + string(num), true
}

// Email checks the plain shape of an address (local@domain.tld) and
// lowercases it. It is deliberately simple: the point is to catch a phone
// number or a name in the email column, not to implement RFC 5322.
func Email(s string) (string, bool) {
	s = strings.ToLower(s)
	local, domain, ok := strings.Cut(s, "@")
	if !ok || len(s) > 254 || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return "", false
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0) {
			return "", false
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", false
			}
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 || Digits(tld) {
		return "", false
	}
	return s, true
}

// states are the two-letter codes USPS accepts: the states, DC, the
// territories and the military post offices.
var states = map[string]string{
	"AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
	"CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
	"HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
	"KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
	"MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri",
	"MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
	"NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio",
	"OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
	"SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
	"VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
	"DC": "District of Columbia", "PR": "Puerto Rico", "VI": "Virgin Islands", "GU": "Guam",
	"AS": "American Samoa", "MP": "Northern Mariana Islands",
	"AA": "Armed Forces Americas", "AE": "Armed Forces Europe", "AP": "Armed Forces Pacific",
}

// stateNames maps a Key'ed full name to its code, for exports that
// spell states out.
var stateNames = func() map[string]string {
	m := make(map[string]string, len(states))
	for code, name := range states {
		m[Key(name)] = code
	}
	return m
}()

// State accepts a two-letter code in any case, or a full state name.
func State(s string) (string, bool) {
	if len(s) == 2 {
		up := strings.ToUpper(s)
		if _, ok := states[up]; ok {
			return up, true
		}
		return "", false
	}
	code, ok := stateNames[Key(s)]
	return code, ok
}

// Postal accepts 12345, 12345-6789 and 123456789, and writes ZIP+4
// with its hyphen. A four-digit code gets its leading zero back: no US ZIP
// has four digits, and spreadsheets strip the zero from New England and
// New Jersey codes.
func Postal(s string) (string, bool) {
	switch {
	case len(s) == 4 && Digits(s):
		return "0" + s, true
	case len(s) == 5 && Digits(s):
		return s, true
	case len(s) == 9 && Digits(s):
		return s[:5] + "-" + s[5:], true
	case len(s) == 10 && s[5] == '-' && Digits(s[:5]) && Digits(s[6:]):
		return s, true
	}
	return "", false
}

// Bool reads the yes/no words exports use. A blank cell never reaches
// here and means no, so an "X" column of checkmarks reads naturally.
// Open Dental's "Unknown" (for text consent) is no: consent is never assumed.
func Bool(s string) (bool, bool) {
	switch Key(s) {
	case "y", "yes", "true", "t", "1", "x":
		return true, true
	case "n", "no", "false", "f", "0", "unknown":
		return false, true
	}
	return false, false
}
