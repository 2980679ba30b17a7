package scale

import (
	"encoding/json"
	"fmt"
	"iter"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
)

// table is one COPY: a table, its columns and its rows.
type table struct {
	name string
	cols []string
	rows iter.Seq[[]any]
}

// count yields n rows made by row.
func count(n int, row func(i int) []any) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for i := range n {
			if !yield(row(i)) {
				return
			}
		}
	}
}

// jsonList encodes a list of names.
func jsonList[T ~string](xs []T) string {
	b, _ := json.Marshal(xs) // a list of strings always encodes
	return string(b)
}

// peopleTables are the practices, the people and who may work for whom:
// every practice is active with a signed BAA and grants its team every
// kind of work with the field groups those kinds need.
func (c *Company) peopleTables() []table {
	created := c.Now.Add(-400 * day)
	s := c.Size
	practices := table{"practices", []string{"id", "name", "npi", "timezone", "status", "version", "created_at", "updated_at",
		"provisioned_at", "baa_signer_name", "baa_signer_title", "baa_signed_on", "baa_document_sha256", "baa_recorded_by",
		"baa_recorded_at", "status_changed_at"}, count(s.Practices, func(p int) []any {
		return []any{c.PracticeID(p), practiceName(p), npi(p), timezones[pick(len(timezones), p, 3)], "active", int32(3), created, created,
			created, "Office Manager", "Office Manager", created.Format(time.DateOnly), fmt.Sprintf("%064x", mix(uint64(p))),
			c.AdminID(p), created, created}
	})}
	type person struct{ id, subject, name, roles string }
	var people []person
	for a := range s.Agents {
		people = append(people, person{c.AgentID(a), c.AgentSubject(a), name(a, 91), "agent"})
	}
	for m := range c.Managers() {
		people = append(people, person{c.ManagerID(m), c.ManagerSubject(m), name(m, 92), "billing_manager"})
	}
	people = append(people, person{c.ComplianceID(), c.ComplianceSubject(), name(0, 93), "compliance"})
	for p := range s.Practices {
		people = append(people, person{c.AdminID(p), c.AdminSubject(p), name(p, 94), "practice_admin"})
	}
	users := table{"users", []string{"id", "issuer", "subject", "name", "email", "created_at", "last_seen_at", "email_verified", "roles"},
		count(len(people), func(i int) []any {
			u := people[i]
			return []any{u.id, Issuer, u.subject, u.name, u.subject + "@example.com", created, c.Now.Add(-time.Hour), true, u.roles}
		})}
	kinds := jsonList(policy.Kinds)
	agents := table{"agents", []string{"user_id", "display_name", "active", "created_at", "updated_at", "kinds", "payers", "languages",
		"capacity", "timezone", "hours", "presence", "presence_at"}, count(s.Agents, func(a int) []any {
		// Capacity leaves room for the routings the reconciler restores.
		return []any{c.AgentID(a), name(a, 91), true, created, created, kinds, "[]", `["en"]`, int32(1000),
			timezones[pick(len(timezones), a, 4)], "", "available", c.Now.Add(-10 * time.Minute)}
	})}
	teams := table{"teams", []string{"id", "name", "created_at"}, count(s.Teams, func(t int) []any {
		return []any{c.TeamID(t), fmt.Sprintf("Billing pod %d", t+1), created}
	})}
	members := table{"team_members", []string{"team_id", "user_id", "added_at"}, count(s.Agents, func(a int) []any {
		return []any{c.TeamID(a % s.Teams), c.AgentID(a), created}
	})}
	groups := jsonList(access.GroupsFor(policy.Kinds))
	grants := table{"grants", []string{"id", "practice_id", "grantee_type", "grantee_id", "kinds", "field_groups", "purpose", "reason",
		"granted_by", "valid_from", "valid_until", "review_due_at", "created_at", "version"}, count(s.Practices, func(p int) []any {
		return []any{c.GrantID(p), c.PracticeID(p), "team", c.TeamID(c.TeamOf(p)), kinds, groups, "payment", "billing services agreement",
			c.AdminID(p), created, c.Now.Add(365 * day), c.Now.Add(90 * day), created, int32(1)}
	})}
	memberships := table{"practice_memberships", []string{"practice_id", "user_id", "role", "created_at"}, count(s.Practices, func(p int) []any {
		return []any{c.PracticeID(p), c.AdminID(p), "practice_admin", created}
	})}
	return []table{practices, users, agents, teams, members, grants, memberships}
}

// name is a made-up person's name.
func name(n, salt int) string {
	return firstNames[pick(len(firstNames), n, salt)] + " " + lastNames[pick(len(lastNames), n, salt, 1)]
}
