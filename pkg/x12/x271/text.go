package x271

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxNote is the longest free text a summary keeps, in characters.
const maxNote = 160

// texts sorts a benefit's free text: waiting periods, the missing tooth
// clause and downgrades are read for what they mean; the rest are notes.
// The MSG segments of one benefit are read as one text, since payers cut
// a long sentence into several.
func (b *summarizer) texts(eb Benefit, scope Scope) {
	if len(eb.Messages) > 0 {
		b.text(strings.Join(eb.Messages, " "), scope)
	}
	for _, c := range eb.Industry {
		if c.Text != "" {
			b.text(c.Text, scope)
		}
	}
}

func (b *summarizer) text(raw string, scope Scope) {
	t := shorten(raw)
	if t == "" {
		return
	}
	lower := strings.ToLower(t)
	switch {
	case missingTooth(lower):
		b.s.MissingToothClause = true
	case strings.Contains(lower, "waiting period") || strings.Contains(lower, "wait period"):
		b.addWaiting(Waiting{Scope: scope, Until: b.textDate(t), Text: t})
	case downgrade(lower):
		b.s.Downgrades = appendOnce(b.s.Downgrades, t)
	default:
		b.s.Notes = appendOnce(b.s.Notes, t)
	}
}

func missingTooth(lower string) bool {
	return strings.Contains(lower, "missing tooth") || strings.Contains(lower, "missing teeth")
}

func downgrade(lower string) bool {
	return strings.Contains(lower, "downgrad") || strings.Contains(lower, "alternate benefit") ||
		strings.Contains(lower, "least expensive") ||
		(strings.Contains(lower, "amalgam") && (strings.Contains(lower, "composite") || strings.Contains(lower, "resin")))
}

// downgradeCovers guesses which planned procedures a downgrade text is
// about: composites or resins mean posterior composite fillings, crowns or
// porcelain mean crowns, and anything else any restorative procedure.
func downgradeCovers(text, code string) bool {
	lower := strings.ToLower(text)
	switch {
	case strings.Contains(lower, "composite") || strings.Contains(lower, "resin"):
		return posteriorComposite(code)
	case strings.Contains(lower, "crown") || strings.Contains(lower, "porcelain") || strings.Contains(lower, "ceramic"):
		g, ok := groupOf(code)
		return ok && g.many == "crowns"
	}
	return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(code)), "D2")
}

var (
	slashDate   = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(\d{4})\b`)
	dashDate    = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	compactDate = regexp.MustCompile(`\b(\d{4})(\d{2})(\d{2})\b`)
	spanOfTime  = regexp.MustCompile(`(?i)\b(\d{1,2})[ -]?(months?|mos?|years?|yrs?)\b`)
)

// textDate reads the end of a waiting period from its text: a date
// written out (03/01/2027, 2027-03-01, 20270301), or a span of months or
// years counted from the start of eligibility (or of the plan). Zero when
// there is neither.
func (b *summarizer) textDate(t string) time.Time {
	if m := slashDate.FindStringSubmatch(t); m != nil {
		if d, ok := validDate(m[3], m[1], m[2]); ok {
			return d
		}
	}
	for _, re := range []*regexp.Regexp{dashDate, compactDate} {
		if m := re.FindStringSubmatch(t); m != nil {
			if d, ok := validDate(m[1], m[2], m[3]); ok {
				return d
			}
		}
	}
	start := b.s.EligibilityBegin
	if start.IsZero() {
		start = b.s.PlanBegin
	}
	m := spanOfTime.FindStringSubmatch(t)
	if m == nil || start.IsZero() {
		return time.Time{}
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(strings.ToLower(m[2]), "y") {
		return addMonths(start, 12*n)
	}
	return addMonths(start, n)
}

func validDate(y, m, d string) (time.Time, bool) {
	yy, _ := strconv.Atoi(y)
	mm, _ := strconv.Atoi(m)
	dd, _ := strconv.Atoi(d)
	t := time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if t.Year() != yy || int(t.Month()) != mm || t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

// shorten squeezes white space and cuts a text to maxNote characters.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxNote {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:maxNote-1])) + "…"
}

func appendOnce(list []string, s string) []string {
	for _, o := range list {
		if o == s {
			return list
		}
	}
	return append(list, s)
}
