package x999

import (
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Rejected lists every rejection the acknowledgments hold, one line each:
// each interchange a TA1 rejected, then each functional group a 999
// rejected as a whole and each rejected transaction set with its errors,
// in file order, such as
//
//	interchange 000000123 rejected: invalid interchange control number value (code 018)
//	transaction set 270 0002 of functional group 1001 rejected: one or more segments in error against the implementation guide (code I5); NM109 at segment 8 of the set, loop 2100C: …
//
// It is empty when everything was accepted, with or without noted errors.
// The lines quote control numbers, codes, segment IDs and positions only,
// never a business unit's identifier from CTX, so they may be logged.
func (a *Acks) Rejected() []string {
	var out []string
	for _, ic := range a.Interchanges {
		if !ic.Rejected() {
			continue
		}
		var why []string
		if ic.Note != "000" {
			why = append(why, explain(ic.Note, ic.NoteWords))
		}
		out = append(out, "interchange "+ic.Control+" rejected"+because(why))
	}
	for _, g := range a.Groups {
		if g.Rejected() {
			why := statusReason(g.Status)
			for _, c := range g.Errors {
				w, _ := codes.GroupError(c)
				why = append(why, explain(c, w))
			}
			out = append(out, "functional group "+g.Control+" ("+g.FunctionalID+") rejected"+because(why))
		}
		for _, s := range g.Sets {
			if s.Rejected() {
				out = append(out, "transaction set "+s.Code+" "+s.Control+" of functional group "+g.Control+
					" rejected"+because(setReasons(s)))
			}
		}
	}
	return out
}

// setReasons gives why a set was rejected: its status when it says more
// than "rejected", its set error codes, then its problems. A segment's
// "has data element errors" is left out when the elements follow.
func setReasons(s SetAck) []string {
	why := statusReason(s.Status)
	for _, c := range s.Reasons {
		w, _ := codes.SetError(c)
		why = append(why, explain(c, w))
	}
	for i, p := range s.Errors {
		if p.Element == 0 && p.Code == "8" && i+1 < len(s.Errors) {
			if next := s.Errors[i+1]; next.Element > 0 && next.Position == p.Position {
				continue
			}
		}
		why = append(why, p.String())
	}
	return why
}

// statusReason explains a security rejection (M, W, X); a plain R says
// nothing more than "rejected".
func statusReason(status string) []string {
	w, _ := codes.AckStatus(status)
	if rest, ok := strings.CutPrefix(w, "rejected: "); ok {
		return []string{explain(status, rest)}
	}
	return nil
}

// String says where the problem is and what it is, such as
// "NM109 at segment 8 of the set, loop 2100C: required data element
// missing (code 1)". The element is named by its segment and position,
// with the component after a dash.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Segment)
	if p.Element > 0 {
		b.WriteString(twoDigits(p.Element))
		if p.Component > 0 {
			b.WriteString("-" + strconv.Itoa(p.Component))
		}
		if p.Repeat > 0 {
			b.WriteString(" (repetition " + strconv.Itoa(p.Repeat) + ")")
		}
	}
	b.WriteString(" at segment " + strconv.Itoa(p.Position) + " of the set")
	if p.Loop != "" {
		b.WriteString(", loop " + p.Loop)
	}
	b.WriteString(": " + explain(p.Code, p.Words))
	for _, c := range p.Context {
		if c.Name == SituationalTrigger && c.Segment != "" {
			b.WriteString(", triggered by " + c.place())
		}
	}
	return b.String()
}

// place names the trigger's segment or element and its position.
func (c Context) place() string {
	s := c.Segment
	if c.Element > 0 {
		s += twoDigits(c.Element)
		if c.Component > 0 {
			s += "-" + strconv.Itoa(c.Component)
		}
	}
	if c.Position > 0 {
		s += " at segment " + strconv.Itoa(c.Position)
	}
	return s
}

// explain gives a code with its words, or the bare code when it has none.
func explain(code, words string) string {
	if words == "" {
		return "code " + code
	}
	return words + " (code " + code + ")"
}

// because joins the reasons for a rejection after a colon.
func because(why []string) string {
	if len(why) == 0 {
		return ""
	}
	return ": " + strings.Join(why, "; ")
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
