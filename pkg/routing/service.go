package routing

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Result is what one routing attempt did to an item.
type Result struct {
	ItemID    string
	Kind      policy.Kind   // the item's kind of work, once it was found
	OwnerID   string        // set when assigned
	Reason    NoCandidate   // set when nobody could take it
	Skipped   string        // set when the item needed no routing, and why
	Escalated bool          // newly escalated by this attempt
	RetryAt   time.Time     // when the next attempt is queued
	Waited    time.Duration // from the item's creation to its assignment
}

// Report is what one reconciliation pass did.
type Report struct {
	Routed    int // open items whose routing had gone missing, routed now
	Due       int // waiting items past their next contact date, brought back
	Rerouted  int // items taken from owners who can no longer own them
	Unrouted  int // of those, left unassigned (nobody else could take them)
	Escalated int
}

// UnassignedCount is how many open items of a kind wait for one reason.
type UnassignedCount struct {
	Kind, Reason string
	Count        int
}

// Waiting is an open item nobody owns, as billing managers see it: ids,
// kind and why, never patient data.
type Waiting struct {
	ItemID      string
	PracticeID  string
	Kind        string
	Reason      string // empty before the first attempt
	Attempts    int
	DueAt       time.Time
	RetryAt     *time.Time
	EscalatedAt *time.Time
	CreatedAt   time.Time
}

// Storer is the storage routing needs. Each change runs in one
// transaction that locks the item, decides with Pick over the agents the
// practice's grants cover, re-checks the chosen agent's capacity under its
// row lock and writes the owner (and, for a person's change, its audit
// event).
type Storer interface {
	Route(ctx context.Context, itemID string) (Result, error)
	Due(ctx context.Context, itemID string) (Result, error)
	Reroute(ctx context.Context, itemID string) (Result, error)
	Reconcile(ctx context.Context, batch int) (Report, error)
	Unassigned(ctx context.Context) ([]UnassignedCount, error)
	Unrouted(ctx context.Context, escalatedOnly bool, limit int) ([]Waiting, error)
	Handoff(ctx context.Context, itemID, by, to string, version int, note string, ev audit.Event) (Result, error)
	HandoffToTeam(ctx context.Context, itemID, by, teamID string, version int, note string, ev audit.Event) (Result, error)
	Release(ctx context.Context, itemID, by string, version int, note string, ev audit.Event) (Result, error)
	AddNote(ctx context.Context, itemID, by, note, key string, ev audit.Event) (Result, error)
}

// Service routes work items to agents and moves them between agents.
type Service struct{ store Storer }

// NewService returns a Service over store.
func NewService(store Storer) *Service { return &Service{store: store} }

// Route picks an owner for an open item; an item no longer open is left
// as it is, so a repeated task changes nothing.
func (s *Service) Route(ctx context.Context, itemID string) (Result, error) {
	return s.store.Route(ctx, itemID)
}

// Due brings a waiting item back at its next contact date: to its owner,
// or to someone else when the owner can no longer take it.
func (s *Service) Due(ctx context.Context, itemID string) (Result, error) {
	return s.store.Due(ctx, itemID)
}

// Reconcile restores what the queues should have done, from the database
// alone, at most batch items of each sort per pass.
func (s *Service) Reconcile(ctx context.Context, batch int) (Report, error) {
	return s.store.Reconcile(ctx, batch)
}

// Unassigned counts open items by kind and the reason nobody owns them.
func (s *Service) Unassigned(ctx context.Context) ([]UnassignedCount, error) {
	return s.store.Unassigned(ctx)
}

// Unrouted lists open items nobody owns, escalated ones first.
func (s *Service) Unrouted(ctx context.Context, escalatedOnly bool, limit int) ([]Waiting, error) {
	return s.store.Unrouted(ctx, escalatedOnly, limit)
}

// Handoff gives the owner's item to another agent the practice's grants
// cover for it; ev (who asks) is recorded with the change.
func (s *Service) Handoff(ctx context.Context, itemID, by, to string, version int, note string, ev audit.Event) (Result, error) {
	return s.store.Handoff(ctx, itemID, by, to, version, note, ev)
}

// HandoffToTeam gives the owner's item to whichever member of the team
// routing would pick, never back to the giver.
func (s *Service) HandoffToTeam(ctx context.Context, itemID, by, teamID string, version int, note string, ev audit.Event) (Result, error) {
	return s.store.HandoffToTeam(ctx, itemID, by, teamID, version, note, ev)
}

// Release gives the owner's item back to be routed to someone else.
func (s *Service) Release(ctx context.Context, itemID, by string, version int, note string, ev audit.Event) (Result, error) {
	return s.store.Release(ctx, itemID, by, version, note, ev)
}

// AddNote appends a note to the owner's item's history; a non-empty key
// keeps a retried note once.
func (s *Service) AddNote(ctx context.Context, itemID, by, note, key string, ev audit.Event) (Result, error) {
	return s.store.AddNote(ctx, itemID, by, note, key, ev)
}
