package scale

import (
	"fmt"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
)

// AuditEvent is the i-th event of the company's audit trail (0 ≤ i <
// AuditEvents), in time order over AuditSpan. Most are agents reading an
// account they work (the item view) and logging outcomes; the rest are
// sign-ins, presence changes, practice admins reading their settings,
// managers reading the board and compliance reading the trail. One read
// in a hundred names two patients, as a family account does.
func (c *Company) AuditEvent(i int) audit.Event {
	s := c.Size
	from, to := c.AuditSpan()
	at := from.Add(time.Duration(float64(to.Sub(from)) * float64(i) / float64(s.AuditEvents)))
	p := pick(s.Practices, i, 11)
	agents := c.TeamAgents(c.TeamOf(p))
	agent := agents[pick(len(agents), i, 12)]
	e := audit.Event{
		ID: timeID(at, i), Time: at, Outcome: audit.OutcomeAllow,
		RequestID: fmt.Sprintf("%016x", mix(uint64(i)^0xbeef)), TraceID: fmt.Sprintf("%016x%016x", mix(uint64(i)), mix(uint64(i)+1)),
		Actor: audit.Actor{Issuer: Issuer, Subject: c.AgentSubject(agent), Role: "agent",
			SessionRef: fmt.Sprintf("s-%012x", mix(uint64(agent)^uint64(at.YearDay()))&0xffffffffffff),
			IP:         fmt.Sprintf("10.%d.%d.%d", agent/65536%256, agent/256%256, agent%256), UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Backdesk-console"},
	}
	patient := func(salt int) string { return c.PatientID(p, pick(s.PatientsPerPractice(), i, salt)) }
	item := c.Item(p, pick(s.ItemsPerPractice(), i, 13))
	switch r := pick(1000, i, 14); {
	case r < 560:
		e.Action, e.PracticeID, e.Purpose = audit.ActionRead, c.PracticeID(p), access.PurposePayment
		e.PatientIDs = []string{c.PatientID(p, item.Patient)}
		if r >= 550 {
			e.PatientIDs = append(e.PatientIDs, patient(15))
		}
		e.WorkItemID, e.GrantID = c.ItemID(p, item.Index), c.GrantID(p)
		for _, g := range access.KindGroups[item.Kind] {
			e.Fields = append(e.Fields, access.GroupFields[g]...)
		}
		if pick(100, i, 16) < 2 {
			e.Outcome, e.Reason, e.Fields = audit.OutcomeDeny, "no_owned_item", nil
		}
	case r < 800:
		e = audit.Change(e, at, audit.ActionWorkOutcome, c.PracticeID(p), audit.TargetWorkItem, c.ItemID(p, item.Index))
		e.WorkItemID, e.PatientIDs, e.Reason = c.ItemID(p, item.Index), []string{c.PatientID(p, item.Patient)}, "call voicemail"
		e.ID = timeID(at, i) // Change draws a fresh id; the trail's ids follow its time
	case r < 880:
		e.Action = audit.ActionLogin
	case r < 930:
		e.Actor.Subject, e.Actor.Role = c.AdminSubject(p), "practice_admin"
		e.Action, e.PracticeID, e.Purpose, e.Fields = audit.ActionRead, c.PracticeID(p), access.PurposeAdministering, []string{"settings"}
	case r < 960:
		e = audit.Change(e, at, audit.ActionAgentPresence, "", audit.TargetAgent, c.AgentID(agent))
		e.Reason = "available"
		e.ID = timeID(at, i)
	case r < 985:
		m := pick(c.Managers(), i, 17)
		e.Actor.Subject, e.Actor.Role = c.ManagerSubject(m), "billing_manager"
		e.Action, e.Fields = audit.ActionRead, []string{"board"}
	default:
		e.Actor.Subject, e.Actor.Role = c.ComplianceSubject(), "compliance"
		e.Action, e.Purpose, e.Fields = audit.ActionRead, "audit_review", []string{"id", "time", "actor", "action"}
	}
	return e
}

// auditColumns are the audit_events columns: seq, the search columns and
// the canonical body, as auditstore writes them.
var auditColumns = []string{"seq", "id", "at", "practice_id", "patient_id", "actor_subject", "action", "outcome", "body"}

// auditRows yields events from to to (exclusive) as rows; the search
// columns copy the body's fields as auditstore's Append does (the patient
// column holds the lowest id of an event that names several).
func (c *Company) auditRows(from, to int, fail func(error)) func(yield func([]any) bool) {
	return func(yield func([]any) bool) {
		for i := from; i < to; i++ {
			e := c.AuditEvent(i)
			body, err := audit.Canonical(e)
			if err != nil {
				fail(fmt.Errorf("audit event %d: %w", i, err))
				return
			}
			var practice, patient any
			if e.PracticeID != "" {
				practice = e.PracticeID
			}
			if len(e.PatientIDs) > 0 {
				patient = slices.Min(e.PatientIDs)
			}
			if !yield([]any{int64(i + 1), e.ID, audit.CanonicalTime(e.Time), practice, patient, e.Actor.Subject, string(e.Action),
				string(e.Outcome), string(body)}) {
				return
			}
		}
	}
}
