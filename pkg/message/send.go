package message

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work"
)

// LinkLife is how long a message's links work.
const LinkLife = 30 * 24 * time.Hour

// Draft is a message as it would go out now, with the rules' verdict.
type Draft struct {
	Channel      Channel `json:"channel"`
	Template     string  `json:"template"`
	TemplateName string  `json:"template_name"`
	To           string  `json:"to"` // masked: the last digits of a number, the domain of an address
	Subject      string  `json:"subject,omitempty"`
	Body         string  `json:"body"`
	Segments     int     `json:"segments,omitempty"`
	// Allowed is false when a rule refuses the send now; Rule names it
	// and Reason says it in words.
	Allowed bool   `json:"allowed"`
	Rule    string `json:"rule,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// previewLink stands for a link in a preview: the real one is made when
// the message is sent.
const previewLink = "/m/…"

// Templates returns the templates a practice uses: its own copies, and
// the defaults it has not replaced.
func Templates(own []Template) []Template {
	out := make([]Template, 0, len(Defaults))
	for _, d := range Defaults {
		t := d
		for _, o := range own {
			if o.Key == d.Key && o.Channel == d.Channel {
				t = o
			}
		}
		out = append(out, t)
	}
	for _, o := range own { // a practice's template with a key of its own
		if !hasTemplate(Defaults, o.Key, o.Channel) {
			out = append(out, o)
		}
	}
	return out
}

func hasTemplate(ts []Template, key string, ch Channel) bool {
	for _, t := range ts {
		if t.Key == key && t.Channel == ch {
			return true
		}
	}
	return false
}

// find picks a template by key and channel.
func find(ts []Template, key string, ch Channel) (Template, bool) {
	for _, t := range ts {
		if t.Key == key && t.Channel == ch {
			return t, true
		}
	}
	return Template{}, false
}

// Preview renders the template for the item's patient and says whether
// the rules allow it now.
func (s *Service) Preview(ctx context.Context, ref work.Ref, itemID string, ch Channel, key string) (Draft, error) {
	acct, prof, err := s.account(ctx, ref, itemID)
	if err != nil {
		return Draft{}, err
	}
	d, _, err := s.draft(acct, prof, ch, key, s.publicURL+previewLink, s.clock())
	return d, err
}

// account reads the item's account and its practice's profile.
func (s *Service) account(ctx context.Context, ref work.Ref, itemID string) (Account, practice.Profile, error) {
	prof, err := s.profiles.Profile(ctx, ref.PracticeID)
	if err != nil {
		return Account{}, practice.Profile{}, err
	}
	acct, err := s.store.Account(ctx, ref.PracticeID, itemID, s.clock())
	return acct, prof, err
}

// draft renders and judges one message; the template comes back too.
func (s *Service) draft(a Account, prof practice.Profile, ch Channel, key, link string, now time.Time) (Draft, Template, error) {
	if ch != Text && ch != Email {
		return Draft{}, Template{}, apperr.Invalid("channel", "unknown_channel", "must be text or email")
	}
	t, ok := find(Templates(a.Templates), key, ch)
	if !ok {
		return Draft{}, Template{}, apperr.Invalid("template", "unknown_template", "the practice has no %s template by that name", ch)
	}
	if prof.Phone == "" && strings.Contains(t.Subject+t.Body, string(PracticePhone)) {
		return Draft{}, Template{}, apperr.Invalid("template", "no_practice_phone",
			"the practice has no phone number for patients to call back; a practice admin adds one to an office")
	}
	subject, body, err := Render(t, values(a, prof, link))
	if err != nil {
		return Draft{}, Template{}, apperr.Invalid("template", "cannot_fill", "%s", err.Error())
	}
	d := Draft{Channel: ch, Template: t.Key, TemplateName: t.Name, Subject: subject, Body: body, Allowed: true}
	if ch == Text {
		d.Segments = Segments(body)
		d.To = maskPhone(a.Phone)
	} else {
		d.To = maskEmail(a.Email)
	}
	if rule, why := refusal(a, prof, ch, now); rule != "" {
		d.Allowed, d.Rule, d.Reason = false, rule, why
	}
	return d, t, nil
}

// refusal names the first rule that keeps the message from going now,
// and says it in words; empty when none does. The contact rules are the
// ones calls keep (do-not-contact, channels, consent, quiet hours, the
// weekly cap); before them, the patient must have a number or address
// and must not have opted out of the channel.
func refusal(a Account, prof practice.Profile, ch Channel, now time.Time) (rule, why string) {
	switch {
	case ch == Text && a.Phone == "":
		return "no_number", "the patient has no phone number on file"
	case ch == Email && a.Email == "":
		return "no_address", "the patient has no e-mail address on file"
	case ch == Text && a.TextOptedOut:
		return "opted_out", "the patient's number opted out of this practice's texts (replied STOP)"
	case ch == Email && a.EmailOptedOut:
		return "opted_out", "the patient's address unsubscribed from this practice's e-mails"
	}
	facts := contact.Facts{PracticeTimeZone: prof.Practice.Timezone, DoNotContact: a.DoNotContact, TextConsent: a.TextConsent}
	v := contact.Check(prof.Policies.Contact, facts, action(ch), now, a.Recent)
	if v.Allowed {
		return "", ""
	}
	return string(v.Code), v.Message
}

// action is the contact rules' name of a channel.
func action(ch Channel) policy.Action {
	if ch == Email {
		return policy.Email
	}
	return policy.Text
}

// values fills the placeholders for one patient.
func values(a Account, prof practice.Profile, link string) Values {
	v := Values{PracticeName: prof.Practice.Name, PracticePhone: PhoneWords(prof.Phone), FirstName: a.FirstName, Link: link}
	if t, err := time.Parse(time.DateOnly, a.DueDate); err == nil {
		v[DueMonth] = t.Format("January 2006")
	} else {
		v[DueMonth] = "the coming weeks"
	}
	return v
}

// SendInput is an agent's send: the message, and the outcome "sent" that
// goes with it (the next contact date, an optional note, the version of
// the item the agent read).
type SendInput struct {
	Channel       Channel
	Template      string
	NextContactAt *time.Time
	Note          string
	Version       int
	// Link, when set, fills {{link}} instead of a new verify link: a
	// payment link's page, which asks for the date of birth itself.
	Link string
}

// Send sends a message from an item as its owner: the message is written
// with the outcome "sent" on the item's channel (an activity that counts
// toward the weekly cap), its audit event and its delivery task, in one
// transaction; a worker delivers it. A rule that refuses it is an error
// on field channel naming the rule. It returns the message and the item's
// new version.
func (s *Service) Send(ctx context.Context, ref work.Ref, itemID, actorID string, in SendInput, ev audit.Event) (Message, int, error) {
	acct, prof, err := s.account(ctx, ref, itemID)
	if err != nil {
		return Message{}, 0, err
	}
	now := s.clock()
	token, hash, err := newToken()
	if err != nil {
		return Message{}, 0, err
	}
	link := s.publicURL + "/m/" + token
	if in.Link != "" {
		link = in.Link
	}
	d, t, err := s.draft(acct, prof, in.Channel, in.Template, link, now)
	if err != nil {
		return Message{}, 0, err
	}
	if !d.Allowed {
		return Message{}, 0, apperr.Invalid("channel", d.Rule, "%s", d.Reason)
	}
	if in.Link != "" {
		hash = "" // the link given is its own page: no verify link is kept
	}
	o, err := s.outgoing(acct, d, t, actorID, hash, now)
	if err != nil {
		return Message{}, 0, err
	}
	o.Disclosure = ev
	channel := work.ByText
	if in.Channel == Email {
		channel = work.ByEmail
	}
	out := work.OutcomeInput{Channel: channel, Outcome: work.Sent, Note: in.Note, NextContactAt: in.NextContactAt, Version: in.Version,
		Alongside: func(ctx context.Context, w *sqldb.Writer, patientID, activityID string, now time.Time) error {
			o.PatientID, o.ActivityID = patientID, activityID
			return s.store.Queue(ctx, w, o, now)
		}}
	version, err := s.outcomes.RecordOutcome(ctx, ref, itemID, actorID, out, ev)
	if err != nil {
		return Message{}, 0, err
	}
	return o.Message, version, nil
}

// outgoing builds the message d describes, with its links: the verify
// link kept by linkHash when the template carries one (none when
// linkHash is empty: {{link}} is then another page's), and an e-mail's
// unsubscribe link.
func (s *Service) outgoing(a Account, d Draft, t Template, actorID, linkHash string, now time.Time) (Outgoing, error) {
	o := Outgoing{Message: Message{ID: newID(), PracticeID: a.PracticeID, PatientID: a.PatientID, WorkItemID: a.WorkItemID,
		Direction: Out, Channel: d.Channel, TemplateKey: t.Key, Subject: d.Subject, Body: d.Body, State: Queued,
		ActorID: actorID, CreatedAt: now}}
	o.Address = a.Phone
	if d.Channel == Email {
		o.Address = a.Email
	}
	if linkHash != "" && (strings.Contains(t.Body, "{{"+string(Link)) || strings.Contains(t.Body, "{{ "+string(Link))) {
		o.Links = append(o.Links, LinkRow{TokenHash: linkHash, Purpose: "verify", ExpiresAt: now.Add(LinkLife)})
	}
	if d.Channel == Email {
		token, hash, err := newToken()
		if err != nil {
			return Outgoing{}, err
		}
		o.UnsubscribeURL = s.publicURL + "/m/unsubscribe/" + token
		o.Links = append(o.Links, LinkRow{TokenHash: hash, Purpose: "unsubscribe", ExpiresAt: now.Add(365 * 24 * time.Hour)})
	}
	return o, nil
}

// newToken returns a link's token and the hash it is kept by.
func newToken() (token, hash string, err error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("message: token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is how a link's token is kept and looked up.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// maskPhone shows the last four digits of a number.
func maskPhone(p string) string {
	if len(p) < 4 {
		return ""
	}
	return "number ending " + p[len(p)-4:]
}

// maskEmail shows the domain of an address.
func maskEmail(e string) string {
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return ""
	}
	return "address at " + e[at+1:]
}

// PhoneWords writes an E.164 US number as people read it: (512) 555-0100;
// any other number as it is.
func PhoneWords(p string) string {
	if len(p) == 12 && strings.HasPrefix(p, "+1") {
		return "(" + p[2:5] + ") " + p[5:8] + "-" + p[8:]
	}
	return p
}

// Templates returns the templates the practice uses: its own copies and
// the defaults it has not replaced.
func (s *Service) Templates(ctx context.Context, practiceID string) ([]Template, error) {
	own, err := s.store.Templates(ctx, practiceID)
	if err != nil {
		return nil, err
	}
	return Templates(own), nil
}

// linkToken finds a link's token in a message as sent.
var linkToken = regexp.MustCompile(`/m/(unsubscribe/|pay/)?[A-Za-z0-9_-]{20,}`)

// Shown is a message's body as staff see it: each link's token is left
// out, so that reading the thread never hands anyone the patient's link.
func Shown(body string) string {
	return linkToken.ReplaceAllStringFunc(body, func(m string) string {
		if strings.HasPrefix(m, "/m/unsubscribe/") {
			return "/m/unsubscribe/…"
		}
		if strings.HasPrefix(m, "/m/pay/") {
			return "/m/pay/…"
		}
		return "/m/…"
	})
}

// IsDefault reports whether t is a built-in default as shipped.
func IsDefault(t Template) bool {
	for _, d := range Defaults {
		if d == t {
			return true
		}
	}
	return false
}
