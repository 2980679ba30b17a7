package identity_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/stretchr/testify/require"
)

// What becomes of an invitation at sign-in, for each kind of signer.
func TestSettle(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	open := identity.Invitation{ID: "inv-1", PracticeID: "p1", Role: identity.PracticeAdmin, State: identity.InvitationOpen}
	confirmed := open
	confirmed.State = identity.InvitationConfirmed
	for _, tc := range []struct {
		name    string
		roles   []identity.Role
		c       identity.Candidate
		state   identity.InvitationState
		outcome audit.Outcome
		code    string
	}{
		{"an ordinary invitee", nil, identity.Candidate{Invitation: open}, identity.InvitationAccepted, audit.OutcomeAllow, ""},
		{"an agent", []identity.Role{identity.Agent}, identity.Candidate{Invitation: open}, identity.InvitationAccepted, audit.OutcomeAllow, ""},
		{"a platform admin", []identity.Role{identity.PlatformAdmin}, identity.Candidate{Invitation: open}, identity.InvitationAwaiting, audit.OutcomeDeny, identity.CodeNeedsConfirmation},
		{"a compliance officer", []identity.Role{identity.Agent, identity.Compliance}, identity.Candidate{Invitation: open}, identity.InvitationAwaiting, audit.OutcomeDeny, identity.CodeNeedsConfirmation},
		{"a platform admin, confirmed by another", []identity.Role{identity.PlatformAdmin}, identity.Candidate{Invitation: confirmed}, identity.InvitationAccepted, audit.OutcomeAllow, ""},
		{"the inviter", nil, identity.Candidate{Invitation: open, ByInviter: true}, identity.InvitationRefused, audit.OutcomeDeny, identity.CodeSelfInvitation},
		{"the inviter, confirmed", nil, identity.Candidate{Invitation: confirmed, ByInviter: true}, identity.InvitationRefused, audit.OutcomeDeny, identity.CodeSelfInvitation},
		{"the confirmer", []identity.Role{identity.PlatformAdmin}, identity.Candidate{Invitation: confirmed, ByConfirmer: true}, identity.InvitationRefused, audit.OutcomeDeny, identity.CodeSelfApproval},
	} {
		in := identity.SignIn{Identity: identity.Identity{Issuer: "iss", Subject: "sub"}, Roles: tc.roles, At: at}
		state, ev := identity.Settle(in, tc.c)
		require.Equal(t, tc.state, state, tc.name)
		require.Equal(t, tc.outcome, ev.Outcome, tc.name)
		require.Equal(t, audit.ActionInvitationAccept, ev.Action, tc.name)
		require.Equal(t, "p1", ev.PracticeID, tc.name)
		require.Contains(t, ev.Reason, "inv-1", tc.name)
		require.True(t, tc.code == "" || strings.Contains(ev.Reason, tc.code), tc.name)
		require.NoError(t, ev.Validate(), tc.name)
	}
}

func TestRolesRoundTrip(t *testing.T) {
	t.Parallel()
	roles := []identity.Role{identity.PlatformAdmin, identity.Agent}
	require.Equal(t, "agent platform_admin", identity.EncodeRoles(roles))
	require.Equal(t, []identity.Role{identity.Agent, identity.PlatformAdmin}, identity.DecodeRoles("agent platform_admin nonsense"))
	require.True(t, identity.Privileged(roles))
	require.False(t, identity.Privileged([]identity.Role{identity.PracticeAdmin, identity.BillingManager}))
}
