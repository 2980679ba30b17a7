package grantstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Nobody approves, re-certifies or reviews their own action, and a second
// account of the same person (the same verified email) is the same
// person. A break-glass review needs a note of substance and a
// disposition, both kept.
func TestNobodyReviewsTheirOwnAction(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
		f := setup(t, db, clk.Now())
		d, facts := decider(f, clk.Now)
		svc := newService(f, d, facts, clk.Now)
		roles, err := identity.ParseRoleMap("")
		require.NoError(t, err)
		ids := identity.NewService(identitystore.New(db, auditstore.New(db)), roles, clk.Now)
		// signIn signs an identity in with a verified email, as a token would.
		signIn := func(iss, sub, email string) string {
			p, err := ids.Principal(ctx, identity.Identity{Issuer: iss, Subject: sub, Email: email, EmailVerified: true})
			require.NoError(t, err)
			return p.UserID
		}
		member := []identity.Membership{{PracticeID: "pA", Role: identity.PracticeAdmin}}
		// penny administers the practice from two providers with one address.
		penny := identity.Principal{UserID: signIn("https://idp.test", "penny", "penny@example.com"), Subject: "penny",
			Roles: []identity.Role{identity.PracticeAdmin, identity.BillingManager}, Memberships: member}
		pennyElsewhere := identity.Principal{UserID: signIn("https://other.test", "penny-2", "PENNY@example.com"), Subject: "penny-2",
			Roles: []identity.Role{identity.PracticeAdmin}, Memberships: member}
		sc := grant.Scope{Kinds: []policy.Kind{policy.BalanceFollowup}, Days: 30, Reason: "new team takes over AR"}

		req, err := svc.RequestAccess(ctx, penny, ev(penny), "pA", f.teamID, sc)
		require.NoError(t, err)
		_, _, err = svc.DecideRequest(ctx, pennyElsewhere, ev(pennyElsewhere), req.ID, true, "")
		require.ErrorIs(t, err, grant.ErrSelfApproval, "penny's other account is still penny")
		got, err := svc.Request(ctx, req.ID)
		require.NoError(t, err)
		require.Equal(t, grant.RequestPending, got.State)
		_, g, err := svc.DecideRequest(ctx, f.admin, ev(f.admin), req.ID, true, "")
		require.NoError(t, err)
		require.Equal(t, f.admin.UserID, g.GrantedBy)

		// The approver gave the grant: someone else re-certifies it.
		_, err = svc.Recertify(ctx, f.admin, ev(f.admin), g.ID, g.Version)
		require.ErrorIs(t, err, grant.ErrSelfRecertification)
		own, err := svc.CreateGrant(ctx, penny, ev(penny), "pA", grant.GranteeTeam, f.teamID, sc)
		require.NoError(t, err)
		_, err = svc.Recertify(ctx, pennyElsewhere, ev(pennyElsewhere), own.ID, own.Version)
		require.ErrorIs(t, err, grant.ErrSelfRecertification, "nor by a second account")
		_, err = svc.Recertify(ctx, pennyElsewhere, ev(pennyElsewhere), g.ID, g.Version)
		require.ErrorIs(t, err, grant.ErrSelfRecertification, "penny asked for this one")
		_, err = svc.Recertify(ctx, f.admin2, ev(f.admin2), g.ID, g.Version)
		require.NoError(t, err, "neither asked for nor gave it")

		// Break-glass: alice opens; neither alice nor her other account
		// reviews it.
		alice := f.agent
		require.Equal(t, alice.UserID, signIn("https://idp.test", "alice", "alice@example.com"), "the agent's own sign-in")
		aliceElsewhere := identity.Principal{UserID: signIn("https://other.test", "alice-2", "alice@example.com"), Subject: "alice-2",
			Roles: []identity.Role{identity.Compliance}}
		b, err := svc.OpenBreakGlass(ctx, alice, ev(alice), f.patientID, "patient on the phone disputing a charge now")
		require.NoError(t, err)
		good := grant.Review{Note: "  Call log shows the patient called at 10:02 about this charge.  ", Disposition: grant.Justified}
		for _, who := range []identity.Principal{alice, aliceElsewhere} {
			refused, err := svc.ReviewBreakGlass(ctx, who, ev(who), b.ID, good)
			require.ErrorIs(t, err, grant.ErrSelfReview, who.Subject)
			require.Equal(t, "pA", refused.PracticeID, "the refusal names the session's practice for its audit event")
		}
		for _, tc := range []struct {
			r     grant.Review
			field string
		}{
			{grant.Review{Note: "ok", Disposition: grant.Justified}, "note"},
			{grant.Review{Note: "   checked it, fine            ", Disposition: grant.Justified}, "note"},
			{grant.Review{Note: good.Note}, "disposition"},
			{grant.Review{Note: good.Note, Disposition: "fine"}, "disposition"},
		} {
			_, err := svc.ReviewBreakGlass(ctx, f.admin, ev(f.admin), b.ID, tc.r)
			require.Equal(t, apperr.KindInvalid, apperr.KindOf(err), tc.field)
			require.Equal(t, tc.field, fieldOf(err))
		}
		reviewed, err := svc.ReviewBreakGlass(ctx, f.admin, ev(f.admin), b.ID, grant.Review{Note: good.Note, Disposition: grant.Referred})
		require.NoError(t, err)
		require.Equal(t, grant.Referred, reviewed.ReviewDisposition)
		stored, err := f.store.BreakGlass(ctx, b.ID)
		require.NoError(t, err)
		require.Equal(t, grant.Referred, stored.ReviewDisposition)
		require.Equal(t, "Call log shows the patient called at 10:02 about this charge.", stored.ReviewNote)

		var body string
		require.NoError(t, db.QueryRowContext(ctx, `SELECT body FROM audit_events WHERE action = $1 ORDER BY seq DESC LIMIT 1`,
			string(audit.ActionUpdate)).Scan(&body))
		require.Contains(t, body, "reviewed: referred", "the disposition is searchable; the note stays out of the trail")
		require.NotContains(t, body, "Call log")
	})
}
