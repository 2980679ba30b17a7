package scale

import (
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/work"
)

// payerTables are what payers' files said about the claims: a remittance
// (835) for every paid claim, and a claim status (277) for every claim
// still waiting on its payer. Each practice imports one file a month.
func (c *Company) payerTables() []table {
	s := c.Size
	l := s.PatientsPerPractice()
	importOf := func(p int, paid records.Date) string {
		return id(tagImport, p*24+int(paid.Month))
	}
	remits := func(yield func([]any) bool) {
		for p := range s.Practices {
			for j := range l {
				cl := c.Claim(p, j)
				if cl.Status != records.ClaimPaid {
					continue
				}
				n := p*l + j
				paid := records.ParseDate(cl.DateOfService.Time().AddDate(0, 0, 21).Format(time.DateOnly))
				if !yield([]any{id(tagRemittance, n), c.PracticeID(p), c.RecordID(p, j, work.SubjectClaim), importOf(p, paid),
					fmt.Sprintf("%016x", mix(uint64(n)^0xe1)), cl.PayerName, fmt.Sprintf("EFT%09d", pick(1_000_000_000, p, j, 121)),
					paid.String(), "1", cl.BilledCents, cl.PaidCents, cl.PatientResponsibilityCents, fmt.Sprintf("PCN%010d", n),
					`[{"group":"CO","reason":"45","cents":` + fmt.Sprint(cl.BilledCents-cl.PaidCents-cl.PatientResponsibilityCents) + `}]`,
					"[]", paid.Time().Add(9 * time.Hour), "[]"}) {
					return
				}
			}
		}
	}
	statuses := func(yield func([]any) bool) {
		for p := range s.Practices {
			for j := range l {
				cl := c.Claim(p, j)
				if cl.Status == records.ClaimPaid {
					continue
				}
				n := p*l + j
				seen := records.ParseDate(cl.SubmittedDate.Time().AddDate(0, 0, 14).Format(time.DateOnly))
				if !yield([]any{id(tagClaimStatus, n), c.PracticeID(p), c.RecordID(p, j, work.SubjectClaim), importOf(p, seen),
					fmt.Sprintf("%016x", mix(uint64(n)^0xe2)), "A2", "20", "PR", seen.String(), fmt.Sprintf("PCN%010d", n),
					seen.Time().Add(9 * time.Hour), "[]", "[]", int64(0), "", ""}) {
					return
				}
			}
		}
	}
	return []table{
		{"claim_remittances", []string{"id", "practice_id", "claim_id", "import_id", "fingerprint", "payer_name", "check_number",
			"payment_date", "status_code", "charge_cents", "paid_cents", "patient_responsibility_cents", "payer_claim_control",
			"adjustments", "service_lines", "created_at", "remark_codes"}, remits},
		{"claim_status_events", []string{"id", "practice_id", "claim_id", "import_id", "fingerprint", "category", "code", "entity",
			"effective_date", "payer_claim_control", "created_at", "other_statuses", "service_lines", "paid_cents", "check_number",
			"payment_date"}, statuses},
	}
}
