// Package contact decides whether a patient may be contacted now under a
// practice's contact rules, and if not, why and from when. The rules
// (policy.ContactRules) apply to every kind of work together: a patient who
// asked not to be contacted is never contacted, texts need consent when the
// practice requires it, only the practice's allowed channels are used,
// calls and texts stay out of quiet hours in the patient's own time zone,
// and no patient is contacted more than the weekly cap across all kinds.
//
// Contact with a payer or hand-backs to the practice are not patient
// contact and are never held by these rules.
//
// Check is a pure function of its arguments: the caller passes the time
// and the patient's recent contacts, so the answer can be recomputed and
// tested at any moment.
package contact

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Window is the span the weekly cap counts contacts over: a contact counts
// until exactly seven days (168 hours) after it was made.
const Window = 7 * 24 * time.Hour

// Code says why a contact is held.
type Code string

// The hold codes. Waiting does not cure the first four (WorkableAt is
// zero); quiet hours and the weekly cap pass with time.
const (
	// DoNotContact: the patient asked not to be contacted.
	DoNotContact Code = "do_not_contact"
	// ChannelNotAllowed: the practice does not allow this channel (or it is
	// not a channel at all).
	ChannelNotAllowed Code = "channel_not_allowed"
	// NoTextConsent: a text, and the patient has not consented to texts.
	NoTextConsent Code = "no_text_consent"
	// UnknownTimeZone: a call or text, and neither the patient's nor the
	// practice's time zone is known, so quiet hours cannot be placed.
	UnknownTimeZone Code = "unknown_time_zone"
	// QuietHours: a call or text inside quiet hours in the patient's time
	// zone.
	QuietHours Code = "quiet_hours"
	// WeeklyCap: the patient has already been contacted the maximum
	// number of times in the past seven days.
	WeeklyCap Code = "weekly_cap"
)

// Facts are what the rules need to know about one patient.
type Facts struct {
	// TimeZone is the patient's IANA time zone (e.g. "America/Denver"), or
	// "" when not known.
	TimeZone string
	// PracticeTimeZone is the practice's IANA time zone, used when the
	// patient's is not known or not valid.
	PracticeTimeZone string
	// DoNotContact is set when the patient asked not to be contacted.
	DoNotContact bool
	// TextConsent is set when the patient consented to texts.
	TextConsent bool
}

// Verdict is the answer for one contact.
type Verdict struct {
	// Allowed is true when the contact may be made now.
	Allowed bool `json:"allowed"`
	// Code says why it is held; empty when allowed.
	Code Code `json:"code,omitempty"`
	// Message explains the verdict in plain words, without patient data.
	Message string `json:"message"`
	// WorkableAt is the earliest moment, at or after now, at which every
	// rule allows the contact (now itself when allowed); zero when waiting
	// does not help (do-not-contact, a channel not allowed, no consent,
	// no known time zone). It is in UTC.
	WorkableAt time.Time `json:"workable_at"`
}

// Held reports whether the contact is held and will become workable by
// itself at WorkableAt.
func (v Verdict) Held() bool { return !v.Allowed && !v.WorkableAt.IsZero() }

// Governed reports whether the patient contact rules apply to channel.
// Payer contact (payer_call, payer_portal) and practice reviews are not
// patient contact and are never held; every other channel, known or not,
// is governed.
func Governed(channel policy.Action) bool {
	switch channel {
	case policy.PayerCall, policy.PayerPortal, policy.PracticeReview:
		return false
	}
	return true
}

// quietChannels are the channels quiet hours apply to: the ones that
// reach the patient at once. Email, statements and final notices are read
// when the patient chooses.
var quietChannels = []policy.Action{policy.Call, policy.Text}

// Check decides whether channel may be used to contact the patient at now.
// recent are the times of contacts with this patient across all kinds of
// work; those within Window before now (and any after now) count toward
// the weekly cap, zero times are ignored.
//
// The rules are applied in this order, and the first that fails gives the
// code: do-not-contact, channel allowed, text consent, a known time zone,
// quiet hours, weekly cap. WorkableAt accounts for every rule that time
// cures, so a cap that lifts in the middle of the night gives the end of
// those quiet hours.
//
// Rules that do not validate are read cautiously: quiet hours that cannot
// be read are the defaults (20:00 to 08:00), a cap below one is the
// default cap, and an empty channel list allows no patient contact.
func Check(rules policy.ContactRules, patient Facts, channel policy.Action, now time.Time, recent []time.Time) Verdict {
	now = now.Round(0).UTC()
	if !Governed(channel) {
		return Verdict{Allowed: true, Message: "contact with the payer or the practice is not limited by patient contact rules", WorkableAt: now}
	}
	if patient.DoNotContact {
		return Verdict{Code: DoNotContact, Message: "the patient asked not to be contacted"}
	}
	if !slices.Contains(rules.Channels, channel) {
		return Verdict{Code: ChannelNotAllowed, Message: fmt.Sprintf("the practice does not allow contact by %q", string(channel))}
	}
	if channel == policy.Text && rules.TextConsentRequired && !patient.TextConsent {
		return Verdict{Code: NoTextConsent, Message: "texts need the patient's consent, which is not on file"}
	}

	r := readRules(rules)
	loc, known := zone(patient.TimeZone)
	if !known {
		loc, known = zone(patient.PracticeTimeZone)
	}
	quietApplies := slices.Contains(quietChannels, channel)
	if quietApplies && !known {
		return Verdict{Code: UnknownTimeZone, Message: "neither the patient's nor the practice's time zone is known, so quiet hours cannot be checked"}
	}
	counted := countedContacts(recent, now)

	var codes []Code // the rules that held the contact, in the order met
	hold := func(c Code) {
		if !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	at := now
	for range 1000 { // each turn moves at forward; a handful suffice
		if quietApplies && r.quiet(at, loc) {
			hold(QuietHours)
			at = r.quietEnd(at, loc)
			continue
		}
		if free, capped := capFree(counted, r.max, at); capped {
			hold(WeeklyCap)
			at = free
			continue
		}
		break
	}
	if len(codes) == 0 {
		return Verdict{Allowed: true, Message: "allowed", WorkableAt: now}
	}
	// The first rule met holds the contact now and gives the code; the
	// message names every rule met on the way to WorkableAt.
	v := Verdict{Code: codes[0], WorkableAt: at}
	var parts []string
	for _, c := range codes {
		switch c {
		case QuietHours:
			parts = append(parts, fmt.Sprintf("quiet hours (%s to %s in the patient's time zone)", r.startText, r.endText))
		case WeeklyCap:
			parts = append(parts, fmt.Sprintf("weekly contact limit reached (%d in the past 7 days, at most %d)", inWindow(counted, now), r.max))
		}
	}
	where := "UTC"
	if known {
		at = at.In(loc)
		where = "in the patient's time zone"
	}
	v.Message = strings.Join(parts, ", and then ") + "; workable from " + at.Format("Mon 15:04") + " " + where
	return v
}

// ruleSet is the contact rules in the form Check uses.
type ruleSet struct {
	start, end         time.Duration // time of day
	startText, endText string
	max                int
}

func readRules(c policy.ContactRules) ruleSet {
	d := policy.DefaultContactRules()
	start, okS := clock(c.QuietStart)
	end, okE := clock(c.QuietEnd)
	r := ruleSet{start: start, end: end, startText: c.QuietStart, endText: c.QuietEnd, max: c.MaxContactsPerWeek}
	if !okS || !okE || start == end {
		r.start, _ = clock(d.QuietStart)
		r.end, _ = clock(d.QuietEnd)
		r.startText, r.endText = d.QuietStart, d.QuietEnd
	}
	if r.max < 1 {
		r.max = d.MaxContactsPerWeek
	}
	return r
}

// clock reads "HH:MM" as a time of day.
func clock(s string) (time.Duration, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

// timeOfDay is the wall-clock time of t in loc, since local midnight as
// the clock shows it.
func timeOfDay(t time.Time, loc *time.Location) time.Duration {
	h, m, s := t.In(loc).Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
}

// quiet reports whether the patient's wall clock at t is inside quiet
// hours: from start (inclusive) to end (exclusive), across midnight when
// start is later than end.
func (r ruleSet) quiet(t time.Time, loc *time.Location) bool {
	tod := timeOfDay(t, loc)
	if r.start < r.end {
		return tod >= r.start && tod < r.end
	}
	return tod >= r.start || tod < r.end
}

// quietEnd returns the first instant after t (which is in quiet hours) at
// which the patient's wall clock is outside them. Within one UTC offset
// the wall clock runs with real time, so the end is reached after the gap
// between the clock and the end time; if the offset changes first (a
// daylight saving transition), the answer is looked for again from the
// transition, where the clock may have jumped past the end (spring
// forward) or back into quiet hours (fall back).
func (r ruleSet) quietEnd(t time.Time, loc *time.Location) time.Time {
	for range 100 {
		if !r.quiet(t, loc) {
			return t
		}
		wait := (r.end - timeOfDay(t, loc) + 24*time.Hour) % (24 * time.Hour)
		cand := t.Add(wait)
		_, next := t.In(loc).ZoneBounds()
		if next.IsZero() || cand.Before(next) {
			return cand
		}
		t = next.UTC()
	}
	return t
}

// countedContacts returns the contacts that can count toward the cap at
// now or later, oldest first.
func countedContacts(recent []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, c := range recent {
		if !c.IsZero() && c.Add(Window).After(now) {
			out = append(out, c.Round(0).UTC())
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// inWindow counts the contacts that count at t: made less than Window
// before t (contacts recorded after t count too).
func inWindow(contacts []time.Time, t time.Time) int {
	n := 0
	for _, c := range contacts {
		if c.Add(Window).After(t) {
			n++
		}
	}
	return n
}

// capFree reports whether the cap is reached at t and, if so, the moment
// enough of the counted contacts (sorted oldest first) have left the
// window for one more contact.
func capFree(contacts []time.Time, limit int, t time.Time) (time.Time, bool) {
	var live []time.Time
	for _, c := range contacts {
		if c.Add(Window).After(t) {
			live = append(live, c)
		}
	}
	if len(live) < limit {
		return t, false
	}
	return live[len(live)-limit].Add(Window), true
}

var zones sync.Map // name → *time.Location

// zone loads the IANA time zone name, remembering zones already loaded.
// "" and "Local" (the server's zone, meaningless for a patient) are not
// zones.
func zone(name string) (*time.Location, bool) {
	if name == "" || name == "Local" {
		return nil, false
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), true
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	zones.Store(name, l)
	return l, true
}
