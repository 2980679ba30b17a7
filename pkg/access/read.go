package access

import (
	"cmp"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
)

// Read is one read of a patient's record that a decision allowed on a
// resource. Both of its halves come from the decision, so they cannot
// disagree: Project keeps only the fields the decision allows, and Event
// names exactly those fields in the read's audit event, with why the read
// was allowed.
type Read struct {
	Decision Decision
	Resource Resource
}

// Project returns rec's fields that the decision allows, ready to encode.
func (r Read) Project(rec Record) map[string]any { return Project(rec, r.Decision.Fields) }

// Event completes ev, which says who asks (the HTTP layer fills it), into
// the audit event of the read: the practice and patient, the purpose, and
// what allowed it (the grant, the work item, a break-glass session). A
// read that failed with err records its error kind and no fields; one
// that succeeded records the names of the fields it returned.
func (r Read) Event(ev audit.Event, err error) audit.Event {
	d, res := r.Decision, r.Resource
	ev.Action = audit.ActionRead
	ev.PracticeID, ev.PatientIDs, ev.Purpose = res.PracticeID, []string{res.PatientID}, d.Purpose
	// A read of one work item names it even when a break-glass session or
	// the practice's own admin rights, not the item, allowed it.
	ev.WorkItemID = cmp.Or(res.WorkItemID, d.WorkItemID)
	ev.GrantID, ev.BreakGlass = d.GrantID, d.BreakGlass()
	if err != nil {
		ev.Outcome, ev.Reason = audit.OutcomeError, string(apperr.KindOf(err))
		return ev
	}
	ev.Outcome, ev.Fields = audit.OutcomeAllow, d.Fields
	return ev
}
