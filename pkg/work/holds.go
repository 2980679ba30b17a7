package work

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Hold is why an item cannot be worked now and when it can.
type Hold struct {
	Code       string
	Message    string
	WorkableAt *time.Time // nil when time does not cure it
}

// PatientContacts is what the contact rules need about one patient: the
// do-not-contact and text-consent flags, and the patient contacts (calls,
// texts, e-mails) logged within the rules' window, across every kind.
type PatientContacts struct {
	Facts  contact.Facts
	Recent []time.Time
}

// holds judges queue items against their practices' contact rules for the
// contact each item's cadence calls for next. Each practice's rules and
// the contacts of each practice's patients are read once, whatever the
// length of the queue.
func (d *Desk) holds(ctx context.Context, items []QueueItem, now time.Time) (map[string]*Hold, error) {
	out := make(map[string]*Hold, len(items))
	byPractice := map[string][]QueueItem{}
	var order []string
	for _, q := range items {
		if q.State == string(Waiting) {
			continue
		}
		if _, ok := byPractice[q.PracticeID]; !ok {
			order = append(order, q.PracticeID)
		}
		byPractice[q.PracticeID] = append(byPractice[q.PracticeID], q)
	}
	for _, practiceID := range order {
		qs := byPractice[practiceID]
		// The queue spans practices, so the request carries no practice
		// scope: each practice's rules are read within its own.
		pols, tz, err := d.rules.Rules(sqldb.WithPractice(ctx, practiceID), practiceID)
		if err != nil {
			return nil, err
		}
		var patients []string
		seen := map[string]bool{}
		for _, q := range qs {
			if contact.Governed(nextAction(pols.Kinds[q.Kind], q.CadenceStep)) && !seen[q.PatientID] {
				seen[q.PatientID] = true
				patients = append(patients, q.PatientID)
			}
		}
		if len(patients) == 0 {
			continue // payer or practice contacts only: the patients' rules do not apply
		}
		contacts, err := d.store.Contacts(ctx, practiceID, patients, now)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			action := nextAction(pols.Kinds[q.Kind], q.CadenceStep)
			if !contact.Governed(action) {
				continue
			}
			pc := contacts[q.PatientID]
			facts := pc.Facts
			facts.PracticeTimeZone = tz
			v := contact.Check(pols.Contact, facts, action, now, pc.Recent)
			if v.Allowed {
				continue
			}
			h := &Hold{Code: string(v.Code), Message: v.Message}
			if !v.WorkableAt.IsZero() {
				t := v.WorkableAt
				h.WorkableAt = &t
			}
			out[q.ID] = h
		}
	}
	return out, nil
}

// nextAction is the contact the cadence calls for at step; past the last
// step the last one repeats.
func nextAction(p policy.Policy, step int) policy.Action {
	if len(p.Cadence) == 0 {
		return policy.Call
	}
	return p.Cadence[min(step, len(p.Cadence)-1)].Action
}
