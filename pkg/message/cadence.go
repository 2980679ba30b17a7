package message

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work"
)

// cadenceTemplates are the templates the cadence's automatic steps use,
// by kind of work. Claims and eligibility talk to payers and have none.
var cadenceTemplates = map[policy.Kind]string{
	policy.BalanceFollowup:   "balance_reminder",
	policy.Recare:            "recall_due",
	policy.TreatmentFollowup: "treatment_unscheduled",
}

// CadenceKinds are the kinds whose text and e-mail steps can go without
// a person.
func CadenceKinds() []string {
	return []string{string(policy.BalanceFollowup), string(policy.Recare), string(policy.TreatmentFollowup)}
}

// CadenceItem is an item whose next step may be a text or an e-mail, with
// what its message needs.
type CadenceItem struct {
	Account
	State         string
	Step          int
	CreatedAt     time.Time
	NextContactAt *time.Time
}

// Candidates are a practice's items the sweep looks at, with the recent
// contacts of the practice's patients, its templates and its settings.
type Candidates struct {
	Items     []CadenceItem
	Recent    map[string][]time.Time // by patient
	Templates []Template
	Settings  Settings
}

// CadenceSend is one automatic step: the message and where the item goes
// next.
type CadenceSend struct {
	Outgoing
	Step          int // the step taken: the item must still be at it
	NextContactAt time.Time
}

// CadenceStore is what the sweep reads and writes; msgstore.Store is one.
type CadenceStore interface {
	// AutomaticPractices lists the active practices that turned
	// automatic steps on.
	AutomaticPractices(ctx context.Context) ([]string, error)
	// Candidates reads up to limit of the practice's unfinished items of
	// the cadence kinds, earliest due first, not being worked.
	Candidates(ctx context.Context, practiceID string, now time.Time, limit int) (Candidates, error)
	// SendCadence takes the steps in one transaction, set-wise: each item
	// still at its step moves on (waiting for its owner until the next
	// step), with its activity, message, links, delivery task, timer and
	// audit event. It returns how many were taken.
	SendCadence(ctx context.Context, practiceID string, sends []CadenceSend, now time.Time) (int, error)
}

// SweepLimit bounds the items one practice's sweep looks at.
const SweepLimit = 5000

// SweepReport says what a sweep did for one practice.
type SweepReport struct {
	Sent int
	Held int // a rule kept the message from going now (quiet hours, the week's cap, consent, an opt-out)
}

// Sweep sends every automatic step that is due in each practice that
// turned automatic steps on, keeping every rule a person's send keeps.
// It is the router's periodic task; running it twice sends nothing
// twice, since each step is taken only from the step it was planned at.
func (s *Service) Sweep(ctx context.Context) (map[string]SweepReport, error) {
	if s.cadence == nil {
		return nil, nil
	}
	ids, err := s.cadence.AutomaticPractices(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]SweepReport, len(ids))
	var errs []error
	for _, id := range ids {
		rep, err := s.SweepPractice(ctx, id)
		if err != nil {
			// One practice failing does not hold up the others' steps.
			errs = append(errs, fmt.Errorf("practice %s: %w", id, err))
		}
		out[id] = rep
	}
	return out, errors.Join(errs...)
}

// SweepPractice sends one practice's due automatic steps, SweepLimit
// items at a time, until a read finds fewer due or sends none.
func (s *Service) SweepPractice(ctx context.Context, practiceID string) (SweepReport, error) {
	cs := s.cadence
	prof, err := s.profiles.Profile(ctx, practiceID)
	if err != nil {
		return SweepReport{}, err
	}
	var rep SweepReport
	for range sweepRounds {
		now := s.clock()
		c, err := cs.Candidates(ctx, practiceID, now, SweepLimit)
		if err != nil {
			return rep, err
		}
		sends, r, err := s.plan(prof, c, now)
		if err != nil {
			return rep, err
		}
		sent := 0
		if len(sends) > 0 {
			if sent, err = cs.SendCadence(ctx, practiceID, sends, now); err != nil {
				return rep, err
			}
		}
		rep.Sent += sent
		rep.Held = r.Held
		if len(c.Items) < SweepLimit || sent == 0 {
			break
		}
	}
	return rep, nil
}

// sweepRounds bounds one practice's sweep; what is left goes in the next.
const sweepRounds = 20

// plan decides each candidate's automatic step: due, a text or e-mail
// step, and allowed now by every rule (with the messages planned earlier
// in the same sweep counted toward the weekly cap).
func (s *Service) plan(prof practice.Profile, c Candidates, now time.Time) ([]CadenceSend, SweepReport, error) {
	var rep SweepReport
	var sends []CadenceSend
	for _, it := range c.Items {
		p := prof.Policies.Kinds[it.Kind]
		if len(p.Cadence) == 0 {
			continue
		}
		step := min(it.Step, len(p.Cadence)-1)
		act := p.Cadence[step].Action
		if act != policy.Text && act != policy.Email {
			continue
		}
		due := it.CreatedAt.AddDate(0, 0, p.Cadence[step].OffsetDays)
		if it.NextContactAt != nil && it.NextContactAt.After(due) {
			due = *it.NextContactAt
		}
		if due.After(now) {
			continue
		}
		key, ok := cadenceTemplates[it.Kind]
		if !ok {
			continue
		}
		ch := Text
		if act == policy.Email {
			ch = Email
		}
		a := it.Account
		a.Recent, a.Templates, a.Settings = c.Recent[a.PatientID], c.Templates, c.Settings
		token, hash, err := newToken()
		if err != nil {
			return nil, rep, err
		}
		d, t, err := s.draft(a, prof, ch, key, s.publicURL+"/m/"+token, now)
		if err != nil || !d.Allowed {
			rep.Held++ // the owner sees why on the queue, as for a call
			continue
		}
		o, err := s.outgoing(a, d, t, SystemActor, hash, now)
		if err != nil {
			return nil, rep, err
		}
		o.ActivityID = newID()
		o.Disclosure = audit.Event{Actor: audit.SystemActor, Reason: "cadence"}
		sends = append(sends, CadenceSend{Outgoing: o, Step: it.Step, NextContactAt: nextStep(p, it, now)})
		c.Recent[a.PatientID] = append(c.Recent[a.PatientID], now)
	}
	return sends, rep, nil
}

// nextStep is when the item's next step falls: its offset from the
// item's creation, and never sooner than a day from now; past the last
// step, a week from now.
func nextStep(p policy.Policy, it CadenceItem, now time.Time) time.Time {
	floor := now.Add(24 * time.Hour)
	if it.Step+1 >= len(p.Cadence) {
		return now.Add(7 * 24 * time.Hour)
	}
	at := it.CreatedAt.AddDate(0, 0, p.Cadence[it.Step+1].OffsetDays)
	if at.Before(floor) {
		return floor
	}
	return at
}

// TaskCadence is the router's periodic sweep of automatic steps.
const TaskCadence = "message:cadence"

// CadenceEvery is how often the sweep runs: a step that quiet hours held
// goes within minutes of their end.
const CadenceEvery = "*/5 * * * *"

// CadenceArgs is TaskCadence's payload: every practice.
type CadenceArgs struct{}

// Kind implements outbox.Args.
func (CadenceArgs) Kind() string { return TaskCadence }

// Queue implements outbox.Args: periodic work waits in the system queue.
func (CadenceArgs) Queue() string { return work.QueueSystem }
