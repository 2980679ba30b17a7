package message

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/policy"
)

// LinkTries is how many wrong dates of birth a message's link takes
// before it locks for good; the patient then calls the office.
const LinkTries = 5

// LinkState is where a message's link stands for whoever opens it.
type LinkState string

// The states of a link's page. An unknown link (no such link, one whose
// time is up, one that cannot be verified) shows the same neutral page,
// so the page never says whom a link was for.
const (
	LinkUnknown  LinkState = "unknown"
	LinkAsk      LinkState = "ask"
	LinkLocked   LinkState = "locked"
	LinkVerified LinkState = "verified"
)

// The problems a try can have, shown next to the field.
const (
	// ProblemMismatch: the date entered is not the patient's.
	ProblemMismatch = "mismatch"
	// ProblemInvalid: what was entered is not a date; not counted as a try.
	ProblemInvalid = "invalid"
)

// LinkVerdict is what the store found when it checked a date of birth
// against a link's patient.
type LinkVerdict struct {
	State LinkState
	// Mismatch says the date entered was wrong (State LinkAsk, or
	// LinkLocked when it was the last try).
	Mismatch bool
	// TriesLeft is how many more wrong dates the link takes.
	TriesLeft int
	// Set when State is LinkVerified: what the page may show.
	PracticeID string
	FirstName  string
	Kind       policy.Kind // the kind of the message's work item; empty when it has none
}

// LinkPage is what the page a message's link opens shows. Before the
// patient verifies it holds nothing about the patient or the practice.
type LinkPage struct {
	State LinkState
	// Problem is set when a try on a LinkAsk page went wrong:
	// ProblemMismatch or ProblemInvalid.
	Problem   string
	TriesLeft int
	// Set when State is LinkVerified.
	PracticeName  string
	PracticePhone string // as people read it, (512) 555-0100; empty when the practice has none
	PracticeTel   string // E.164, for a tel: link
	FirstName     string
	// About says what the message was about, in words that name no
	// amount, procedure or diagnosis.
	About string
}

// OpenLink reads the page a message's link opens, before the patient
// verifies: whether it asks for a date of birth, is locked, or does not
// work. It shows nothing else and records nothing.
func (s *Service) OpenLink(ctx context.Context, token string) (LinkPage, error) {
	if !tokenShaped(token) {
		return LinkPage{State: LinkUnknown}, nil
	}
	st, left, err := s.store.Link(ctx, HashToken(token), s.clock())
	if err != nil {
		return LinkPage{}, err
	}
	return LinkPage{State: st, TriesLeft: left}, nil
}

// VerifyLink checks the date of birth entered (YYYY-MM-DD, from
// BirthDate; empty when what was entered is not a date) against the
// patient's of the link. A match shows the practice's name and phone,
// the patient's first name and what the message was about; a mismatch
// counts against the link, which locks after LinkTries of them. Each try
// is audited with the counter's change (audit.ActionMessageLinkOpen);
// ev carries where the try came from. What is not a date is not a try:
// it changes nothing and shows the form again.
func (s *Service) VerifyLink(ctx context.Context, token, dob string, ev audit.Event) (LinkPage, error) {
	if !tokenShaped(token) {
		return LinkPage{State: LinkUnknown}, nil
	}
	if dob == "" {
		p, err := s.OpenLink(ctx, token)
		if err == nil && p.State == LinkAsk {
			p.Problem = ProblemInvalid
		}
		return p, err
	}
	v, err := s.store.VerifyLink(ctx, HashToken(token), dob, ev, s.clock())
	if err != nil {
		return LinkPage{}, err
	}
	p := LinkPage{State: v.State, TriesLeft: v.TriesLeft}
	if v.Mismatch && v.State == LinkAsk {
		p.Problem = ProblemMismatch
	}
	if v.State != LinkVerified {
		return p, nil
	}
	prof, err := s.profiles.Profile(ctx, v.PracticeID)
	if err != nil {
		return LinkPage{}, err
	}
	p.PracticeName, p.PracticeTel, p.FirstName, p.About = prof.Practice.Name, prof.Phone, v.FirstName, About(v.Kind)
	if prof.Phone != "" {
		p.PracticePhone = PhoneWords(prof.Phone)
	}
	return p, nil
}

// About says what a message about an item of kind k was about, in words
// a stranger reading over the patient's shoulder may see: no amount,
// procedure or diagnosis.
func About(k policy.Kind) string {
	switch k {
	case policy.BalanceFollowup:
		return "a balance on your account"
	case policy.Recare:
		return "your next checkup"
	case policy.TreatmentFollowup:
		return "treatment your dentist recommended"
	case policy.ClaimFollowup, policy.EligibilityCheck:
		return "a detail about your dental insurance"
	}
	return "your care at the practice"
}

// BirthDate makes the date a patient entered in the page's three fields
// (month, day, year, as numbers) into YYYY-MM-DD; false when it is not a
// real date in the past.
func BirthDate(month, day, year string, now time.Time) (string, bool) {
	m, okM := number(month, 2)
	d, okD := number(day, 2)
	y, okY := number(year, 4)
	if !okM || !okD || !okY || len(strings.TrimSpace(year)) != 4 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d || y < 1900 || t.After(now) {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// number reads up to n digits.
func number(s string, n int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > n {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

// SameBirthDate reports whether the date entered (YYYY-MM-DD) is the
// date of birth on file, compared in constant time. A date on file that
// does not read as a date matches nothing.
func SameBirthDate(onFile, entered string) bool {
	f, err := time.Parse(time.DateOnly, strings.TrimSpace(onFile))
	if err != nil {
		return false
	}
	e, err := time.Parse(time.DateOnly, entered)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(f.Format(time.DateOnly)), []byte(e.Format(time.DateOnly))) == 1
}

// tokenShaped reports whether token could be a link's token (base64url,
// as newToken makes them), so that nothing else is looked up.
func tokenShaped(token string) bool {
	if len(token) < 20 || len(token) > 64 {
		return false
	}
	for _, r := range token {
		ok := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}
