package access_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func grant(kinds ...policy.Kind) access.GrantFact {
	return access.GrantFact{ID: "g1", PracticeID: "pA", Kinds: kinds, FieldGroups: access.Groups,
		ValidFrom: t0.Add(-time.Hour), ValidUntil: t0.AddDate(0, 0, 90), ReviewDueAt: t0.AddDate(0, 0, 30)}
}

var agent = identity.Principal{UserID: "u-agent", Roles: []identity.Role{identity.Agent}}

func TestAgentReadNeedsGrantAndOwnedItem(t *testing.T) {
	t.Parallel()
	item := access.OwnedItem{ID: "w1", PatientID: "pt1", Kind: policy.BalanceFollowup}
	res := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	revoked := grant(policy.BalanceFollowup)
	revoked.Revoked = true
	cases := []struct {
		name string
		now  time.Time
		res  access.Resource
		f    access.Facts
		code string
	}{
		{"grant and item", t0, res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup)}, Items: []access.OwnedItem{item}}, access.CodeAllowed},
		{"no grant", t0, res, access.Facts{PracticeStatus: "active", Items: []access.OwnedItem{item}}, access.CodeNoGrant},
		{"grant for another kind", t0, res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.Recare)}, Items: []access.OwnedItem{item}}, access.CodeNoGrant},
		{"no item", t0, res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup)}}, access.CodeNoItem},
		{"item of another patient", t0, access.Resource{PracticeID: "pA", PatientID: "pt2"}, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup)}, Items: []access.OwnedItem{item}}, access.CodeNoItem},
		{"revoked", t0, res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{revoked}, Items: []access.OwnedItem{item}}, access.CodeNoGrant},
		{"expired", t0.AddDate(0, 0, 91), res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup)}, Items: []access.OwnedItem{item}}, access.CodeNoGrant},
		{"review lapsed", t0.AddDate(0, 0, 30), res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup)}, Items: []access.OwnedItem{item}}, access.CodeNoGrant},
		{"grant of another practice", t0, res, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{func() access.GrantFact { g := grant(policy.BalanceFollowup); g.PracticeID = "pB"; return g }()}, Items: []access.OwnedItem{item}}, access.CodeNoGrant},
		{"suspended", t0, res, access.Facts{PracticeStatus: "suspended", Grants: []access.GrantFact{grant(policy.BalanceFollowup)}, Items: []access.OwnedItem{item}}, access.CodePracticeInactive},
		{"kind asked differs", t0, access.Resource{PracticeID: "pA", PatientID: "pt1", Kind: policy.Recare}, access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup, policy.Recare)}, Items: []access.OwnedItem{item}}, access.CodeNoItem},
	}
	for _, c := range cases {
		d := access.Evaluate(c.now, agent, access.ReadPatient, c.res, c.f)
		require.Equal(t, c.code, d.Code, c.name)
		require.Equal(t, c.code == access.CodeAllowed, d.Allow, c.name)
		if d.Allow {
			require.Equal(t, "g1", d.GrantID, c.name)
			require.Equal(t, "w1", d.WorkItemID, c.name)
			require.Equal(t, policy.BalanceFollowup, d.Kind, c.name)
		}
	}
}

func TestBreakGlassAndRoles(t *testing.T) {
	t.Parallel()
	res := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	comp := identity.Principal{UserID: "u-comp", Roles: []identity.Role{identity.Compliance}}
	bg := access.BreakGlassFact{ID: "bg1", PracticeID: "pA", PatientID: "pt1", UserID: "u-comp", ExpiresAt: t0.Add(15 * time.Minute)}
	active := access.Facts{PracticeStatus: "active"}

	require.Equal(t, access.CodeRole, access.Evaluate(t0, comp, access.ReadPatient, res, active).Code, "compliance reads PHI only by break-glass")
	withBG := access.Facts{PracticeStatus: "active", BreakGlass: []access.BreakGlassFact{bg}}
	d := access.Evaluate(t0, comp, access.ReadPatient, res, withBG)
	require.True(t, d.Allow)
	require.True(t, d.BreakGlass())
	require.Equal(t, access.AllFields(), d.Fields)
	require.False(t, access.Evaluate(t0.Add(15*time.Minute), comp, access.ReadPatient, res, withBG).Allow, "break-glass is time-boxed")
	other := bg
	other.UserID = "u-else"
	require.False(t, access.Evaluate(t0, comp, access.ReadPatient, res, access.Facts{PracticeStatus: "active", BreakGlass: []access.BreakGlassFact{other}}).Allow)

	admin := identity.Principal{UserID: "u-pa", Roles: []identity.Role{identity.PracticeAdmin}, Memberships: []identity.Membership{{PracticeID: "pA", Role: identity.PracticeAdmin}}}
	require.True(t, access.Evaluate(t0, admin, access.ReadPatient, res, active).Allow)
	require.Equal(t, access.CodeRole, access.Evaluate(t0, admin, access.ReadPatient, access.Resource{PracticeID: "pB", PatientID: "x"}, active).Code)
	require.Equal(t, access.CodePracticeInactive, access.Evaluate(t0, admin, access.ReadPatient, res, access.Facts{PracticeStatus: "offboarded"}).Code)
	require.True(t, access.Evaluate(t0, admin, access.ReadAudit, access.Resource{PracticeID: "pA"}, access.Facts{PracticeStatus: "offboarded"}).Allow, "audit stays readable")
	require.True(t, access.Evaluate(t0, admin, access.ReadPractice, access.Resource{PracticeID: "pA"}, access.Facts{PracticeStatus: "suspended"}).Allow)
	require.Equal(t, access.CodePracticeInactive, access.Evaluate(t0, admin, access.ManageGrants, access.Resource{PracticeID: "pA"}, access.Facts{PracticeStatus: "suspended"}).Code)

	platform := identity.Principal{UserID: "u-root", Roles: []identity.Role{identity.PlatformAdmin}}
	require.False(t, access.Evaluate(t0, platform, access.ReadPatient, res, active).Allow, "platform admins read no PHI")
	require.False(t, access.Evaluate(t0, platform, access.ManageGrants, access.Resource{PracticeID: "pA"}, active).Allow, "practices decide who sees their patients")
	require.True(t, access.Evaluate(t0, platform, access.AdministerPractice, access.Resource{PracticeID: "pA"}, active).Allow)
	manager := identity.Principal{UserID: "u-bm", Roles: []identity.Role{identity.BillingManager}}
	require.False(t, access.Evaluate(t0, manager, access.ReadPatient, res, active).Allow, "billing managers read no PHI")
	require.True(t, access.Evaluate(t0, manager, access.RequestAccess, access.Resource{PracticeID: "pA"}, active).Allow)
}

// A full record projected through each kind's decision holds exactly that
// kind's fields: the minimum-necessary table in the docs.
func TestFieldSetsProjectExactly(t *testing.T) {
	t.Parallel()
	rec := access.Record{
		ID:         "pt1",
		Patient:    records.Patient{FirstName: "Ana", LastName: "Lee", Phone: "+15125550123", GuarantorName: "Bo Lee", TextConsent: true},
		Balance:    &records.Balance{ExternalID: "A1", TotalCents: 12000},
		Claims:     []records.Claim{{ExternalID: "C1", PayerName: "Delta", SubscriberID: "XQZ1"}},
		Recalls:    []records.Recall{{ExternalID: "R1", RecallType: "prophy"}},
		Treatments: []records.TreatmentPlan{{ExternalID: "T1", Summary: "crown"}},
		Benefits:   &records.Benefits{PayerName: "Delta", Coverage: "active", Lines: []string{"Annual maximum $1,500, $1,150 left"}},
	}
	want := map[policy.Kind][]string{
		policy.ClaimFollowup:     {"patient_id", "chart_number", "first_name", "last_name", "date_of_birth", "claims", "insurance", "benefits"},
		policy.BalanceFollowup:   {"patient_id", "chart_number", "first_name", "last_name", "date_of_birth", "phone", "email", "address", "preferred_channel", "text_consent", "do_not_contact", "guarantor_name", "balance", "benefits"},
		policy.Recare:            {"patient_id", "chart_number", "first_name", "last_name", "date_of_birth", "phone", "email", "address", "preferred_channel", "text_consent", "do_not_contact", "recalls", "benefits"},
		policy.TreatmentFollowup: {"patient_id", "chart_number", "first_name", "last_name", "date_of_birth", "phone", "email", "address", "preferred_channel", "text_consent", "do_not_contact", "treatment_plans", "benefits"},
		policy.EligibilityCheck:  {"patient_id", "chart_number", "first_name", "last_name", "date_of_birth", "insurance", "benefits"},
	}
	require.Len(t, want, len(policy.Kinds))
	for _, k := range policy.Kinds {
		f := access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(k)}, Items: []access.OwnedItem{{ID: "w", PatientID: "pt1", Kind: k}}}
		d := access.Evaluate(t0, agent, access.ReadPatient, access.Resource{PracticeID: "pA", PatientID: "pt1", Kind: k}, f)
		require.True(t, d.Allow, k)
		out := access.Project(rec, d.Fields)
		got := slices.Sorted(maps.Keys(out))
		require.Equal(t, slices.Sorted(slices.Values(want[k])), got, k)
		raw, err := json.Marshal(out)
		require.NoError(t, err)
		if !slices.Contains(want[k], "phone") {
			require.NotContains(t, string(raw), "+15125550123", "%s must not carry the phone", k)
		}
		if !slices.Contains(want[k], "insurance") {
			require.NotContains(t, string(raw), "XQZ1", "%s must not carry subscriber ids", k)
		}
	}
	// A grant narrower than the kind narrows the fields.
	g := grant(policy.BalanceFollowup)
	g.FieldGroups = []access.FieldGroup{access.GroupIdentity, access.GroupBalance}
	d := access.Evaluate(t0, agent, access.ReadPatient, access.Resource{PracticeID: "pA", PatientID: "pt1"},
		access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{g}, Items: []access.OwnedItem{{ID: "w", PatientID: "pt1", Kind: policy.BalanceFollowup}}})
	require.Equal(t, []string{"patient_id", "chart_number", "first_name", "last_name", "date_of_birth", "balance"}, d.Fields)
}

// A decision to read the audit trail says whose events: compliance every
// practice's, a practice admin the practices it administers (whichever
// one the request named), anyone else none, since it is refused.
func TestAuditScope(t *testing.T) {
	t.Parallel()
	comp := identity.Principal{UserID: "u-comp", Roles: []identity.Role{identity.Compliance}}
	admin := identity.Principal{UserID: "u-pa", Roles: []identity.Role{identity.PracticeAdmin}, Memberships: []identity.Membership{
		{PracticeID: "pA", Role: identity.PracticeAdmin}, {PracticeID: "pX", Role: identity.Agent}, {PracticeID: "pB", Role: identity.PracticeAdmin}}}
	onlyOther := identity.Principal{UserID: "u-x", Memberships: []identity.Membership{{PracticeID: "pX", Role: identity.Agent}}}
	cases := []struct {
		name  string
		p     identity.Principal
		r     access.Resource
		allow bool
		scope access.AuditScope
		ids   []string
	}{
		{"compliance", comp, access.Resource{}, true, access.AuditScope{All: true}, nil},
		{"compliance, one practice", comp, access.Resource{PracticeID: "pA"}, true, access.AuditScope{All: true}, nil},
		{"an admin", admin, access.Resource{}, true, access.AuditScope{Practices: []string{"pA", "pB"}}, []string{"pA", "pB"}},
		{"an admin, its practice", admin, access.Resource{PracticeID: "pB"}, true, access.AuditScope{Practices: []string{"pA", "pB"}}, []string{"pA", "pB"}},
		{"a member who administers nothing", onlyOther, access.Resource{}, true, access.AuditScope{Practices: []string{}}, []string{}},
		{"an agent", agent, access.Resource{}, false, access.AuditScope{}, []string{}},
	}
	for _, c := range cases {
		d := access.Evaluate(t0, c.p, access.ReadAudit, c.r, access.Facts{})
		require.Equal(t, c.allow, d.Allow, c.name)
		require.Equal(t, c.scope, d.AuditScope, c.name)
		require.Equal(t, c.ids, d.AuditScope.PracticeIDs(), c.name)
	}
}
