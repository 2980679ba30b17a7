package message

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Channel is how a message reaches a patient.
type Channel string

// The channels.
const (
	Text  Channel = "text"
	Email Channel = "email"
)

// Placeholder is a value a template may carry, written {{name}}.
type Placeholder string

// The placeholders. Each is all a template may say about a patient or
// their account; there is none for an amount, a procedure or a date of
// birth.
const (
	PracticeName  Placeholder = "practice_name"
	PracticePhone Placeholder = "practice_phone"
	FirstName     Placeholder = "first_name"
	DueMonth      Placeholder = "due_month" // "March 2027": a recall or a statement's month
	Link          Placeholder = "link"      // the page that asks the patient to verify first
)

// allowed are the placeholders of each channel: the same today, kept per
// channel so that one can be narrowed without touching the other.
var allowed = map[Channel][]Placeholder{
	Text:  {PracticeName, PracticePhone, FirstName, DueMonth, Link},
	Email: {PracticeName, PracticePhone, FirstName, DueMonth, Link},
}

// Allowed lists the placeholders a channel's templates may use, in the
// order a template editor offers them.
func Allowed(ch Channel) []Placeholder { return allowed[ch] }

// Limits on what a template may be.
const (
	// MaxTextSegments bounds a text: three GSM-7 segments of 153
	// characters (or 67 in UCS-2) once the placeholders are filled with
	// long values, beyond which carriers split messages unreliably.
	MaxTextSegments = 3
	// MaxSubject bounds an e-mail's subject, in characters.
	MaxSubject = 150
	// MaxBody bounds an e-mail's body, in characters.
	MaxBody = 5000
	// longValue is how long a filled placeholder is assumed to be when a
	// text's length is checked: a long practice name or link.
	longValue = 40
)

// Template is what goes out for one kind of work at one step, on one
// channel. Subject is for e-mail only.
type Template struct {
	Key     string // e.g. "balance_reminder"
	Name    string // in words, for the agent's choice: "Balance reminder"
	Channel Channel
	Subject string
	Body    string
}

// Problems checks t, and returns every problem at once, by field, in
// words: a placeholder that does not exist or that the channel does not
// allow, a brace left open, a text too long to arrive whole, an e-mail
// without a subject. Messages name the placeholder at fault, never a
// value.
func (t Template) Problems() map[string]string {
	out := map[string]string{}
	if strings.TrimSpace(t.Key) == "" {
		out["key"] = "give the template a key"
	}
	if strings.TrimSpace(t.Name) == "" {
		out["name"] = "give the template a name people will recognise"
	}
	if _, ok := allowed[t.Channel]; !ok {
		out["channel"] = "must be text or email"
		return out
	}
	if msg := placeholderProblem(t.Channel, t.Body); msg != "" {
		out["body"] = msg
	} else if strings.TrimSpace(t.Body) == "" {
		out["body"] = "write the message"
	}
	switch t.Channel {
	case Text:
		if t.Subject != "" {
			out["subject"] = "a text has no subject; leave it empty"
		}
		if _, ok := out["body"]; !ok {
			if n := Segments(fill(t.Body, strings.Repeat("x", longValue))); n > MaxTextSegments {
				out["body"] = fmt.Sprintf("is %d text segments long with long values filled in; keep it to %d", n, MaxTextSegments)
			}
		}
	case Email:
		switch msg := placeholderProblem(t.Channel, t.Subject); {
		case msg != "":
			out["subject"] = msg
		case strings.TrimSpace(t.Subject) == "":
			out["subject"] = "an e-mail needs a subject"
		case utf8.RuneCountInString(t.Subject) > MaxSubject || strings.ContainsAny(t.Subject, "\r\n"):
			out["subject"] = fmt.Sprintf("must be one line of at most %d characters", MaxSubject)
		}
		if _, ok := out["body"]; !ok && utf8.RuneCountInString(t.Body) > MaxBody {
			out["body"] = fmt.Sprintf("must be at most %d characters", MaxBody)
		}
	}
	return out
}

// placeholderProblem says what is wrong with the placeholders of s, or
// "": every {{name}} must be one the channel allows, and every {{ closed.
func placeholderProblem(ch Channel, s string) string {
	var unknown, refused, braces []string
	rest := s
	for {
		open := strings.Index(rest, "{{")
		if open < 0 {
			if strings.Contains(rest, "}}") {
				braces = append(braces, "has a }} with no {{ before it")
			}
			break
		}
		if strings.Contains(rest[:open], "}}") {
			braces = append(braces, "has a }} with no {{ before it")
		}
		end := strings.Index(rest[open:], "}}")
		if end < 0 {
			braces = append(braces, "has a {{ that is never closed with }}")
			break
		}
		name := strings.TrimSpace(rest[open+2 : open+end])
		switch {
		case !known(Placeholder(name)):
			unknown = append(unknown, "{{"+name+"}}")
		case !permitted(ch, Placeholder(name)):
			refused = append(refused, "{{"+name+"}}")
		}
		rest = rest[open+end+2:]
	}
	// Every problem at once, so one correction fixes them all.
	var parts []string
	if len(unknown) > 0 {
		parts = append(parts, "uses "+strings.Join(unique(unknown), ", ")+", which do not exist; use "+names(Allowed(ch)))
	}
	if len(refused) > 0 {
		parts = append(parts, "uses "+strings.Join(unique(refused), ", ")+", which a "+string(ch)+" may not carry")
	}
	parts = append(parts, unique(braces)...)
	return strings.Join(parts, "; and it ")
}

// known reports whether p is a placeholder of any channel.
func known(p Placeholder) bool {
	for _, ps := range allowed {
		for _, q := range ps {
			if q == p {
				return true
			}
		}
	}
	return false
}

// permitted reports whether ch allows p.
func permitted(ch Channel, p Placeholder) bool {
	for _, q := range allowed[ch] {
		if q == p {
			return true
		}
	}
	return false
}

// names lists placeholders as a template writes them.
func names(ps []Placeholder) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = "{{" + string(p) + "}}"
	}
	return strings.Join(out, ", ")
}

// unique sorts s and drops repeats.
func unique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// fill puts v in place of every placeholder of s, whose placeholders
// are known to be sound, for length checks.
func fill(s, v string) string {
	vals := Values{}
	for _, ps := range allowed {
		for _, p := range ps {
			vals[p] = v
		}
	}
	out, _ := render(s, vals) // every placeholder has its value
	return out
}
