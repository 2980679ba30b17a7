package access

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
)

// DeciderConfig tunes a Decider; the zero value of each field means its default.
type DeciderConfig struct {
	Now Clock
	// MFA is the platform's rule on second factors for PHI.
	MFA MFARule
}

// Decider is the one decision point every service uses: it loads the
// facts a request needs from its source and evaluates them. Caching the
// facts is the source's business (factcache), not the decision's.
type Decider struct {
	facts FactSource
	cfg   DeciderConfig
}

// NewDecider returns a Decider over facts.
func NewDecider(facts FactSource, cfg DeciderConfig) *Decider {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Decider{facts: facts, cfg: cfg}
}

// Decide loads the facts for p, a and r and evaluates them. It reads only
// what the action needs: a practice's status for anything about a
// practice except its audit trail, and for a patient read the
// principal's break-glass sessions and, for an agent, its grants and
// owned items. An error means the facts could not be read; callers fail
// closed.
func (d *Decider) Decide(ctx context.Context, p identity.Principal, a Action, r Resource) (Decision, error) {
	now := d.cfg.Now()
	f := Facts{MFA: d.cfg.MFA}
	var err error
	if r.PracticeID != "" && a != ReadAudit {
		pf, err := d.facts.Practice(ctx, r.PracticeID)
		if err != nil {
			return Decision{}, err
		}
		f.PracticeStatus, f.PracticeRequiresMFA = pf.Status, pf.RequireMFA
	}
	if a == ReadPatient && f.PracticeStatus != "" {
		agent := !p.AdminOf(r.PracticeID) && p.Has(identity.Agent)
		pf, together := d.facts.(PatientFactSource)
		if together {
			f.BreakGlass, f.Items, err = pf.PatientFacts(ctx, p.UserID, r.PracticeID, r.PatientID, agent)
		} else {
			f.BreakGlass, err = d.facts.BreakGlassFor(ctx, p.UserID, r.PracticeID, r.PatientID)
		}
		if err != nil {
			return Decision{}, err
		}
		if agent {
			if f.Grants, err = d.facts.GrantsFor(ctx, p.UserID, r.PracticeID); err != nil {
				return Decision{}, err
			}
			if !together {
				if f.Items, err = d.facts.OwnedItems(ctx, p.UserID, r.PracticeID, r.PatientID); err != nil {
					return Decision{}, err
				}
			}
		}
	}
	return Evaluate(now, p, a, r, f), nil
}
