package message

import (
	"context"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// AdminStore keeps what practice admins set: their settings and their
// own templates, and what they review: opt-outs and failed messages.
// msgstore.Store is one.
type AdminStore interface {
	Settings(ctx context.Context, practiceID string) (Settings, error)
	PutSettings(ctx context.Context, practiceID string, s Settings, ev audit.Event, now time.Time) error
	PutTemplate(ctx context.Context, practiceID string, t Template, by string, ev audit.Event, now time.Time) error
	DeleteTemplate(ctx context.Context, practiceID, key string, ch Channel, ev audit.Event, now time.Time) (bool, error)
	Problems(ctx context.Context, practiceID string, since, now time.Time) (Problems, error)
}

// UnconfirmedAfter is how long a text whose hand-over broke off waits for
// the provider's receipt before a person is shown it.
const UnconfirmedAfter = 15 * time.Minute

// Problems are what a practice admin reviews: the numbers and addresses
// that opted out, and the messages that could not be delivered.
type Problems struct {
	OptOuts  []OptOut
	Failures []Failure
}

// OptOut is a number or address that asked the practice to stop.
type OptOut struct {
	Channel     Channel
	PatientID   string
	PatientName string // "" when no patient of the practice has the address now
	Source      string // keyword, unsubscribe_link
	At          time.Time
}

// Failure is a message that was not delivered.
type Failure struct {
	MessageID   string
	PatientID   string
	PatientName string
	WorkItemID  string
	Channel     Channel
	TemplateKey string
	State       State // failed, or unconfirmed: no receipt settled a broken-off hand-over
	Error       string
	At          time.Time
}

// SampleValues fill a template for a preview in the editor: no patient's.
var SampleValues = Values{FirstName: "Alex", DueMonth: "March 2027", Link: "https://backdesk.example/m/…"}

// Checked is a template with every problem found, and how it reads with
// sample values when it has none.
type Checked struct {
	Template Template          `json:"template"`
	Problems map[string]string `json:"problems,omitempty"`
	Subject  string            `json:"subject,omitempty"`
	Body     string            `json:"body,omitempty"`
	Segments int               `json:"segments,omitempty"`
}

// Check checks t as the editor shows it: every problem by field, or the
// template filled with sample values and the practice's name and phone.
func Check(t Template, practiceName, practicePhone string) Checked {
	c := Checked{Template: t, Problems: t.Problems()}
	if len(c.Problems) > 0 {
		return c
	}
	v := Values{PracticeName: practiceName, PracticePhone: PhoneWords(practicePhone)}
	for k, s := range SampleValues {
		v[k] = s
	}
	if v[PracticePhone] == "" {
		v[PracticePhone] = "(555) 555-0100"
	}
	subject, body, err := Render(t, v)
	if err != nil {
		c.Problems = map[string]string{"body": err.Error()}
		return c
	}
	c.Subject, c.Body = subject, body
	if t.Channel == Text {
		c.Segments = Segments(body)
	}
	return c
}

// Admin is the practice admins' side of messages.
type Admin struct {
	db       *sqldb.DB
	store    AdminStore
	profiles Profiles
	now      func() time.Time
}

// NewAdmin returns the admin side over store.
func NewAdmin(db *sqldb.DB, store AdminStore, profiles Profiles, now func() time.Time) *Admin {
	if now == nil {
		now = time.Now
	}
	return &Admin{db: db, store: store, profiles: profiles, now: now}
}

// Store returns the admin store, for reads.
func (a *Admin) Store() AdminStore { return a.store }

// PutSettings checks and stores a practice's settings, audited.
func (a *Admin) PutSettings(ctx context.Context, practiceID string, s Settings, ev audit.Event) error {
	p := map[string]string{}
	if s.TextFrom != "" && !e164(s.TextFrom) {
		p["text_from"] = "must be a phone number in E.164 form, such as +15125550100"
	}
	if s.PerMinute < 1 || s.PerMinute > 600 {
		p["per_minute"] = "must be between 1 and 600 messages a minute"
	}
	if len(p) > 0 {
		return apperr.Invalids(p)
	}
	err := a.store.PutSettings(ctx, practiceID, s, ev, a.now().UTC())
	if apperr.KindOf(err) == apperr.KindConflict {
		return apperr.Invalid("text_from", "number_taken", "another practice sends from this number; each practice needs its own")
	}
	return err
}

// PutTemplate checks and stores a practice's own copy of a template; it
// returns the template checked, with every problem when it was refused.
func (a *Admin) PutTemplate(ctx context.Context, practiceID, by string, t Template, ev audit.Event) (Checked, error) {
	prof, err := a.profiles.Profile(ctx, practiceID)
	if err != nil {
		return Checked{}, err
	}
	c := Check(t, prof.Practice.Name, prof.Phone)
	if len(c.Problems) > 0 {
		return c, apperr.Invalids(c.Problems)
	}
	return c, a.store.PutTemplate(ctx, practiceID, t, by, ev, a.now().UTC())
}

// e164 reports a number in E.164 form.
func e164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	return strings.Trim(s[1:], "0123456789") == ""
}

// ResetTemplate drops the practice's copy of a template, so the default
// applies again; false when it had none.
func (a *Admin) ResetTemplate(ctx context.Context, practiceID, key string, ch Channel, ev audit.Event) (bool, error) {
	return a.store.DeleteTemplate(ctx, practiceID, key, ch, ev, a.now().UTC())
}
