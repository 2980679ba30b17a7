package scale

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/priority"
)

// times are the moments in an item's life.
type times struct {
	created, due, updated time.Time
	finished, next        *time.Time
	attempts              int
}

// timesOf places item it in time: finished items over the past year,
// unfinished ones made in the last two months. Each contact is an
// attempt; an assigned item that was contacted before came back due.
func (c *Company) timesOf(it Item) times {
	p, k := it.Practice, it.Index
	var t times
	if it.Unfinished() {
		t.created = c.Now.Add(-time.Duration(1+pick(59, p, k, 101))*day - time.Duration(pick(86400, p, k, 102))*time.Second)
	} else {
		frac := float64(k) / float64(c.Size.ItemsPerPractice())
		t.created = c.Now.Add(-365*day + time.Duration(frac*300*float64(day)) + time.Duration(pick(86400, p, k, 102))*time.Second)
	}
	t.due = t.created.AddDate(0, 0, policy.Default(it.Kind).SLADays)
	t.updated = t.created
	switch it.State {
	case work.Resolved, work.Closed:
		t.attempts = 1 + pick(3, p, k, 103)
		f := t.created.Add(time.Duration(1+pick(30, p, k, 104)) * day)
		if latest := c.Now.Add(-time.Hour); f.After(latest) {
			f = latest
		}
		t.finished, t.updated = &f, f
	case work.Waiting:
		t.attempts = 1 + pick(3, p, k, 103)
		n := c.Now.Add(time.Duration(1+pick(20, p, k, 105)) * day)
		t.next = &n
		t.updated = c.Now.Add(-time.Duration(1+pick(5*24, p, k, 106)) * time.Hour)
	case work.Assigned:
		t.attempts = pick(2, p, k, 103)
		if t.attempts > 0 {
			n := c.Now.Add(-time.Duration(1+pick(72, p, k, 105)) * time.Hour)
			t.next = &n
		}
	}
	if t.updated.Before(t.created) {
		t.updated = t.created
	}
	return t
}

var (
	locMu sync.Mutex
	locs  = map[string]*time.Location{}
)

// location loads a time zone once.
func location(name string) *time.Location {
	locMu.Lock()
	defer locMu.Unlock()
	if l, ok := locs[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = time.UTC
	}
	locs[name] = l
	return l
}

// priorityOf scores an unfinished item from its record as the daily
// generation would; a finished item keeps a score from its day.
func (c *Company) priorityOf(it Item) (int, string) {
	p, j := it.Practice, it.Patient
	if !it.Unfinished() {
		return pick(80, p, it.Index, 107), "[]"
	}
	loc := location(timezones[pick(len(timezones), p, 3)])
	var b *records.Balance
	var cl *records.Claim
	var r *records.Recall
	var t *records.TreatmentPlan
	switch it.Subject {
	case work.SubjectBalance:
		x := c.Balance(p, j)
		b = &x
	case work.SubjectClaim:
		x := c.Claim(p, j)
		cl = &x
	case work.SubjectRecall:
		x := c.Recall(p, j)
		r = &x
	default:
		x, _ := c.Treatment(p, j)
		t = &x
	}
	res := work.Prioritize(it.Kind, b, cl, r, t, c.Now, loc)
	return res.Score, priority.Encode(res.Reasons)
}

// itemColumns are the work_items columns the loader writes.
var itemColumns = []string{"id", "practice_id", "patient_id", "kind", "subject_type", "subject_id", "state", "owner_id", "priority",
	"priority_reasons", "next_contact_at", "due_at", "attempts", "cadence_step", "version", "created_at", "updated_at", "assigned_at",
	"route_attempts", "route_after", "unassigned_reason", "escalated_at", "finished_at"}

// itemRow is item it as a work_items row.
func (c *Company) itemRow(it Item) []any {
	p, k := it.Practice, it.Index
	t := c.timesOf(it)
	score, reasons := c.priorityOf(it)
	var owner, assigned, routeAfter, escalated any
	routeAttempts, reason := 0, ""
	if it.Owner >= 0 {
		owner, assigned = c.AgentID(it.Owner), t.created.Add(time.Minute)
		routeAttempts = 1
	}
	if it.State == work.Open {
		routeAttempts = 1 + pick(6, p, k, 108)
		if !it.Lost {
			// Routing was tried lately and nobody could take it; the
			// queues will try again later. Later than their backoff
			// would say, so that none comes due while a benchmark runs
			// without a router and the reconciler sees only the lost ones.
			routeAfter = c.Now.Add(3*time.Hour + time.Duration(pick(60, p, k, 109))*time.Minute)
			reason = string([]routing.NoCandidate{routing.NobodyOnShift, routing.AllAtCapacity}[pick(2, p, k, 110)])
			if t.due.Before(c.Now.Add(day)) {
				escalated = t.due.Add(-day)
			}
		}
	}
	version := 1 + t.attempts
	if it.Owner >= 0 {
		version++
	}
	return []any{c.ItemID(p, k), c.PracticeID(p), c.PatientID(p, it.Patient), string(it.Kind), string(it.Subject),
		c.RecordID(p, it.Patient, it.Subject), string(it.State), owner, int32(score), reasons, t.next, t.due, int32(t.attempts),
		int32(t.attempts), int32(version), t.created, t.updated, assigned, int32(routeAttempts), routeAfter, reason, escalated, t.finished}
}

// activityColumns are the activities columns the loader writes.
var activityColumns = []string{"id", "practice_id", "work_item_id", "patient_id", "actor_id", "channel", "outcome", "note",
	"next_contact_at", "promised_cents", "paid_cents", "at"}

// activityRows are item it's history: one row per attempt, spread between
// its making and its end (or now), the last one ending a finished item.
func (c *Company) activityRows(it Item, yield func([]any) bool) bool {
	t := c.timesOf(it)
	if t.attempts == 0 || it.Owner < 0 {
		return true
	}
	p, k := it.Practice, it.Index
	end := c.Now.Add(-time.Hour)
	if t.finished != nil {
		end = *t.finished
	}
	step := end.Sub(t.created) / time.Duration(t.attempts+1)
	for a := range t.attempts {
		at := t.created.Add(step * time.Duration(a+1))
		ch, out := contactOf(it, a, pick(4, p, k, a, 111))
		var promised, paid int64
		var next any
		last := a == t.attempts-1 && t.finished != nil
		switch {
		case last && it.State == work.Closed:
			out = work.Declined
		case last && (it.Kind == policy.Recare || it.Kind == policy.TreatmentFollowup):
			out = work.Scheduled
		case last:
			out, paid = work.Paid, int64(50+pick(500, p, k, 112))*100
		default:
			n := at.Add(7 * day)
			next = n
			if out == work.PromisedPayment {
				promised = int64(50+pick(500, p, k, 113)) * 100
			}
		}
		row := []any{id(tagActivity, (p*c.Size.ItemsPerPractice()+k)*8+a), c.PracticeID(p), c.ItemID(p, k), c.PatientID(p, it.Patient),
			c.AgentID(it.Owner), string(ch), string(out), notes[pick(len(notes), p, k, a, 114)], next, promised, paid, at}
		if !yield(row) {
			return false
		}
	}
	return true
}

// notes are what agents write: plain, and never about health.
var notes = []string{"", "", "", "left a message", "asked to call back after 5", "payer says in process", "statement resent",
	"spoke with guarantor"}

// contactOf is how attempt a of it was made and what came of it, before
// any ending.
func contactOf(it Item, a, roll int) (work.Channel, work.Outcome) {
	if it.Kind == policy.ClaimFollowup {
		return []work.Channel{work.ByPayerPortal, work.ByPayerCall}[roll%2], work.StatusReceived
	}
	ch := []work.Channel{work.ByCall, work.ByText, work.ByStatement, work.ByCall}[(a+roll)%4]
	out := []work.Outcome{work.Voicemail, work.NoAnswer, work.Reached, work.PromisedPayment}[roll]
	if ch != work.ByCall {
		out = work.Sent
	}
	if out == work.PromisedPayment && it.Kind != policy.BalanceFollowup {
		out = work.Reached
	}
	return ch, out
}

// workTables are every practice's work items and their histories, in the
// order they were made across the company, as a table that has grown for
// a year lies on disk.
func (c *Company) workTables() []table {
	s := c.Size
	type made struct {
		at   int64
		p, k int32
	}
	order := make([]made, 0, s.Items)
	for p := range s.Practices {
		for k := range s.ItemsPerPractice() {
			order = append(order, made{c.timesOf(c.Item(p, k)).created.UnixMicro(), int32(p), int32(k)})
		}
	}
	slices.SortFunc(order, func(a, b made) int { return cmp.Compare(a.at, b.at) })
	items := func(yield func([]any) bool) {
		for _, m := range order {
			if !yield(c.itemRow(c.Item(int(m.p), int(m.k)))) {
				return
			}
		}
	}
	acts := func(yield func([]any) bool) {
		for _, m := range order {
			if !c.activityRows(c.Item(int(m.p), int(m.k)), yield) {
				return
			}
		}
	}
	return []table{{"work_items", itemColumns, items}, {"activities", activityColumns, acts}}
}
