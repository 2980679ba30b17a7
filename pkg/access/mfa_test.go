package access_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/stretchr/testify/require"
)

func TestParseMFARule(t *testing.T) {
	t.Parallel()
	r, err := access.ParseMFARule("")
	require.NoError(t, err)
	require.False(t, r.Set())
	r, err = access.ParseMFARule(" ALL ")
	require.NoError(t, err)
	require.True(t, r.All)
	r, err = access.ParseMFARule("agent, practice_admin,agent")
	require.NoError(t, err)
	require.Equal(t, []identity.Role{identity.Agent, identity.PracticeAdmin}, r.Roles)
	_, err = access.ParseMFARule("agent,wizard")
	require.ErrorContains(t, err, `"wizard" is not a role`)
}

func TestSecondFactorRequiredForPHI(t *testing.T) {
	t.Parallel()
	res := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	item := access.OwnedItem{ID: "w1", PatientID: "pt1", Kind: policy.BalanceFollowup}
	agentOnly := access.MFARule{Roles: []identity.Role{identity.Agent}}
	admin := identity.Principal{UserID: "u-pa", Roles: []identity.Role{identity.PracticeAdmin},
		Memberships: []identity.Membership{{PracticeID: "pA", Role: identity.PracticeAdmin}}}
	comp := identity.Principal{UserID: "u-comp", Roles: []identity.Role{identity.Compliance}}
	withMFA := func(p identity.Principal) identity.Principal { p.MFA = true; return p }
	bg := access.BreakGlassFact{ID: "bg1", PracticeID: "pA", PatientID: "pt1", UserID: "u-comp", ExpiresAt: t0.Add(15 * time.Minute)}

	agentFacts := func(rule access.MFARule, practice bool) access.Facts {
		return access.Facts{PracticeStatus: "active", Grants: []access.GrantFact{grant(policy.BalanceFollowup)},
			Items: []access.OwnedItem{item}, MFA: rule, PracticeRequiresMFA: practice}
	}
	cases := []struct {
		name   string
		p      identity.Principal
		action access.Action
		f      access.Facts
		code   string
	}{
		{"no rule", agent, access.ReadPatient, agentFacts(access.MFARule{}, false), access.CodeAllowed},
		{"agents must, agent without", agent, access.ReadPatient, agentFacts(agentOnly, false), access.CodeMFARequired},
		{"agents must, agent with", withMFA(agent), access.ReadPatient, agentFacts(agentOnly, false), access.CodeAllowed},
		{"agents must, admin without", admin, access.ReadPatient, access.Facts{PracticeStatus: "active", MFA: agentOnly}, access.CodeAllowed},
		{"all must, admin without", admin, access.ReadPatient, access.Facts{PracticeStatus: "active", MFA: access.MFARule{All: true}}, access.CodeMFARequired},
		{"practice must, admin without", admin, access.ReadPatient, access.Facts{PracticeStatus: "active", PracticeRequiresMFA: true}, access.CodeMFARequired},
		{"practice must, agent with", withMFA(agent), access.ReadPatient, agentFacts(access.MFARule{}, true), access.CodeAllowed},
		{"break-glass open needs it once any rule is set", comp, access.OpenBreakGlass, access.Facts{PracticeStatus: "active", MFA: agentOnly}, access.CodeMFARequired},
		{"break-glass open with it", withMFA(comp), access.OpenBreakGlass, access.Facts{PracticeStatus: "active", MFA: agentOnly}, access.CodeAllowed},
		{"break-glass open, no rule", comp, access.OpenBreakGlass, access.Facts{PracticeStatus: "active"}, access.CodeAllowed},
		{"break-glass read without it", comp, access.ReadPatient, access.Facts{PracticeStatus: "active", MFA: agentOnly, BreakGlass: []access.BreakGlassFact{bg}}, access.CodeMFARequired},
		{"break-glass read with it", withMFA(comp), access.ReadPatient, access.Facts{PracticeStatus: "active", MFA: agentOnly, BreakGlass: []access.BreakGlassFact{bg}}, access.CodeBreakGlass},
	}
	for _, c := range cases {
		d := access.Evaluate(t0, c.p, c.action, res, c.f)
		require.Equal(t, c.code, d.Code, c.name)
		if c.code == access.CodeMFARequired {
			require.False(t, d.Allow, c.name)
			require.Contains(t, d.Reason, "second factor", c.name)
		}
	}
}
