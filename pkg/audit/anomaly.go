package audit

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// AnomalyKind names one of the patterns compliance reviews (docs/audit.md).
type AnomalyKind string

// The kinds of anomaly, in the order a report lists them.
const (
	// AnomalyBreakGlass: break-glass openings and every event done under
	// break-glass. Not wrong in itself, but always reviewed.
	AnomalyBreakGlass AnomalyKind = "break_glass"
	// AnomalyNoWorkItem: an agent read patient data with no work item and
	// not under break-glass, which the access rules never allow.
	AnomalyNoWorkItem AnomalyKind = "no_work_item"
	// AnomalyOutsideHours: an agent read patient data outside its working
	// hours.
	AnomalyOutsideHours AnomalyKind = "outside_hours"
	// AnomalyVolume: an actor read far more patient data than the median
	// of its peers (the actors of the same role with reads).
	AnomalyVolume AnomalyKind = "volume"
)

var kindOrder = []AnomalyKind{AnomalyBreakGlass, AnomalyNoWorkItem, AnomalyOutsideHours, AnomalyVolume}

// AgentRole is the actor role the work-item and working-hours rules apply
// to; it is identity's agent role as events record it.
const AgentRole = "agent"

// Defaults of the volume rule and of the event ids listed per anomaly.
const (
	DefaultVolumeFactor   = 3.0
	DefaultVolumeMinReads = 50
	DefaultMaxEventIDs    = 1000
)

// AnomalyRules tunes detection. Zero fields take the defaults.
type AnomalyRules struct {
	// An actor's reads are anomalous in volume when they are more than
	// VolumeFactor times the median of its peers' and at least
	// VolumeMinReads.
	VolumeFactor   float64
	VolumeMinReads int
	// MaxEventIDs caps the event ids listed in one anomaly; Events still
	// counts them all.
	MaxEventIDs int
	// Hours returns an agent's working hours; ok is false when they are
	// not known, and that agent's reads are then not checked against
	// hours. It is asked once per agent. Nil knows nobody's hours.
	Hours func(a Actor) (hours WorkingHours, ok bool)
}

func (r AnomalyRules) withDefaults() AnomalyRules {
	if r.VolumeFactor == 0 {
		r.VolumeFactor = DefaultVolumeFactor
	}
	if r.VolumeMinReads == 0 {
		r.VolumeMinReads = DefaultVolumeMinReads
	}
	if r.MaxEventIDs == 0 {
		r.MaxEventIDs = DefaultMaxEventIDs
	}
	return r
}

// ActorKey identifies an actor across events: its issuer and subject.
type ActorKey struct{ Issuer, Subject string }

// Anomaly is one actor's events of one kind. It carries ids and counts
// only: never a value of patient data, and never the free text of an
// event's reason, which a person wrote and may hold some.
type Anomaly struct {
	Kind        AnomalyKind
	Actor       ActorKey
	Role        string
	PracticeIDs []string  // the practices of the events, sorted; empty when none names one
	EventIDs    []string  // oldest first, at most MaxEventIDs of them
	Events      int       // every event behind the anomaly, listed or not
	First, Last time.Time // time of the first and the last of them
	Reason      string    // plain language, for the reviewer
}

// IsPHIRead reports whether e is an allowed read naming at least one
// patient: the events the work-item, hours and volume rules look at.
func IsPHIRead(e Event) bool {
	return e.Action == ActionRead && e.Outcome == OutcomeAllow && len(e.PatientIDs) > 0
}

// IsBreakGlass reports whether e opened break-glass or was done under it.
func IsBreakGlass(e Event) bool { return e.BreakGlass || e.Action == ActionBreakGlass }

// AnomalyDetector finds anomalies in a stream of events. Add them oldest
// first; Report may then be called once.
type AnomalyDetector struct {
	rules  AnomalyRules
	groups map[groupKey]*group
	reads  map[ActorKey]*group // every actor's PHI reads, for the volume rule
	hours  map[ActorKey]*WorkingHours
	// HoursUnknown counts the agents with PHI reads whose working hours
	// were not known, so a report can say whose reads went unchecked.
	HoursUnknown int
	// breakGlassOpenings counts each actor's break_glass events.
	breakGlassOpenings map[ActorKey]int
}

type groupKey struct {
	kind  AnomalyKind
	actor ActorKey
}

type group struct {
	role      string
	practices map[string]bool
	ids       []string
	n         int
	first     time.Time
	last      time.Time
}

// NewAnomalyDetector returns a detector applying rules.
func NewAnomalyDetector(rules AnomalyRules) *AnomalyDetector {
	return &AnomalyDetector{
		rules: rules.withDefaults(), groups: map[groupKey]*group{}, reads: map[ActorKey]*group{},
		hours: map[ActorKey]*WorkingHours{}, breakGlassOpenings: map[ActorKey]int{},
	}
}

// Add looks at one event.
func (d *AnomalyDetector) Add(e Event) {
	key := ActorKey{Issuer: e.Actor.Issuer, Subject: e.Actor.Subject}
	if IsBreakGlass(e) {
		d.add(d.group(AnomalyBreakGlass, key, e.Actor.Role), e)
		if e.Action == ActionBreakGlass {
			d.breakGlassOpenings[key]++
		}
	}
	if !IsPHIRead(e) {
		return
	}
	r := d.reads[key]
	if r == nil {
		r = newGroup(e.Actor.Role)
		d.reads[key] = r
	}
	d.add(r, e)
	if e.Actor.Role != AgentRole {
		return
	}
	if e.WorkItemID == "" && !e.BreakGlass {
		d.add(d.group(AnomalyNoWorkItem, key, e.Actor.Role), e)
	}
	if h := d.hoursOf(e.Actor, key); h != nil && !h.Contains(e.Time) {
		d.add(d.group(AnomalyOutsideHours, key, e.Actor.Role), e)
	}
}

// hoursOf asks once per agent and remembers the answer.
func (d *AnomalyDetector) hoursOf(a Actor, key ActorKey) *WorkingHours {
	h, seen := d.hours[key]
	if seen {
		return h
	}
	if d.rules.Hours != nil {
		if wh, ok := d.rules.Hours(a); ok {
			h = &wh
		}
	}
	if h == nil {
		d.HoursUnknown++
	}
	d.hours[key] = h
	return h
}

func newGroup(role string) *group { return &group{role: role, practices: map[string]bool{}} }

func (d *AnomalyDetector) group(kind AnomalyKind, key ActorKey, role string) *group {
	g := d.groups[groupKey{kind, key}]
	if g == nil {
		g = newGroup(role)
		d.groups[groupKey{kind, key}] = g
	}
	return g
}

func (d *AnomalyDetector) add(g *group, e Event) {
	if g.n == 0 || e.Time.Before(g.first) {
		g.first = e.Time
	}
	if g.n == 0 || e.Time.After(g.last) {
		g.last = e.Time
	}
	g.n++
	if len(g.ids) < d.rules.MaxEventIDs {
		g.ids = append(g.ids, e.ID)
	}
	if e.PracticeID != "" {
		g.practices[e.PracticeID] = true
	}
}

// Report returns the anomalies found, by kind (break_glass, no_work_item,
// outside_hours, volume), then most events first, then actor.
func (d *AnomalyDetector) Report() []Anomaly {
	var out []Anomaly
	for k, g := range d.groups {
		out = append(out, d.anomaly(k.kind, k.actor, g, d.reason(k.kind, k.actor, g)))
	}
	out = append(out, d.volume()...)
	slices.SortFunc(out, func(a, b Anomaly) int {
		return cmp.Or(
			cmp.Compare(slices.Index(kindOrder, a.Kind), slices.Index(kindOrder, b.Kind)),
			cmp.Compare(b.Events, a.Events),
			cmp.Compare(a.Actor.Issuer, b.Actor.Issuer),
			cmp.Compare(a.Actor.Subject, b.Actor.Subject),
		)
	})
	return out
}

func (d *AnomalyDetector) anomaly(kind AnomalyKind, key ActorKey, g *group, reason string) Anomaly {
	practices := make([]string, 0, len(g.practices))
	for p := range g.practices {
		practices = append(practices, p)
	}
	slices.Sort(practices)
	return Anomaly{
		Kind: kind, Actor: key, Role: g.role, PracticeIDs: practices,
		EventIDs: slices.Clone(g.ids), Events: g.n, First: g.first, Last: g.last, Reason: reason,
	}
}

func (d *AnomalyDetector) reason(kind AnomalyKind, key ActorKey, g *group) string {
	switch kind {
	case AnomalyBreakGlass:
		open, under := d.breakGlassOpenings[key], g.n-d.breakGlassOpenings[key]
		var did string
		switch {
		case open > 0 && under > 0:
			did = fmt.Sprintf("opened break-glass %s and acted under it %s", times(open), times(under))
		case open > 0:
			did = "opened break-glass " + times(open)
		default:
			did = "acted under break-glass " + times(under)
		}
		return roleName(g.role) + " " + did + "; every break-glass access is reviewed"
	case AnomalyNoWorkItem:
		return fmt.Sprintf("agent read patient data %s with no work item and not under break-glass", times(g.n))
	case AnomalyOutsideHours:
		return fmt.Sprintf("agent read patient data %s outside its working hours", times(g.n))
	}
	return string(kind)
}

// volume applies the volume rule role by role: an actor whose reads are
// more than VolumeFactor times the median of the actors of its role with
// reads, and at least VolumeMinReads.
func (d *AnomalyDetector) volume() []Anomaly {
	byRole := map[string][]int{}
	for _, g := range d.reads {
		byRole[g.role] = append(byRole[g.role], g.n)
	}
	medians := map[string]float64{}
	for role, counts := range byRole {
		medians[role] = median(counts)
	}
	var out []Anomaly
	for key, g := range d.reads {
		m := medians[g.role]
		if g.n < d.rules.VolumeMinReads || float64(g.n) <= d.rules.VolumeFactor*m {
			continue
		}
		reason := fmt.Sprintf("%s read patient data %s, %.1f times the median of %g reads among the %d actors of that role with reads",
			roleName(g.role), times(g.n), float64(g.n)/m, m, len(byRole[g.role]))
		out = append(out, d.anomaly(AnomalyVolume, key, g, reason))
	}
	return out
}

func median(counts []int) float64 {
	s := slices.Clone(counts)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

func roleName(role string) string {
	if role == "" {
		return "an actor without a role"
	}
	return role
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// DetectAnomalies runs a detector over events, oldest first.
func DetectAnomalies(events []Event, rules AnomalyRules) []Anomaly {
	d := NewAnomalyDetector(rules)
	for _, e := range events {
		d.Add(e)
	}
	return d.Report()
}

// Shift is one stretch of expected work, as wall-clock offsets from the
// midnight of the day it starts. End may pass 24h for a shift that runs
// past midnight into the next day.
type Shift struct{ Start, End time.Duration }

// WorkingHours is when an actor is expected to work: its shifts on each
// weekday, in its time zone.
type WorkingHours struct {
	Location *time.Location // nil is UTC
	Week     [7][]Shift     // indexed by time.Weekday
}

// Contains reports whether t falls within one of the shifts. Shifts are
// read on the wall clock, so "09:00 to 17:00" keeps meaning that on the
// days clocks change.
func (w WorkingHours) Contains(t time.Time) bool {
	loc := w.Location
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	clock := time.Duration(lt.Hour())*time.Hour + time.Duration(lt.Minute())*time.Minute +
		time.Duration(lt.Second())*time.Second + time.Duration(lt.Nanosecond())
	today := lt.Weekday()
	for back := 0; back <= 1; back++ { // today's shifts, and yesterday's that run past midnight
		day := (today + 7 - time.Weekday(back)) % 7
		at := clock + time.Duration(back)*24*time.Hour
		for _, s := range w.Week[day] {
			if at >= s.Start && at < s.End {
				return true
			}
		}
	}
	return false
}
