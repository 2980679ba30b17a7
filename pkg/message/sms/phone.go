package sms

import (
	"errors"
	"strings"
)

// NormalizeUS turns a US phone number as people write it, such as
// "(415) 555-0123", "415.555.0123", "1 415 555 0123" or "+1 415 555 0123",
// into E.164 form, "+14155550123". Digits may be separated by spaces,
// dashes, dots and parentheses; anything else (letters, an extension, a
// country code other than +1, too few or too many digits, an area code or
// exchange that cannot exist) is refused.
//
// The check is of the North American Numbering Plan, which the US shares
// with Canada and parts of the Caribbean; a number's form does not tell
// them apart. Errors never repeat the number.
func NormalizeUS(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("phone number is empty")
	}
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	digits := make([]byte, 0, 11)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return "", errors.New("phone number may hold only digits, spaces, dashes, dots and parentheses")
		}
	}
	switch {
	case plus && (len(digits) == 0 || digits[0] != '1'):
		return "", errors.New("phone number is not a US number: its country code is not +1")
	case len(digits) == 11 && digits[0] == '1':
		digits = digits[1:]
	case len(digits) != 10:
		return "", errors.New("phone number must have 10 digits, with or without a leading 1")
	}
	if !nxx(digits[0:3]) || !nxx(digits[3:6]) {
		return "", errors.New("phone number has an area code or exchange that does not exist")
	}
	return "+1" + string(digits), nil
}

// nxx reports whether three digits can be an area code or an exchange:
// the first is 2-9 and the last two are not "11" (911, 411 and the like
// are service codes).
func nxx(d []byte) bool {
	return d[0] >= '2' && !(d[1] == '1' && d[2] == '1')
}
