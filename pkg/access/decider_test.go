package access_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/stretchr/testify/require"
)

// facts is a fact source that answers from fields and notes what it was
// asked, failing where fail names the question.
type facts struct {
	status string
	grants []access.GrantFact
	items  []access.OwnedItem
	asked  []string
	fail   string
}

func (f *facts) answer(what string) error {
	f.asked = append(f.asked, what)
	if what == f.fail {
		return errors.New("database down")
	}
	return nil
}

func (f *facts) Practice(context.Context, string) (access.PracticeFacts, error) {
	return access.PracticeFacts{Status: f.status}, f.answer("practice")
}

func (f *facts) GrantsFor(context.Context, string, string) ([]access.GrantFact, error) {
	return f.grants, f.answer("grants")
}

func (f *facts) OwnedItems(context.Context, string, string, string) ([]access.OwnedItem, error) {
	return f.items, f.answer("items")
}

func (f *facts) BreakGlassFor(context.Context, string, string, string) ([]access.BreakGlassFact, error) {
	return nil, f.answer("break-glass")
}

// The decision point reads only what the action needs, evaluates it at
// its clock, and fails (never allows) when a fact cannot be read.
func TestDeciderReadsWhatTheActionNeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := identity.Principal{UserID: "u-pa", Roles: []identity.Role{identity.PracticeAdmin},
		Memberships: []identity.Membership{{PracticeID: "pA", Role: identity.PracticeAdmin}}}
	comp := identity.Principal{UserID: "u-comp", Roles: []identity.Role{identity.Compliance}}
	patient := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	cases := []struct {
		name  string
		p     identity.Principal
		a     access.Action
		r     access.Resource
		asked []string
		code  string
	}{
		{"an agent's patient read", agent, access.ReadPatient, patient, []string{"practice", "break-glass", "grants", "items"}, access.CodeAllowed},
		{"an admin's patient read", admin, access.ReadPatient, patient, []string{"practice", "break-glass"}, access.CodeAllowed},
		{"compliance's patient read", comp, access.ReadPatient, patient, []string{"practice", "break-glass"}, access.CodeRole},
		{"a practice's settings", admin, access.ReadPractice, access.Resource{PracticeID: "pA"}, []string{"practice"}, access.CodeAllowed},
		{"the audit trail of a practice", admin, access.ReadAudit, access.Resource{PracticeID: "pA"}, nil, access.CodeAllowed},
		{"one's own queue", agent, access.WorkOwnQueue, access.Resource{}, nil, access.CodeAllowed},
	}
	for _, c := range cases {
		f := &facts{status: "active", grants: []access.GrantFact{grant(policy.Recare)},
			items: []access.OwnedItem{{ID: "w1", PatientID: "pt1", Kind: policy.Recare}}}
		d, err := access.NewDecider(f, access.DeciderConfig{Now: func() time.Time { return t0 }}).Decide(ctx, c.p, c.a, c.r)
		require.NoError(t, err, c.name)
		require.Equal(t, c.code, d.Code, c.name)
		require.Equal(t, c.asked, f.asked, c.name)

		for _, what := range c.asked {
			f := &facts{status: "active", fail: what}
			d, err := access.NewDecider(f, access.DeciderConfig{Now: func() time.Time { return t0 }}).Decide(ctx, c.p, c.a, c.r)
			require.Error(t, err, "%s when %s cannot be read", c.name, what)
			require.False(t, d.Allow, c.name)
		}
	}

	// A practice that does not exist is not asked about further.
	f := &facts{}
	d, err := access.NewDecider(f, access.DeciderConfig{}).Decide(ctx, agent, access.ReadPatient, patient)
	require.NoError(t, err)
	require.Equal(t, access.CodeNoPractice, d.Code)
	require.True(t, slices.Equal([]string{"practice"}, f.asked), "asked %v", f.asked)
}

// together is a fact source that reads a patient's uncached facts in one
// call.
type together struct{ *facts }

func (f together) PatientFacts(_ context.Context, _, _, _ string, items bool) ([]access.BreakGlassFact, []access.OwnedItem, error) {
	if !items {
		return nil, nil, f.answer("break-glass")
	}
	return nil, f.items, f.answer("break-glass+items")
}

// A source that reads a patient's break-glass sessions and owned items
// together is asked once for both, and only for the items an agent
// needs; the decision is the same, and fails closed when the call fails.
func TestDeciderAsksOnceForAPatientsFacts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := identity.Principal{UserID: "u-pa", Roles: []identity.Role{identity.PracticeAdmin},
		Memberships: []identity.Membership{{PracticeID: "pA", Role: identity.PracticeAdmin}}}
	patient := access.Resource{PracticeID: "pA", PatientID: "pt1"}
	for _, c := range []struct {
		name  string
		p     identity.Principal
		asked []string
	}{
		{"an agent's patient read", agent, []string{"practice", "break-glass+items", "grants"}},
		{"an admin's patient read", admin, []string{"practice", "break-glass"}},
	} {
		f := &facts{status: "active", grants: []access.GrantFact{grant(policy.Recare)},
			items: []access.OwnedItem{{ID: "w1", PatientID: "pt1", Kind: policy.Recare}}}
		d, err := access.NewDecider(together{f}, access.DeciderConfig{Now: func() time.Time { return t0 }}).Decide(ctx, c.p, access.ReadPatient, patient)
		require.NoError(t, err, c.name)
		require.Equal(t, access.CodeAllowed, d.Code, c.name)
		require.Equal(t, c.asked, f.asked, c.name)

		failing := &facts{status: "active", fail: c.asked[1]}
		d, err = access.NewDecider(together{failing}, access.DeciderConfig{Now: func() time.Time { return t0 }}).Decide(ctx, c.p, access.ReadPatient, patient)
		require.Error(t, err, c.name)
		require.False(t, d.Allow, c.name)
	}
}
