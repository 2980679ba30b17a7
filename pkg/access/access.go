// Package access decides who may do what to which practice's data. One
// function, Evaluate (wrapped by Decider.Decide, which loads the facts),
// implements the access rules for every service: agents read a patient only
// under a covering grant while owning an open work item of that kind for
// that patient, and see only that kind's fields; practice admins read their
// own practice; compliance reads audit metadata; break-glass opens one
// patient for a short time, flagged for review. Patient records leave
// the stores only through this package's projection to the fields a
// decision allows. Grants, access requests and break-glass sessions are
// the grant domain's (pkg/grant); a decision sees them as facts
// (GrantFact, BreakGlassFact) that a FactSource loads.
package access

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
)

// Action is what a principal asks to do.
type Action string

// The actions every route maps to.
const (
	// ReadPatient returns a patient's PHI (projected to a field set).
	ReadPatient Action = "patient.read"
	// ReadPractice reads a practice's settings and progress, no PHI.
	ReadPractice Action = "practice.read"
	// AdministerPractice changes a practice's settings, locations,
	// policies, invitations and imports.
	AdministerPractice Action = "practice.administer"
	// ManageGrants grants, lists, revokes and re-certifies access to a
	// practice, and approves or denies access requests. Only the
	// practice's own admins may.
	ManageGrants Action = "grants.manage"
	// ManagePlatform creates practices and changes their lifecycle.
	ManagePlatform Action = "platform.manage"
	// ReadAudit reads audit metadata: compliance everywhere, practice
	// admins for their own practice.
	ReadAudit Action = "audit.read"
	// ManageAgents manages agents and teams and watches their queues.
	ManageAgents Action = "agents.manage"
	// ManageClearinghouses configures clearinghouse connections, links
	// practices to them, watches their batches and carries a manual
	// connection's files (each file taken is recorded as a disclosure of
	// the patients in it).
	ManageClearinghouses Action = "clearinghouses.manage"
	// ReadStatements opens a practice's patient statements and their
	// runs' skips: the practice's admins and billing managers. An agent
	// opens the statement of an account it works through ReadPatient.
	ReadStatements Action = "statements.read"
	// RequestAccess asks a practice for a team's access.
	RequestAccess Action = "access.request"
	// ViewAccessRequest reads an access request: billing managers (who
	// make them) and the practice's admins (who decide them).
	ViewAccessRequest Action = "access.view_request"
	// OpenBreakGlass opens time-boxed access to one patient.
	OpenBreakGlass Action = "break_glass.open"
	// ReviewBreakGlass closes a break-glass session with a note.
	ReviewBreakGlass Action = "break_glass.review"
	// WorkOwnQueue is an agent working its own queue and presence.
	WorkOwnQueue Action = "work.own"
	// Self is anything any signed-in person may do about itself.
	Self Action = "self"
)

// Actions lists every action, for tables and tests.
var Actions = []Action{ReadPatient, ReadPractice, AdministerPractice, ManageGrants, ManagePlatform,
	ReadAudit, ManageAgents, ManageClearinghouses, ReadStatements, RequestAccess, ViewAccessRequest, OpenBreakGlass, ReviewBreakGlass, WorkOwnQueue, Self}

// Resource is what an action is about. Empty fields are not part of it.
type Resource struct {
	PracticeID string
	PatientID  string
	// Kind is the work the access serves; empty lets the decision pick any
	// kind the principal owns an item of.
	Kind       policy.Kind
	WorkItemID string
}

// Reason codes a Decision carries; a denial's code is what the API
// answers, so it names the rule and never data.
const (
	CodeAllowed          = "allowed"
	CodeBreakGlass       = "break_glass"
	CodeRole             = "role_not_permitted"
	CodeNotMember        = "not_a_member"
	CodeNoGrant          = "no_covering_grant"
	CodeNoItem           = "no_owned_work_item"
	CodePracticeInactive = "practice_not_active"
	// CodeNoPractice denies a resource in a practice that does not exist;
	// the guard answers it as 404.
	CodeNoPractice = "practice_not_found"
)

// Decision is the answer to one request, with the rule and the grant behind it.
type Decision struct {
	Allow  bool
	Code   string
	Reason string // a sentence for people; never PHI
	// GrantID, Kind and WorkItemID say under what an agent read was allowed.
	GrantID    string
	Kind       policy.Kind
	WorkItemID string
	// BreakGlassID is set when an open break-glass session allowed it.
	BreakGlassID string
	// Fields are the patient fields the principal may see (ReadPatient).
	Fields  []string
	Purpose string
	// AuditScope says whose audit events an allowed ReadAudit lets the
	// principal read, so no reader of the trail decides it again.
	AuditScope AuditScope
}

// AuditScope is whose audit events a principal may read.
type AuditScope struct {
	// All is every practice's events and those tied to no practice:
	// compliance's view.
	All bool
	// Practices are otherwise the only practices whose events may be
	// read: the ones the principal administers, possibly none.
	Practices []string
}

// PracticeIDs is the scope as audit searches take it: nil for every
// practice, otherwise the practices named, never nil, so that an empty
// scope finds nothing rather than everything.
func (s AuditScope) PracticeIDs() []string {
	if s.All {
		return nil
	}
	if s.Practices == nil {
		return []string{}
	}
	return s.Practices
}

// BreakGlass reports whether the decision rests on a break-glass session.
func (d Decision) BreakGlass() bool { return d.BreakGlassID != "" }

func deny(code, reason string) Decision { return Decision{Code: code, Reason: reason} }

func allow(reason string) Decision { return Decision{Allow: true, Code: CodeAllowed, Reason: reason} }

// Clock is how the package reads the time; tests inject one.
type Clock func() time.Time
