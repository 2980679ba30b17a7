package statement

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/backdesk/backdesk/pkg/records"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// FormatCents writes an amount of cents as dollars with thousands
// separators: $1,234.56, and -$1,234.56 when negative.
func FormatCents(c int64) string {
	neg := c < 0
	u := uint64(c)
	if neg {
		u = -u // two's complement: right for math.MinInt64 too
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteByte('$')
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	cents := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// FormatDate writes d as a statement prints it: "Mar 4, 2026"; the zero
// Date is "".
func FormatDate(d records.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("Jan 2, 2006")
}

// winAnsi turns s into the bytes the PDF core fonts print: Windows-1252,
// the only character set they have. A letter outside it loses its accents
// when that brings it inside (ễ prints as e, ﬁ as fi); ok is false when anything
// else is left that the fonts cannot print, or s holds a control
// character.
func winAnsi(s string) (out string, ok bool) {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", false
		}
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b = append(b, c)
			continue
		}
		folded := false
		for _, d := range norm.NFKD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue // a combining accent
			}
			c, ok := charmap.Windows1252.EncodeRune(d)
			if !ok {
				return "", false
			}
			b = append(b, c)
			folded = true
		}
		if !folded {
			return "", false
		}
	}
	return string(b), true
}

// printable reports whether winAnsi can print s.
func printable(s string) bool {
	_, ok := winAnsi(s)
	return ok
}
