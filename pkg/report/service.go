package report

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/routing"
)

// Staffed is an active agent's load as counted, with the presence, hours
// and time zone its shift is read from.
type Staffed struct {
	AgentLoad
	Timezone string // IANA name
	Hours    string // as routing.ParseSchedule reads it; validated when stored
}

// Counts is the board as the store counts it across practices; the
// service adds who is on shift and the totals.
type Counts struct {
	Depth    []Depth
	Agents   []Staffed // active agents by name
	History  []DayDepth
	Breaches []Breach // the oldest first, at most BreachLimit
	// Clearinghouse is what clearinghouses were asked over the last
	// BoardInquiryDays days, per practice and kind.
	Clearinghouse []Inquiries
}

// Storer counts what the reports show.
type Storer interface {
	// Board counts, at now, the unfinished items per practice and kind,
	// every active agent's load and output, the depth per kind at the end
	// of each of the last days, and the oldest breaches.
	Board(ctx context.Context, now time.Time, days int) (Counts, error)
	// Practice reads practiceID's summary at now, within that practice's
	// scope, with at most contacts lines of last contact per patient.
	Practice(ctx context.Context, practiceID string, now time.Time, contacts int) (PracticeSummary, error)
}

// Service reads the reports.
type Service struct{ store Storer }

// NewService returns a Service over store.
func NewService(store Storer) *Service { return &Service{store: store} }

// ManagerBoard reads the board at now with days of depth history.
func (s *Service) ManagerBoard(ctx context.Context, now time.Time, days int) (Board, error) {
	now = now.UTC()
	c, err := s.store.Board(ctx, now, days)
	if err != nil {
		return Board{}, err
	}
	b := Board{At: now, Depth: orEmpty(c.Depth), Agents: make([]AgentLoad, 0, len(c.Agents)), History: orEmpty(c.History),
		Breaches: orEmpty(c.Breaches), Clearinghouse: orEmpty(c.Clearinghouse)}
	for _, d := range b.Depth {
		t := &b.Totals
		t.Open, t.Assigned, t.InProgress, t.Waiting = t.Open+d.Open, t.Assigned+d.Assigned, t.InProgress+d.InProgress, t.Waiting+d.Waiting
		t.Overdue, t.Escalated, t.Breached = t.Overdue+d.Overdue, t.Escalated+d.Escalated, t.Breached+d.Breached
		t.Unfinished, t.DueToday = t.Unfinished+d.Unfinished, t.DueToday+d.DueToday
	}
	for _, a := range c.Agents {
		l := a.AgentLoad
		l.OnShift = onShift(a, now)
		if l.OnShift {
			b.OnShift++
		}
		b.Agents = append(b.Agents, l)
	}
	return b, nil
}

// onShift reports whether a is working at now, as routing sees it.
func onShift(a Staffed, now time.Time) bool {
	sched, _ := routing.ParseSchedule(a.Hours) // validated when stored
	loc, err := time.LoadLocation(a.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return routing.OnShift(routing.Agent{Presence: routing.Presence(a.Presence), Hours: sched, Location: loc}, now)
}

// Practice reads the practice's summary at now, with at most contacts
// entries of last contact per patient.
func (s *Service) Practice(ctx context.Context, practiceID string, now time.Time, contacts int) (PracticeSummary, error) {
	return s.store.Practice(ctx, practiceID, now.UTC(), contacts)
}

// orEmpty returns s, or an empty slice for nil: the board's lists are
// [] in JSON when empty, never null.
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
