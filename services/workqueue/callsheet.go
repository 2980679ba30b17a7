package workqueue

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/api"
)

// callSheet adds to the item view what the agent needs before a call:
// the practice (name, phone, zone), the claim a claim follow-up is about
// as the field set allows, and the next contact date the cadence
// suggests.
func (a *API) callSheet(ctx context.Context, body *api.ItemView, it work.Detail, patient map[string]any) error {
	pols, tz, err := a.d.Desk.Rules(ctx, it.PracticeID)
	if err != nil {
		return err
	}
	body.Practice = api.ItemPractice{ID: it.PracticeID, Timezone: tz}
	if a.d.Practices != nil {
		// The practice's rows are read within its own scope, which
		// row-level security requires on PostgreSQL.
		p, err := a.d.Practices.Profile(sqldb.WithPractice(ctx, it.PracticeID), it.PracticeID)
		if err != nil {
			return err
		}
		body.Practice.Name, body.Practice.Phone = p.Practice.Name, p.Phone
		if p.Practice.Timezone != "" {
			body.Practice.Timezone = p.Practice.Timezone
		}
	}
	now := a.d.Now()
	body.Claim = claimOf(it, patient, now)
	body.NextContactDefault = nextContactDefault(pols.Kinds[it.Kind], it.CadenceStep, now, body.Practice.Timezone)
	return nil
}

// claimOf is the claim the item is about, found among the claims the
// patient's projection carries: none when the field set leaves them out.
func claimOf(it work.Detail, patient map[string]any, now time.Time) *api.ClaimSummary {
	if it.SubjectType != string(work.SubjectClaim) || it.SubjectNumber == "" {
		return nil
	}
	claims, _ := patient["claims"].([]access.ClaimView)
	for _, c := range claims {
		if c.ClaimID != it.SubjectNumber {
			continue
		}
		out := &api.ClaimSummary{ClaimNumber: c.ClaimID, PayerName: c.PayerName, DateOfService: c.DateOfService,
			SubmittedDate: c.SubmittedDate, BilledCents: c.BilledCents, PaidCents: c.PaidCents, Status: c.Status}
		for _, d := range []string{c.SubmittedDate, c.DateOfService} {
			if t, err := time.Parse(time.DateOnly, d); err == nil {
				out.DaysOutstanding = max(0, int(now.UTC().Sub(t).Hours()/24))
				break
			}
		}
		return out
	}
	return nil
}

// nextContactDefault is the date the cadence suggests for the contact
// after the one at step: today in the practice's zone plus the days
// between the two steps, at least one and within the policy's limit;
// empty when the cadence has no step left.
func nextContactDefault(p policy.Policy, step int, now time.Time, tz string) string {
	if step < 0 || step+1 >= len(p.Cadence) {
		return ""
	}
	days := max(1, p.Cadence[step+1].OffsetDays-p.Cadence[step].OffsetDays)
	if p.MaxNextContactDays > 0 {
		days = min(days, p.MaxNextContactDays)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	return now.In(loc).AddDate(0, 0, days).Format(time.DateOnly)
}

// queuePractices names the practices of a queue's items, with their
// zones.
func (a *API) queuePractices(ctx context.Context, items []api.QueueEntry) (map[string]api.QueuePractice, error) {
	out := map[string]api.QueuePractice{}
	for _, e := range items {
		if _, ok := out[e.PracticeID]; ok {
			continue
		}
		var qp api.QueuePractice
		if a.d.Practices != nil {
			// Within the practice's own scope, which row-level security
			// requires on PostgreSQL; one read per practice, not per item.
			p, err := a.d.Practices.Profile(sqldb.WithPractice(ctx, e.PracticeID), e.PracticeID)
			if err != nil {
				return nil, err
			}
			qp = api.QueuePractice{Name: p.Practice.Name, Timezone: p.Practice.Timezone}
		}
		if qp.Timezone == "" {
			_, tz, err := a.d.Desk.Rules(ctx, e.PracticeID)
			if err != nil {
				return nil, err
			}
			qp.Timezone = tz
		}
		out[e.PracticeID] = qp
	}
	return out, nil
}
