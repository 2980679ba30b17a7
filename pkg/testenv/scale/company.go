package scale

import (
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
)

// Issuer is the identity provider every synthetic person signed in with.
const Issuer = "https://idp.example.test"

// day is a calendar day, for the company's dates.
const day = 24 * time.Hour

// Company is a synthetic billing company of one size, made as of Now. Its
// contents are a pure function of its size and clock: the loader writes
// them, and a benchmark asks the same functions which agent, patient or
// practice to use.
type Company struct {
	Size Size
	Now  time.Time
}

// New describes the company of size s as of now.
func New(s Size, now time.Time) *Company {
	return &Company{Size: s, Now: now.UTC().Truncate(time.Microsecond)}
}

// PracticeID is the id of practice p (0 ≤ p < Practices).
func (c *Company) PracticeID(p int) string { return id(tagPractice, p) }

// PatientID is the id of patient j (0 ≤ j < PatientsPerPractice) of practice p.
func (c *Company) PatientID(p, j int) string { return id(tagPatient, p*c.Size.PatientsPerPractice()+j) }

// ItemID is the id of work item k (0 ≤ k < ItemsPerPractice) of practice p.
func (c *Company) ItemID(p, k int) string { return id(tagItem, p*c.Size.ItemsPerPractice()+k) }

// TeamOf is the team that serves practice p.
func (c *Company) TeamOf(p int) int { return p % c.Size.Teams }

// TeamAgents lists the agents of team t.
func (c *Company) TeamAgents(t int) []int {
	var out []int
	for a := t; a < c.Size.Agents; a += c.Size.Teams {
		out = append(out, a)
	}
	return out
}

// TeamPractices lists the practices team t serves.
func (c *Company) TeamPractices(t int) []int {
	var out []int
	for p := t; p < c.Size.Practices; p += c.Size.Teams {
		out = append(out, p)
	}
	return out
}

// People of the company: agents, billing managers, one compliance officer
// and one admin per practice. Each is a user id and the subject its
// provider gave it.
const (
	userAgent      = 0
	userManager    = 1_000_000
	userCompliance = 2_000_000
	userAdmin      = 3_000_000
)

// Managers is how many billing managers the company has.
func (c *Company) Managers() int { return max(1, c.Size.Agents/30) }

// AgentID is the user id of agent a (0 ≤ a < Agents).
func (c *Company) AgentID(a int) string { return id(tagUser, userAgent+a) }

// AgentSubject is agent a's subject at the identity provider.
func (c *Company) AgentSubject(a int) string { return fmt.Sprintf("agent-%05d", a) }

// ManagerID is the user id of billing manager m.
func (c *Company) ManagerID(m int) string { return id(tagUser, userManager+m) }

// ManagerSubject is billing manager m's subject.
func (c *Company) ManagerSubject(m int) string { return fmt.Sprintf("manager-%03d", m) }

// ComplianceID is the compliance officer's user id.
func (c *Company) ComplianceID() string { return id(tagUser, userCompliance) }

// ComplianceSubject is the compliance officer's subject.
func (c *Company) ComplianceSubject() string { return "compliance-001" }

// AdminID is the user id of practice p's admin.
func (c *Company) AdminID(p int) string { return id(tagUser, userAdmin+p) }

// AdminSubject is practice p's admin's subject.
func (c *Company) AdminSubject(p int) string { return fmt.Sprintf("admin-%05d", p) }

// TeamID is the id of team t.
func (c *Company) TeamID(t int) string { return id(tagTeam, t) }

// GrantID is the id of the grant practice p gave its team.
func (c *Company) GrantID(p int) string { return id(tagGrant, p) }

// AuditSpan is the time the audit trail covers: the year before Now.
func (c *Company) AuditSpan() (from, to time.Time) {
	return c.Now.Add(-365 * day), c.Now.Add(-time.Hour)
}

// Item is the plan of one work item.
type Item struct {
	Practice, Index, Patient int
	Kind                     policy.Kind
	Subject                  work.SubjectType
	State                    work.State
	Owner                    int  // agent index; -1 when nobody owns it
	Lost                     bool // open, and the queues lost its routing: the reconciler's to find
}

// Unfinished reports whether someone still has to work the item.
func (it Item) Unfinished() bool { return it.State != work.Resolved && it.State != work.Closed }

// Item returns the plan of item k of practice p. Patients have two items
// each on average, over a year; only the newest round may be unfinished,
// so no record has two unfinished items of a kind. About 7.5% of items
// are unfinished: a fifth of those open (unrouted), a quarter assigned,
// the rest waiting for their next contact date.
func (c *Company) Item(p, k int) Item {
	l, m := c.Size.PatientsPerPractice(), c.Size.ItemsPerPractice()
	it := Item{Practice: p, Index: k, Patient: k % l, Owner: -1}
	switch r := pick(100, p, k, 1); {
	case r < 35:
		it.Kind, it.Subject = policy.ClaimFollowup, work.SubjectClaim
	case r < 65:
		it.Kind, it.Subject = policy.BalanceFollowup, work.SubjectBalance
	case r < 90:
		it.Kind, it.Subject = policy.Recare, work.SubjectRecall
	default:
		it.Kind, it.Subject = policy.TreatmentFollowup, work.SubjectTreatment
	}
	if it.Kind == policy.TreatmentFollowup && !hasTreatment(it.Patient) {
		it.Kind, it.Subject = policy.ClaimFollowup, work.SubjectClaim
	}
	newest := k/l == (m-1)/l
	switch {
	case newest && pick(1000, p, k, 2) < 150:
		switch r := pick(100, p, k, 3); {
		case r < 20:
			it.State = work.Open
			it.Lost = pick(60, p, k, 5) == 0
		case r < 45:
			it.State = work.Assigned
		default:
			it.State = work.Waiting
		}
	case pick(100, p, k, 4) < 65:
		it.State = work.Resolved
	default:
		it.State = work.Closed
	}
	if it.State != work.Open {
		agents := c.TeamAgents(c.TeamOf(p))
		it.Owner = agents[pick(len(agents), p, k, 6)]
	}
	return it
}

// hasTreatment reports whether patient j has a treatment plan: one in four.
func hasTreatment(j int) bool { return j%4 == 0 }

// NeedsWork reports whether patient j's record of kind (in practice p)
// calls for follow-up now: those with an unfinished item, and a few new
// ones that the next daily generation turns into items.
func (c *Company) NeedsWork(p, j int, kind policy.Kind) bool {
	l, m := c.Size.PatientsPerPractice(), c.Size.ItemsPerPractice()
	if k := (m-1)/l*l + j; k < m {
		if it := c.Item(p, k); it.Unfinished() && it.Kind == kind {
			return true
		}
	}
	return pick(1000, p, j, kindNo(kind), 7) < 5
}
