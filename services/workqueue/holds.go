package workqueue

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/backdesk/backdesk/services/internal/api"
)

// holds judges items against their practices' contact rules for the
// contact each item's cadence calls for next. Practices are read once.
type holds struct {
	a     *API
	now   time.Time
	rules map[string]practiceRules
}

type practiceRules struct {
	pols practice.Policies
	tz   string
}

func (a *API) newHolds(now time.Time) *holds {
	return &holds{a: a, now: now, rules: map[string]practiceRules{}}
}

// of returns the item's hold, or nil when it may be worked now.
func (h *holds) of(ctx context.Context, q workstore.QueueItem) (*api.Hold, error) {
	r, ok := h.rules[q.PracticeID]
	if !ok {
		// The queue spans practices, so the request carries no practice
		// scope: read each practice's rules within its own.
		ctx := sqldb.WithPractice(ctx, q.PracticeID)
		p, err := h.a.d.Practices.Get(ctx, q.PracticeID)
		if err != nil {
			return nil, err
		}
		pols, err := h.a.d.Practices.Policies(ctx, q.PracticeID)
		if err != nil {
			return nil, err
		}
		r = practiceRules{pols: pols, tz: p.Timezone}
		h.rules[q.PracticeID] = r
	}
	action := nextAction(r.pols.Kinds[q.Kind], q.CadenceStep)
	if !contact.Governed(action) {
		return nil, nil // payer or practice contact: the patient's rules do not apply
	}
	facts, recent, err := workstore.ContactFacts(ctx, h.a.d.DB, q.PracticeID, q.PatientID, h.now)
	if err != nil {
		return nil, err
	}
	facts.PracticeTimeZone = r.tz
	v := contact.Check(r.pols.Contact, facts, action, h.now, recent)
	if v.Allowed {
		return nil, nil
	}
	out := &api.Hold{Code: string(v.Code), Message: v.Message}
	if !v.WorkableAt.IsZero() {
		t := v.WorkableAt
		out.WorkableAt = &t
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
