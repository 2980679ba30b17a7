package message

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// Values are what a message's placeholders are filled with.
type Values map[Placeholder]string

// Render fills t's placeholders from v and returns the subject (empty for
// a text) and the body as they go out. A placeholder t uses that v lacks
// is an error naming the placeholder; a value is never quoted.
func Render(t Template, v Values) (subject, body string, err error) {
	if p := t.Problems(); len(p) > 0 {
		return "", "", fmt.Errorf("template %q: %s", t.Key, firstProblem(p))
	}
	if subject, err = render(t.Subject, v); err != nil {
		return "", "", fmt.Errorf("template %q: subject: %w", t.Key, err)
	}
	if strings.ContainsAny(subject, "\r\n") {
		return "", "", fmt.Errorf("template %q: subject: a value would break the line", t.Key)
	}
	if body, err = render(t.Body, v); err != nil {
		return "", "", fmt.Errorf("template %q: body: %w", t.Key, err)
	}
	return subject, body, nil
}

// render fills s in one pass, so that a value holding {{…}} stays text.
func render(s string, v Values) (string, error) {
	var b strings.Builder
	for {
		open := strings.Index(s, "{{")
		if open < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := strings.Index(s[open:], "}}") // present: the template was checked
		name := Placeholder(strings.TrimSpace(s[open+2 : open+end]))
		val, ok := v[name]
		if !ok || strings.TrimSpace(val) == "" {
			return "", fmt.Errorf("no value for {{%s}}", name)
		}
		b.WriteString(s[:open])
		b.WriteString(val)
		s = s[open+end+2:]
	}
}

// firstProblem is one of a template's problems, the same each time.
func firstProblem(p map[string]string) string {
	for _, f := range []string{"key", "name", "channel", "subject", "body"} {
		if msg, ok := p[f]; ok {
			return f + " " + msg
		}
	}
	return "invalid"
}

// gsm7 is the GSM 03.38 default alphabet; gsm7Extended are the characters
// it sends as an escape and a second septet.
const (
	gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extended = "^{}\\[~]|€\f"
)

// Segments is how many SMS segments s takes: in the GSM-7 alphabet, 160
// septets in one or 153 a segment when split; otherwise in UCS-2, 70
// UTF-16 units in one or 67 a segment.
func Segments(s string) int {
	septets, gsm := 0, true
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsm7, r):
			septets++
		case strings.ContainsRune(gsm7Extended, r):
			septets += 2
		default:
			gsm = false
		}
	}
	if gsm {
		return parts(septets, 160, 153)
	}
	return parts(len(utf16.Encode([]rune(s))), 70, 67)
}

// parts is how many segments n units take: one up to single, else of
// split each.
func parts(n, single, split int) int {
	if n <= single {
		return 1
	}
	return (n + split - 1) / split
}
