package scale

import (
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
)

// kindNo numbers the kinds for pick.
func kindNo(k policy.Kind) int {
	for i, x := range policy.Kinds {
		if x == k {
			return i + 1
		}
	}
	return 0
}

// date is the civil date d days after Now (before it when negative).
func (c *Company) date(d int) records.Date {
	t := c.Now.Add(time.Duration(d) * day)
	return records.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// Patient is patient j of practice p.
func (c *Company) Patient(p, j int) records.Patient {
	first := firstNames[pick(len(firstNames), p, j, 21)]
	last := lastNames[pick(len(lastNames), p, j, 22)]
	place := cities[pick(len(cities), p, 23)]
	born := c.Now.AddDate(-18-pick(70, p, j, 24), 0, -pick(365, p, j, 25))
	ch := []records.Channel{records.ChannelCall, records.ChannelText, records.ChannelEmail, ""}[pick(4, p, j, 26)]
	return records.Patient{
		ExternalID: fmt.Sprintf("P%06d", j+1), FirstName: first, LastName: last,
		DateOfBirth: records.Date{Year: born.Year(), Month: born.Month(), Day: born.Day()},
		// 555-01xx numbers are reserved for fiction.
		Phone:        fmt.Sprintf("+1%03d55501%02d", 200+pick(700, p, 27), pick(100, p, j, 28)),
		Email:        fmt.Sprintf("%s.%s%d@example.com", first, last, j),
		AddressLine1: fmt.Sprintf("%d %s", 1+pick(9000, p, j, 29), streets[pick(len(streets), p, j, 30)]),
		City:         place.city, State: place.state, PostalCode: fmt.Sprintf("%s%02d", place.zip, pick(100, p, j, 31)),
		GuarantorName:    first + " " + last,
		PreferredChannel: ch, TextConsent: pick(3, p, j, 32) > 0, DoNotContact: pick(100, p, j, 33) == 0,
	}
}

// Balance is the account balance of patient j: aged past the practice's
// threshold when it needs work, small and current otherwise.
func (c *Company) Balance(p, j int) records.Balance {
	b := records.Balance{ExternalID: fmt.Sprintf("A%06d", j+1), PatientExternalID: fmt.Sprintf("P%06d", j+1)}
	if c.NeedsWork(p, j, policy.BalanceFollowup) {
		b.Aged0To30Cents = int64(pick(100, p, j, 41)) * 100
		b.Aged31To60Cents = 5_000 + int64(pick(200, p, j, 42))*100
		b.Aged61To90Cents = int64(pick(2, p, j, 43)) * int64(pick(150, p, j, 44)) * 100
		b.AgedOver90Cents = int64(pick(3, p, j, 45)/2) * int64(pick(300, p, j, 46)) * 100
		b.LastStatementDate = c.date(-40 - pick(20, p, j, 47))
	} else {
		b.Aged0To30Cents = int64(pick(40, p, j, 48)) * 100
		b.LastStatementDate = c.date(-pick(25, p, j, 47))
	}
	b.TotalCents = b.Aged0To30Cents + b.Aged31To60Cents + b.Aged61To90Cents + b.AgedOver90Cents
	if pick(2, p, j, 49) == 0 {
		b.LastPaymentDate, b.LastPaymentCents = c.date(-30-pick(60, p, j, 50)), int64(1+pick(20, p, j, 51))*500
	}
	return b
}

// Claim is patient j's latest insurance claim: submitted and unpaid a
// month or more when it needs work, paid otherwise.
func (c *Company) Claim(p, j int) records.Claim {
	py := payers[pick(len(payers), p, j, 61)]
	cl := records.Claim{ExternalID: fmt.Sprintf("C%08d", j+1), PatientExternalID: fmt.Sprintf("P%06d", j+1),
		PayerName: py.name, PayerID: py.id, SubscriberID: fmt.Sprintf("SUB%07d", pick(10_000_000, p, j, 62)),
		BilledCents: int64(150+pick(1500, p, j, 63)) * 100}
	if c.NeedsWork(p, j, policy.ClaimFollowup) {
		cl.DateOfService = c.date(-40 - pick(80, p, j, 64))
		cl.Status = records.ClaimSubmitted
	} else {
		cl.DateOfService = c.date(-60 - pick(300, p, j, 64))
		cl.Status = records.ClaimPaid
		cl.PaidCents = cl.BilledCents * 8 / 10
		cl.PatientResponsibilityCents = cl.BilledCents - cl.PaidCents
	}
	cl.SubmittedDate = records.ParseDate(cl.DateOfService.Time().AddDate(0, 0, 2).Format(time.DateOnly))
	return cl
}

// Recall is patient j's next recall: unscheduled and due within the month
// when it needs work; scheduled, or due months from now, otherwise.
func (c *Company) Recall(p, j int) records.Recall {
	r := records.Recall{ExternalID: fmt.Sprintf("R%06d", j+1), PatientExternalID: fmt.Sprintf("P%06d", j+1),
		RecallType: recallKind[pick(len(recallKind), p, j, 71)], LastVisitDate: c.date(-150 - pick(60, p, j, 72))}
	switch {
	case c.NeedsWork(p, j, policy.Recare):
		r.DueDate = c.date(-15 + pick(40, p, j, 73))
	case pick(2, p, j, 74) == 0:
		r.DueDate, r.Scheduled = c.date(pick(90, p, j, 73)), true
	default:
		r.DueDate = c.date(45 + pick(135, p, j, 73))
	}
	return r
}

// Treatment is patient j's treatment plan (one patient in four has one):
// presented weeks ago and unscheduled when it needs work, scheduled
// otherwise.
func (c *Company) Treatment(p, j int) (records.TreatmentPlan, bool) {
	if !hasTreatment(j) {
		return records.TreatmentPlan{}, false
	}
	t := records.TreatmentPlan{ExternalID: fmt.Sprintf("T%06d", j+1), PatientExternalID: fmt.Sprintf("P%06d", j+1),
		Summary: treatments[pick(len(treatments), p, j, 81)], EstimatedPatientPortionCents: int64(100+pick(2000, p, j, 82)) * 100,
		PresentedDate: c.date(-20 - pick(100, p, j, 83))}
	t.Scheduled = !c.NeedsWork(p, j, policy.TreatmentFollowup)
	return t, true
}
