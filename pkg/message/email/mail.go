package email

import (
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// ErrInvalidMail is wrapped by Send's error for a Mail that fails
// validation; nothing was sent and sending it again cannot succeed.
var ErrInvalidMail = errors.New("email: invalid mail")

// Limits that keep every header within one line of RFC 5322's 998.
const (
	maxMessageID = 200
	maxURL       = 900
)

// Mail is one message to one patient.
type Mail struct {
	// To is the patient's bare address, such as name@example.com.
	To string
	// Subject is the subject line.
	Subject string
	// Body is the plain-text message, always sent.
	Body string
	// HTML is an optional HTML rendering of Body, sent as an alternative.
	HTML string
	// MessageID is the caller's idempotency key for this message. It
	// becomes the Message-ID <MessageID@from-domain>, so sending the same
	// Mail again yields the same Message-ID. Letters, digits, dots and the
	// other characters RFC 5322 allows in a dot-atom; a UUID fits.
	MessageID string
	// UnsubscribeURL is an optional https URL that unsubscribes the
	// patient with a single POST, as RFC 8058 describes.
	UnsubscribeURL string
}

// Problems checks the Mail and returns every problem at once, keyed by
// field name, each said in words after the field's name; empty means it
// can be sent. No message repeats a value, since the values are patient
// data.
func (m Mail) Problems() map[string]string {
	p := map[string]string{}
	if msg := addressProblem(m.To, true); msg != "" {
		p["to"] = msg
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		p["subject"] = "is required"
	case hasControl(m.Subject):
		p["subject"] = "must not contain line breaks or control characters"
	}
	if strings.TrimSpace(m.Body) == "" {
		p["body"] = "is required: the plain-text message"
	}
	switch {
	case m.MessageID == "":
		p["message_id"] = "is required: the idempotency key that names this message"
	case len(m.MessageID) > maxMessageID:
		p["message_id"] = "must be at most 200 characters"
	case !isDotAtom(m.MessageID):
		p["message_id"] = "may hold only letters, digits and !#$%&'*+-/=?^_`{|}~, with single dots between them"
	}
	if m.UnsubscribeURL != "" {
		if msg := unsubscribeProblem(m.UnsubscribeURL); msg != "" {
			p["unsubscribe_url"] = msg
		}
	}
	return p
}

func unsubscribeProblem(raw string) string {
	if len(raw) > maxURL {
		return "must be at most 900 characters"
	}
	for _, r := range raw {
		// RFC 2369 puts the URL between angle brackets in a list whose
		// separator is the comma, so these must arrive percent-encoded.
		if r <= ' ' || r >= 0x7f || strings.ContainsRune(`<>",`, r) {
			return "must be plain ASCII, with spaces, commas, quotes and angle brackets percent-encoded"
		}
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil, u.Scheme != "https", u.Host == "":
		return "must be an absolute https URL"
	case u.User != nil:
		return "must not carry a user name or password"
	}
	return ""
}

// addressProblem checks a bare address such as name@example.com. Display
// names are refused: the configuration owns the only one there is.
func addressProblem(v string, required bool) string {
	switch {
	case v == "" && required:
		return "is required"
	case v == "":
		return ""
	case hasControl(v):
		return "must not contain line breaks or control characters"
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return "must be a bare e-mail address such as name@example.com"
	}
	return ""
}

// hasControl reports line breaks and other control characters, the ways
// a value could end its header and start another. Tab is allowed.
func hasControl(s string) bool {
	for _, r := range s {
		if (r < ' ' && r != '\t') || r == 0x7f || r == '\u2028' || r == '\u2029' || r == 0x85 {
			return true
		}
	}
	return false
}

// isDotAtom reports whether s is an RFC 5322 dot-atom-text, the form the
// left side of a Message-ID takes without quoting.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		isAlnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !isAlnum && !strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", rune(c)) {
			return false
		}
	}
	return true
}

// compose builds the message. Both m and cfg have passed their checks.
func compose(cfg Config, m Mail, now time.Time) (*gomail.Msg, error) {
	// go-mail would add User-Agent and X-Mailer naming itself; the relay
	// and the recipient have no use for that.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(cfg.FromName, cfg.From); err != nil {
		return nil, err
	}
	if err := msg.To(m.To); err != nil {
		return nil, err
	}
	if cfg.ReplyTo != "" {
		if err := msg.ReplyTo(cfg.ReplyTo); err != nil {
			return nil, err
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID + "@" + domainOf(cfg.From))
	msg.SetDateWithValue(now)
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "OOF, AutoReply")
	if m.UnsubscribeURL != "" {
		// Written as they are, on one line each: go-mail would fold a long
		// URL onto a line of its own, which is legal but is not what every
		// mailbox provider's one-click parser expects. The URL was checked
		// to be plain ASCII without spaces, and fits within the line limit.
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, "<"+m.UnsubscribeURL+">")
		msg.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

func domainOf(addr string) string {
	return addr[strings.LastIndexByte(addr, '@')+1:]
}
