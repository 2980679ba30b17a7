package grant_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/stretchr/testify/require"
)

func TestScopeValidation(t *testing.T) {
	t.Parallel()
	w := grant.DefaultWindows
	ok, err := grant.Scope{Kinds: []policy.Kind{policy.Recare, policy.Recare}, Reason: "recare outreach for spring"}.Normalize(w)
	require.NoError(t, err)
	require.Equal(t, []policy.Kind{policy.Recare}, ok.Kinds)
	require.Equal(t, []access.FieldGroup{access.GroupIdentity, access.GroupContact, access.GroupBenefits, access.GroupRecalls}, ok.FieldGroups)
	require.Equal(t, 90, ok.Days)
	cases := map[string]grant.Scope{
		"kinds":           {Reason: "long enough reason"},
		"kinds[1]":        {Kinds: []policy.Kind{policy.Recare, "dentistry"}, Reason: "long enough reason"},
		"field_groups[0]": {Kinds: []policy.Kind{policy.Recare}, FieldGroups: []access.FieldGroup{"clinical"}, Reason: "long enough reason"},
		"field_groups[1]": {Kinds: []policy.Kind{policy.Recare}, FieldGroups: []access.FieldGroup{access.GroupIdentity, access.GroupClaims}, Reason: "long enough reason"},
		"field_groups":    {Kinds: []policy.Kind{policy.Recare}, FieldGroups: []access.FieldGroup{access.GroupContact}, Reason: "long enough reason"},
		"days":            {Kinds: []policy.Kind{policy.Recare}, Days: 366, Reason: "long enough reason"},
		"reason":          {Kinds: []policy.Kind{policy.Recare}, Reason: " short "},
	}
	for field, sc := range cases {
		_, err := sc.Normalize(w)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae, field)
		require.Equal(t, field, ae.Field)
	}
}

// A grant's state and the access policy's view of it agree at every
// moment that matters: the grant is active exactly when a decision finds
// it working, and then it covers its kinds and no others. The moments
// are each boundary and either side of it, for a grant re-certified in
// time and one whose review falls after it ends.
func TestStateAgreesWithTheDecision(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	base := grant.Grant{ID: "g1", PracticeID: "pA", Kinds: []policy.Kind{policy.Recare},
		FieldGroups: []access.FieldGroup{access.GroupIdentity}, ValidFrom: from,
		ValidUntil: from.AddDate(0, 0, 90), ReviewDueAt: from.AddDate(0, 0, 30)}
	late := base
	late.ReviewDueAt = base.ValidUntil.Add(time.Hour)
	revoked := base
	revoked.RevokedAt = &from
	seen := map[grant.State]bool{}
	for _, g := range []grant.Grant{base, late, revoked} {
		var moments []time.Time
		for _, b := range []time.Time{g.ValidFrom, g.ValidUntil, g.ReviewDueAt} {
			moments = append(moments, b.Add(-time.Microsecond), b, b.Add(time.Microsecond))
		}
		for _, now := range moments {
			st := g.State(now)
			seen[st] = true
			require.Equal(t, st == grant.Active, g.Fact().Works(now), "%s at %s", st, now)
			require.Equal(t, st == grant.Active, g.Covers(policy.Recare, now), "%s at %s", st, now)
			require.False(t, g.Covers(policy.BalanceFollowup, now), "a kind the grant does not name")
		}
	}
	require.Len(t, seen, 5, "every state was reached: %v", seen)
}
