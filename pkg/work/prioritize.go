package work

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work/priority"
)

// Prioritize scores the record behind an item of kind at now, in the
// practice's time zone. Exactly one of the records is set.
func Prioritize(kind policy.Kind, b *records.Balance, c *records.Claim, r *records.Recall, t *records.TreatmentPlan,
	now time.Time, loc *time.Location) priority.Result {
	day := today(now, loc)
	in := priority.Inputs{Kind: kind}
	switch {
	case b != nil:
		in.AmountCents = b.TotalCents
		switch {
		case b.AgedOver90Cents > 0:
			in.AgeDays = 91
		case b.Aged61To90Cents > 0:
			in.AgeDays = 61
		case b.Aged31To60Cents > 0:
			in.AgeDays = 31
		}
	case c != nil:
		in.AmountCents = c.BilledCents - c.PaidCents
		in.DateOfService = c.DateOfService
		if !c.SubmittedDate.IsZero() {
			in.AgeDays = max(0, daysBetween(c.SubmittedDate, day))
		}
	case r != nil:
		if !r.Scheduled && !r.DueDate.IsZero() {
			in.RecallOverdueDays = max(0, daysBetween(r.DueDate, day))
		}
	case t != nil:
		in.TreatmentPortionCents = t.EstimatedPatientPortionCents
		in.BenefitsLeftCents, in.BenefitsEnd = t.BenefitsLeftCents, t.BenefitsEnd
		if !t.PresentedDate.IsZero() {
			in.AgeDays = max(0, daysBetween(t.PresentedDate, day))
		}
	}
	return priority.Score(in, day)
}
