package sms

import (
	"sort"
	"strings"
	"unicode"
)

// Keyword is what an inbound text asks of the sender when it is one of
// the reserved keywords of US text messaging.
type Keyword int

// The keyword classes.
const (
	// NoKeyword is an ordinary message.
	NoKeyword Keyword = iota
	// StopKeyword withdraws consent to receive texts from the sender.
	StopKeyword
	// StartKeyword gives it back after a stop.
	StartKeyword
	// HelpKeyword asks who is texting and how to stop.
	HelpKeyword
)

// String names the class.
func (k Keyword) String() string {
	switch k {
	case StopKeyword:
		return "stop"
	case StartKeyword:
		return "start"
	case HelpKeyword:
		return "help"
	}
	return "none"
}

// keywords are the reserved words, upper-case, with inner spaces collapsed.
//
// Stop words are Twilio's default opt-out list (STOP, STOPALL, UNSUBSCRIBE,
// CANCEL, END, QUIT, REVOKE, OPTOUT) together with the words the FCC's
// TCPA consent-revocation rule, in force since 11 April 2025, names as
// revoking consent by themselves: stop, quit, end, revoke, "opt out",
// cancel and unsubscribe. Twilio blocks further texts to a number that
// sent one of its words, so Backdesk records the same opt-outs, or its
// consent records would disagree with what is enforced; the spelled-out
// "OPT OUT", "OPT-OUT" and "STOP ALL" are added because a patient who
// writes them plainly means the same. Start and help words are Twilio's
// defaults.
var keywords = map[string]Keyword{
	"STOP": StopKeyword, "STOPALL": StopKeyword, "STOP ALL": StopKeyword,
	"UNSUBSCRIBE": StopKeyword, "CANCEL": StopKeyword, "END": StopKeyword,
	"QUIT": StopKeyword, "REVOKE": StopKeyword,
	"OPTOUT": StopKeyword, "OPT OUT": StopKeyword, "OPT-OUT": StopKeyword,

	"START": StartKeyword, "YES": StartKeyword, "UNSTOP": StartKeyword,

	"HELP": HelpKeyword, "INFO": HelpKeyword,
}

// ClassifyKeyword says whether an inbound text is a stop, start or help
// keyword. Only a message that is the keyword and nothing else counts
// ("STOP" but not "please stop texting me"); case does not matter, nor do
// spaces, punctuation or emoji around the word ("Stop.", " stop! ").
//
// Two limits are the caller's to handle. The FCC rule lets patients
// revoke consent in any reasonable words, so a message that is not a
// keyword may still be an opt-out and must reach a person. And START and
// YES are also ordinary answers ("Yes" to an appointment reminder): from a
// patient who had not opted out they are a reply, not a change of consent.
func ClassifyKeyword(body string) Keyword {
	s := strings.TrimFunc(body, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	s = strings.Join(strings.Fields(strings.ToUpper(s)), " ")
	return keywords[s]
}

// Words lists the words of a class, sorted, for documentation and tests.
func Words(k Keyword) []string {
	var out []string
	for w, c := range keywords {
		if c == k {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}
