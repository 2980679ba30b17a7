package work

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
)

// Storer is the storage the work rules need. Methods that take a
// transaction run inside the caller's, so that work created or changed by
// another domain's change (an import, a payer's statement) commits with it.
type Storer interface {
	// Queue lists the owner's unfinished items, overdue first, then by
	// priority, at most limit.
	Queue(ctx context.Context, ownerID string, f QueueFilter, now time.Time, limit int) ([]QueueItem, error)
	// Start starts the first of candidates, in their order, that is still
	// the owner's to start, under a lease; two calls at once never start
	// the same item.
	Start(ctx context.Context, ownerID string, now time.Time, candidates []QueueItem) (Started, bool, error)
	// Detail reads an item with its history and the patient's other
	// unfinished items with the same owner.
	Detail(ctx context.Context, practiceID, itemID string) (Detail, error)
	// Contacts reads the contact facts of the practice's patients.
	Contacts(ctx context.Context, practiceID string, patientIDs []string, now time.Time) (map[string]PatientContacts, error)
	// RecordOutcome appends the outcome to the item's history, moves the
	// item to state, queues the timer when it waits, and appends ev, all
	// in one transaction; it returns the item's new version.
	RecordOutcome(ctx context.Context, practiceID, itemID, actorID string, in OutcomeInput, state State, now time.Time, ev audit.Event) (int, error)
	// Heartbeat extends the owner's lease on an item in progress.
	Heartbeat(ctx context.Context, practiceID, itemID, ownerID string, until, now time.Time) error
	// Locate finds an item's practice, patient and kind across practices.
	Locate(ctx context.Context, itemID string) (Ref, error)
	// CreateOpen inserts the items that have no open item for the same
	// subject and kind, re-scores those that have, and queues routing for
	// each one created, in tx; it returns the items created.
	CreateOpen(ctx context.Context, tx *sql.Tx, items []Item, now time.Time) ([]Item, error)
	// RecentItems reads, in tx, the items of kind of each of patientIDs
	// that are unfinished or were resolved at or after resolvedSince.
	RecentItems(ctx context.Context, tx *sql.Tx, kind policy.Kind, patientIDs []string, resolvedSince time.Time) ([]Recent, error)
	// CloseGoneChecks closes, in tx, the practice's eligibility checks
	// nobody has taken whose visit will not happen as booked (cancelled,
	// missed, completed, or started before now), each with a history
	// entry saying why; it returns how many.
	CloseGoneChecks(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time) (int, error)
	FollowupStore
}

// Rulebook gives a practice's rules and time zone (practice.Service has
// it).
type Rulebook interface {
	Rules(ctx context.Context, practiceID string) (practice.Policies, string, error)
}

// Errors the desk answers with.
var (
	// ErrNotYours refuses a change to an item someone else owns.
	ErrNotYours = &apperr.Error{Kind: apperr.KindForbidden, Code: "not_your_item", Message: "this item is owned by someone else"}
	// ErrStale refuses a change made against an older version.
	ErrStale = apperr.Conflict("stale_version", "the item changed since you read it; reload it and log the outcome again", nil)
	// ErrNotStarted refuses a heartbeat on an item nobody is working.
	ErrNotStarted = apperr.Conflict("not_started", "the item is not being worked; start it with next", nil)
	// ErrFinished refuses an outcome on a finished item.
	ErrFinished = apperr.Conflict("finished", "the item is finished already", nil)
	// ErrNoItem says the item does not exist (or is not in the practice).
	ErrNoItem = apperr.NotFound("work item")
)

// Desk is the agent's side of the work: the queue with what holds each
// item back, starting the next item, the item itself, outcomes and the
// lease.
type Desk struct {
	store Storer
	rules Rulebook
	now   func() time.Time
	refs  refs // where the items this Desk has seen are
}

// NewDesk returns a Desk over store, reading practices' rules from rules.
func NewDesk(store Storer, rules Rulebook, now func() time.Time) *Desk {
	if now == nil {
		now = time.Now
	}
	return &Desk{store: store, rules: rules, now: now}
}

// Entry is one line of the queue with what holds it back, if anything.
type Entry struct {
	QueueItem
	Hold *Hold // nil when it may be worked now (waiting items are never judged)
}

// QueueLimit is the most items a queue lists.
const QueueLimit = 500

// Queue is the owner's work, overdue first, then by priority, each item
// judged against its practice's contact rules.
func (d *Desk) Queue(ctx context.Context, ownerID string, f QueueFilter) ([]Entry, error) {
	now := d.now().UTC()
	items, err := d.store.Queue(ctx, ownerID, f, now, QueueLimit)
	if err != nil {
		return nil, err
	}
	held, err := d.holds(ctx, items, now)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(items))
	for i, q := range items {
		out[i] = Entry{QueueItem: q, Hold: held[q.ID]}
		d.refs.put(q.ID, q.ref())
	}
	return out, nil
}

// nextBatch is how many workable items Next tries to start at a time;
// more are judged only when all of them were taken meanwhile.
const nextBatch = 5

// Take gives the owner back the item it has in progress, if any, with
// its lease kept (an agent who asks for the next item while one is open
// gets that one back rather than a second one); otherwise it starts the
// owner's most urgent item that the contact rules let be worked now. One
// read of the queue serves both.
func (d *Desk) Take(ctx context.Context, ownerID string) (Started, bool, error) {
	now := d.now().UTC()
	items, err := d.store.Queue(ctx, ownerID, QueueFilter{}, now, QueueLimit)
	if err != nil {
		return Started{}, false, err
	}
	if s, ok := d.resume(ctx, ownerID, items, now); ok {
		return s, true, nil
	}
	return d.next(ctx, ownerID, items, now)
}

// Next starts the owner's most urgent item that the contact rules let
// be worked now, under a lease.
func (d *Desk) Next(ctx context.Context, ownerID string) (Started, bool, error) {
	now := d.now().UTC()
	items, err := d.store.Queue(ctx, ownerID, QueueFilter{}, now, QueueLimit)
	if err != nil {
		return Started{}, false, err
	}
	return d.next(ctx, ownerID, items, now)
}

// next starts the first of items, in queue order, that may be worked
// now. The rules are judged outside the transaction that starts the item,
// a few workable items at a time, so a long queue costs no more than its
// top.
func (d *Desk) next(ctx context.Context, ownerID string, items []QueueItem, now time.Time) (Started, bool, error) {
	judged := 0
	for judged < len(items) {
		var batch []QueueItem
		for ; judged < len(items) && len(batch) < nextBatch; judged++ {
			if items[judged].State != string(Waiting) {
				batch = append(batch, items[judged])
			}
		}
		holds, err := d.holds(ctx, batch, now)
		if err != nil {
			return Started{}, false, err
		}
		var workable []QueueItem
		for _, q := range batch {
			if holds[q.ID] == nil {
				workable = append(workable, q)
			}
		}
		if len(workable) == 0 {
			continue
		}
		s, ok, err := d.store.Start(ctx, ownerID, now, workable)
		if err != nil || ok {
			if ok {
				d.refs.put(s.ID, Ref{PracticeID: s.PracticeID, PatientID: s.PatientID, Kind: s.Kind})
			}
			return s, ok, err
		}
	}
	return Started{}, false, nil
}

// Resume finds the owner's item in progress, if any, and keeps its lease.
func (d *Desk) Resume(ctx context.Context, ownerID string) (Started, bool, error) {
	now := d.now().UTC()
	items, err := d.store.Queue(ctx, ownerID, QueueFilter{}, now, QueueLimit)
	if err != nil {
		return Started{}, false, err
	}
	s, ok := d.resume(ctx, ownerID, items, now)
	return s, ok, nil
}

// resume keeps the lease on the first item of items in progress whose
// lease has not run out meanwhile.
func (d *Desk) resume(ctx context.Context, ownerID string, items []QueueItem, now time.Time) (Started, bool) {
	for _, q := range items {
		if q.State != string(InProgress) {
			continue
		}
		until := now.Add(Lease)
		if err := d.store.Heartbeat(ctx, q.PracticeID, q.ID, ownerID, until, now); err != nil {
			continue // its lease ran out meanwhile: it is not open any more
		}
		d.refs.put(q.ID, q.ref())
		return Started{ID: q.ID, PracticeID: q.PracticeID, PatientID: q.PatientID, Kind: q.Kind, Version: q.Version, LeaseUntil: until}, true
	}
	return Started{}, false
}

// Rules returns the practice's rules and its time zone.
func (d *Desk) Rules(ctx context.Context, practiceID string) (practice.Policies, string, error) {
	return d.rules.Rules(ctx, practiceID)
}

// Item returns an item with its history and the patient's other items.
func (d *Desk) Item(ctx context.Context, practiceID, itemID string) (Detail, error) {
	return d.store.Detail(ctx, practiceID, itemID)
}

// Locate finds an item's practice, patient and kind, before any decision
// about reading it is made. Those never change, so an item this Desk has
// listed, started or located before costs no database round trip.
func (d *Desk) Locate(ctx context.Context, itemID string) (Ref, error) {
	if r, ok := d.refs.get(itemID); ok {
		return r, nil
	}
	r, err := d.store.Locate(ctx, itemID)
	if err == nil {
		d.refs.put(itemID, r)
	}
	return r, err
}

// RecordOutcome logs what came of a contact under the practice's policy
// for the item's kind and moves the item; ev (who asks) becomes the
// outcome's audit event, written with it. It returns the item's new
// version.
func (d *Desk) RecordOutcome(ctx context.Context, ref Ref, itemID, actorID string, in OutcomeInput, ev audit.Event) (int, error) {
	pols, _, err := d.rules.Rules(ctx, ref.PracticeID)
	if err != nil {
		return 0, err
	}
	now := d.now().UTC()
	state, err := in.Apply(pols.Kinds[ref.Kind], now)
	if err != nil {
		return 0, err
	}
	return d.store.RecordOutcome(ctx, ref.PracticeID, itemID, actorID, in, state, now, ev)
}

// Heartbeat keeps the owner's lease on an item it is still working, so a
// long call does not lose it; it returns the new end of the lease.
func (d *Desk) Heartbeat(ctx context.Context, practiceID, itemID, ownerID string) (time.Time, error) {
	now := d.now().UTC()
	until := now.Add(Lease)
	return until, d.store.Heartbeat(ctx, practiceID, itemID, ownerID, until, now)
}

// CreateOpen creates the items that have no open twin and queues their
// routing, inside tx (an import's, or a payer statement's).
func (d *Desk) CreateOpen(ctx context.Context, tx *sql.Tx, items []Item, now time.Time) ([]Item, error) {
	return d.store.CreateOpen(ctx, tx, items, now)
}

// CloseGoneChecks closes, in tx, practiceID's eligibility checks nobody
// has taken whose visit will not happen as booked: asking a payer about a
// cancelled visit discloses a patient for nothing, and an agent would
// call about it. A check an agent owns is left to the agent.
func (d *Desk) CloseGoneChecks(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time) (int, error) {
	return d.store.CloseGoneChecks(ctx, tx, practiceID, now)
}

// RecentItems reads, in tx, the patients' items of kind that are
// unfinished or were resolved at or after resolvedSince: for eligibility
// checks, whose coverage is fresh (VisitsToVerify).
func (d *Desk) RecentItems(ctx context.Context, tx *sql.Tx, kind policy.Kind, patientIDs []string, resolvedSince time.Time) ([]Recent, error) {
	return d.store.RecentItems(ctx, tx, kind, patientIDs, resolvedSince)
}
