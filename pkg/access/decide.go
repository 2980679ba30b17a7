package access

import (
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/policy"
)

// Facts are what a decision rests on, loaded by the Decider for one
// principal and resource.
type Facts struct {
	// PracticeStatus is the resource practice's lifecycle status; empty
	// when the resource names no practice or the practice does not exist.
	PracticeStatus string
	// Grants are the principal's grants on the practice, directly or
	// through its teams, in any state.
	Grants []GrantFact
	// Items are the principal's open work items for the patient.
	Items []OwnedItem
	// BreakGlass are the principal's sessions for the patient.
	BreakGlass []BreakGlassFact
	// MFA is the platform's rule on second factors for PHI, and
	// PracticeRequiresMFA the practice's own demand for one.
	MFA                 MFARule
	PracticeRequiresMFA bool
}

// Purposes recorded with allowed reads.
const (
	PurposePayment       = "payment"
	PurposeAdministering = "practice_administration"
	PurposeCompliance    = "compliance"
	PurposeBreakGlass    = "break_glass"
)

// Evaluate decides whether p may do a to r at now, given f. It is pure:
// the same inputs give the same decision, which is what the tests hold it to.
func Evaluate(now time.Time, p identity.Principal, a Action, r Resource, f Facts) Decision {
	switch a {
	case Self:
		return allow("any signed-in person may")
	case ManagePlatform:
		return roleOnly(p, "platform administrators manage practices", identity.PlatformAdmin)
	case ManageAgents:
		return roleOnly(p, "billing managers and platform administrators manage agents and teams", identity.BillingManager, identity.PlatformAdmin)
	case ManageClearinghouses:
		return roleOnly(p, "billing managers and platform administrators manage clearinghouse connections", identity.BillingManager, identity.PlatformAdmin)
	case WorkOwnQueue:
		return roleOnly(p, "agents work their own queues", identity.Agent)
	case ReviewBreakGlass:
		return roleOnly(p, "compliance reviews break-glass use", identity.Compliance)
	case ReadAudit:
		return readAudit(p, r)
	}
	if r.PracticeID != "" && f.PracticeStatus == "" && a != ManagePlatform {
		return deny(CodeNoPractice, "no such practice")
	}
	// A resource that names no practice (break-glass before its patient
	// is looked up) is judged on the role alone.
	active := r.PracticeID == "" || f.PracticeStatus == "draft" || f.PracticeStatus == "active"
	switch a {
	case ReadPractice:
		if p.Has(identity.PlatformAdmin) || p.AdminOf(r.PracticeID) {
			return allow("platform administrators and the practice's admins read its settings")
		}
		return deny(CodeNotMember, "you are not an administrator of this practice")
	case AdministerPractice:
		if !p.Has(identity.PlatformAdmin) && !p.AdminOf(r.PracticeID) {
			return deny(CodeNotMember, "you are not an administrator of this practice")
		}
		if !active {
			return inactive()
		}
		return allow("platform administrators and the practice's admins administer it")
	case ReadStatements:
		if !p.AdminOf(r.PracticeID) && !p.Has(identity.BillingManager) {
			return deny(CodeNotMember, "only the practice's admins and billing managers open its statements")
		}
		return allow("the practice's admins and billing managers open its statements")
	case ManageGrants:
		if !p.AdminOf(r.PracticeID) {
			return deny(CodeNotMember, "only the practice's own admins decide who sees its patients")
		}
		if !active {
			return inactive()
		}
		return allow("the practice's admins manage its grants")
	case RequestAccess:
		if !p.Has(identity.BillingManager) {
			return deny(CodeRole, "only billing managers request access for a team")
		}
		if !active {
			return inactive()
		}
		return allow("billing managers request access")
	case ViewAccessRequest:
		if p.Has(identity.BillingManager) || p.AdminOf(r.PracticeID) {
			return allow("billing managers and the practice's admins read access requests")
		}
		return deny(CodeRole, "only billing managers and the practice's admins read access requests")
	case OpenBreakGlass:
		if !p.Has(identity.Agent, identity.Compliance) {
			return deny(CodeRole, "only agents and compliance officers may break the glass")
		}
		if r.PracticeID != "" && !active {
			return inactive()
		}
		if needsMFA(p, f, true) {
			return errMFA
		}
		return allow("break-glass is open to agents and compliance, with a reason")
	case ReadPatient:
		return readPatient(now, p, r, f, active)
	}
	return deny(CodeRole, "this action is not permitted")
}

func roleOnly(p identity.Principal, reason string, roles ...identity.Role) Decision {
	if p.Has(roles...) {
		return allow(reason)
	}
	return deny(CodeRole, "not permitted: "+reason)
}

func inactive() Decision {
	return deny(CodePracticeInactive, "the practice is suspended or offboarded: only its audit trail can be read")
}

// readAudit lets compliance read every practice's trail and a practice's
// admins their own practices', and says which in the decision's scope.
func readAudit(p identity.Principal, r Resource) Decision {
	d := allow("compliance reads the audit trail")
	switch {
	case p.Has(identity.Compliance):
		d.AuditScope.All = true
	case r.PracticeID != "" && p.AdminOf(r.PracticeID):
		d.Reason = "practice admins read their own practice's audit trail"
	case r.PracticeID == "" && len(p.Memberships) > 0:
		d.Reason = "practice admins read their own practices' audit trail"
	default:
		return deny(CodeRole, "only compliance and the practice's own admins read the audit trail")
	}
	if !d.AuditScope.All {
		d.AuditScope.Practices = []string{}
		for _, m := range p.Memberships {
			if m.Role == identity.PracticeAdmin {
				d.AuditScope.Practices = append(d.AuditScope.Practices, m.PracticeID)
			}
		}
	}
	d.Purpose = PurposeCompliance
	return d
}

func readPatient(now time.Time, p identity.Principal, r Resource, f Facts, active bool) Decision {
	if !active {
		return inactive()
	}
	for _, b := range f.BreakGlass {
		if b.PatientID == r.PatientID && b.PracticeID == r.PracticeID && b.UserID == p.UserID && b.OpenAt(now) {
			if needsMFA(p, f, true) {
				return errMFA
			}
			d := allow("an open break-glass session, flagged for compliance review")
			d.Code, d.BreakGlassID, d.Fields, d.Purpose = CodeBreakGlass, b.ID, AllFields(), PurposeBreakGlass
			return d
		}
	}
	if (p.AdminOf(r.PracticeID) || p.Has(identity.Agent)) && needsMFA(p, f, false) {
		return errMFA
	}
	if p.AdminOf(r.PracticeID) {
		d := allow("practice admins read their own practice's patients")
		d.Fields, d.Purpose = AllFields(), PurposeAdministering
		return d
	}
	if !p.Has(identity.Agent) {
		return deny(CodeRole, "only agents working the patient's follow-up, and the practice's admins, read patients")
	}
	items := sortedItems(f.Items)
	var kinds []policy.Kind
	switch {
	case r.Kind != "":
		kinds = []policy.Kind{r.Kind}
	default:
		for _, it := range items {
			if it.PatientID == r.PatientID && !slices.Contains(kinds, it.Kind) {
				kinds = append(kinds, it.Kind)
			}
		}
		if len(kinds) == 0 {
			kinds = policy.Kinds
		}
	}
	covered := false
	for _, k := range kinds {
		g, ok := covering(now, r.PracticeID, k, f.Grants)
		if !ok {
			continue
		}
		covered = true
		for _, it := range items {
			if it.PatientID != r.PatientID || it.Kind != k || (r.WorkItemID != "" && it.ID != r.WorkItemID) {
				continue
			}
			d := allow("a covering grant and an owned open work item")
			d.GrantID, d.Kind, d.WorkItemID, d.Fields, d.Purpose = g.ID, k, it.ID, g.Fields(k), PurposePayment
			return d
		}
	}
	if !covered {
		return deny(CodeNoGrant, "no active grant of this practice covers you for this kind of work")
	}
	return deny(CodeNoItem, "you own no open work item for this patient of a kind your grant covers")
}

// covering returns the grant that lets p work kind at practice, picking the
// one that stays valid longest so the decision is deterministic.
func covering(now time.Time, practiceID string, kind policy.Kind, gs []GrantFact) (GrantFact, bool) {
	var best GrantFact
	found := false
	for _, g := range gs {
		if g.PracticeID != practiceID || !g.Covers(kind, now) {
			continue
		}
		if !found || g.ValidUntil.After(best.ValidUntil) || (g.ValidUntil.Equal(best.ValidUntil) && g.ID < best.ID) {
			best, found = g, true
		}
	}
	return best, found
}

func sortedItems(items []OwnedItem) []OwnedItem {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b OwnedItem) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out
}
