package identitystore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// dutiesBundle is one database with an identity service on a settable
// clock and one practice to invite people to.
type dutiesBundle struct {
	db       *sqldb.DB
	svc      *identity.Service
	now      *time.Time
	practice string
	pctx     context.Context // scoped to the practice, as its routes are
}

func setupDuties(t *testing.T, db *sqldb.DB) dutiesBundle {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	b := dutiesBundle{db: db, now: &now}
	clock := func() time.Time { return *b.now }
	roles, err := identity.ParseRoleMap("")
	require.NoError(t, err)
	b.svc = identity.NewService(identitystore.New(db, auditstore.New(db)), roles, clock)
	p, err := practice.NewService(practicestore.New(db, auditstore.New(db)), clock, nil).Create(ctx, practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "UTC"})
	require.NoError(t, err)
	b.practice, b.pctx = p.ID, sqldb.WithPractice(ctx, p.ID)
	return b
}

// signIn signs subject in with a verified email and groups named like roles.
func (b dutiesBundle) signIn(t *testing.T, subject, email string, groups ...string) identity.Principal {
	t.Helper()
	p, err := b.svc.Principal(context.Background(), identity.Identity{Issuer: issuer, Subject: subject, Email: email,
		EmailVerified: true, Groups: groups})
	require.NoError(t, err)
	return p
}

// events counts audit events of an action with an outcome.
func (b dutiesBundle) events(t *testing.T, action, outcome string) int {
	t.Helper()
	var n int
	require.NoError(t, b.db.QueryRowContext(context.Background(),
		`SELECT count(*) FROM audit_events WHERE action = $1 AND outcome = $2`, action, outcome).Scan(&n))
	return n
}

func (b dutiesBundle) state(t *testing.T, id string) identity.InvitationState {
	t.Helper()
	var s string
	require.NoError(t, b.db.Tx(sqldb.AllPractices(context.Background()), func(tx *sql.Tx) error {
		return tx.QueryRow(`SELECT state FROM invitations WHERE id = $1`, id).Scan(&s)
	}))
	return identity.InvitationState(s)
}

func codeOf(err error) string {
	if ae, ok := err.(*apperr.Error); ok {
		return ae.Code
	}
	return ""
}

// A platform admin cannot invite itself, however the address is written;
// the refusal is audited and no invitation exists.
func TestSelfInvitationIsRefused(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDuties(t, db)
		admin := b.signIn(t, "admin-1", "ada@example.com", "platform_admin")
		for _, email := range []string{"ada@example.com", "  ADA@Example.COM "} {
			_, err := b.svc.Invite(b.pctx, admin, by(admin), b.practice, email)
			require.ErrorIs(t, err, identity.ErrSelfInvitation, email)
		}
		// The email a principal's token carries may be absent; the user
		// record still names it.
		bare := admin
		bare.Email = ""
		_, err := b.svc.Invite(b.pctx, bare, by(admin), b.practice, "ada@example.com")
		require.ErrorIs(t, err, identity.ErrSelfInvitation, "the address of the caller's own user record")

		// Another account of the same person (the same verified email at
		// another provider) counts as the caller too.
		alt, err := b.svc.Principal(context.Background(), identity.Identity{Issuer: "https://other-idp.example.com", Subject: "ada",
			Email: "ada@example.com", EmailVerified: true})
		require.NoError(t, err)
		alt.Email = ""
		_, err = b.svc.Invite(b.pctx, alt, by(alt), b.practice, "ada@example.com")
		require.ErrorIs(t, err, identity.ErrSelfInvitation, "an address linked to the caller's person")

		var n int
		require.NoError(t, db.Tx(sqldb.AllPractices(context.Background()), func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT count(*) FROM invitations`).Scan(&n)
		}))
		require.Zero(t, n)
		require.Equal(t, 4, b.events(t, "invitation_create", "deny"), "every refusal is recorded")
		require.Empty(t, b.signIn(t, "admin-1", "ada@example.com", "platform_admin").Memberships)
	})
}

// An invitation that would give a platform admin or compliance officer a
// practice role binds only after a second platform admin confirms it,
// whether the invitee is known when invited or only at sign-in.
func TestPrivilegedInviteesNeedASecondPerson(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDuties(t, db)
		ada := b.signIn(t, "admin-1", "ada@example.com", "platform_admin")
		otto := b.signIn(t, "admin-2", "otto@example.com", "platform_admin")
		b.signIn(t, "carol", "carol@example.com", "compliance")

		// Known when invited: the invitation waits at once.
		inv, err := b.svc.Invite(b.pctx, ada, by(ada), b.practice, "carol@example.com")
		require.NoError(t, err)
		require.Equal(t, identity.InvitationAwaiting, inv.State)
		require.Empty(t, b.signIn(t, "carol", "carol@example.com", "compliance").Memberships, "no binding before confirmation")

		_, err = b.svc.ConfirmInvitation(b.pctx, ada, by(ada), b.practice, inv.ID)
		require.ErrorIs(t, err, identity.ErrSelfConfirmation, "the inviter is not a second person")
		carol := b.signIn(t, "carol", "carol@example.com", "compliance")
		_, err = b.svc.ConfirmInvitation(b.pctx, carol, by(carol), b.practice, inv.ID)
		require.Equal(t, identity.CodeRoleNotPermitted, codeOf(err), "only platform admins confirm")
		_, err = b.svc.ConfirmInvitation(b.pctx, otto, by(otto), "another-practice", inv.ID)
		require.ErrorIs(t, err, apperr.ErrNotFound, "an invitation is confirmed within its own practice")

		got, err := b.svc.ConfirmInvitation(b.pctx, otto, by(otto), b.practice, inv.ID)
		require.NoError(t, err)
		require.Equal(t, identity.InvitationConfirmed, got.State)
		require.Equal(t, otto.UserID, got.ConfirmedBy)
		_, err = b.svc.ConfirmInvitation(b.pctx, otto, by(otto), b.practice, inv.ID)
		require.Equal(t, "not_awaiting_confirmation", codeOf(err))
		carol = b.signIn(t, "carol", "carol@example.com", "compliance")
		require.True(t, carol.AdminOf(b.practice), "a confirmed invitation binds")
		require.Equal(t, identity.InvitationAccepted, b.state(t, inv.ID))

		// Unknown when invited: it is open, and the sign-in finds the
		// invitee holds compliance, so it waits instead of binding.
		newcomer, err := b.svc.Invite(b.pctx, ada, by(ada), b.practice, "cleo@example.com")
		require.NoError(t, err)
		require.Equal(t, identity.InvitationOpen, newcomer.State)
		require.Empty(t, b.signIn(t, "cleo", "cleo@example.com", "compliance").Memberships)
		require.Equal(t, identity.InvitationAwaiting, b.state(t, newcomer.ID))
		require.Empty(t, b.signIn(t, "cleo", "cleo@example.com", "compliance").Memberships, "still waiting")
		cleo := b.signIn(t, "cleo", "cleo@example.com", "compliance")
		_, err = b.svc.ConfirmInvitation(b.pctx, cleo, by(cleo), b.practice, newcomer.ID)
		require.Equal(t, identity.CodeRoleNotPermitted, codeOf(err))
		_, err = b.svc.ConfirmInvitation(b.pctx, otto, by(otto), b.practice, newcomer.ID)
		require.NoError(t, err)
		require.True(t, b.signIn(t, "cleo", "cleo@example.com", "compliance").AdminOf(b.practice))

		// A platform admin who is the invitee cannot confirm its own.
		forOtto, err := b.svc.Invite(b.pctx, ada, by(ada), b.practice, "otto@example.com")
		require.NoError(t, err)
		require.Equal(t, identity.InvitationAwaiting, forOtto.State)
		_, err = b.svc.ConfirmInvitation(b.pctx, otto, by(otto), b.practice, forOtto.ID)
		require.ErrorIs(t, err, identity.ErrSelfConfirmation, "the invitee is not a second person")

		// Ordinary invitees bind at once.
		plain, err := b.svc.Invite(b.pctx, ada, by(ada), b.practice, "dana@example.com")
		require.NoError(t, err)
		require.Equal(t, identity.InvitationOpen, plain.State)
		require.True(t, b.signIn(t, "dana", "dana@example.com").AdminOf(b.practice))

		// Each step is in the trail, in the transaction that made it.
		require.Equal(t, 4, b.events(t, "invitation_create", "allow"))
		require.Equal(t, 2, b.events(t, "invitation_confirm", "allow"))
		require.Equal(t, 4, b.events(t, "invitation_confirm", "deny"))
		require.Equal(t, 1, b.events(t, "invitation_accept", "deny"), "the sign-in that found a compliance officer")
		require.Equal(t, 3, b.events(t, "invitation_accept", "allow"))
		require.Equal(t, 3, b.events(t, "membership_add", "allow"))
		var leaked int
		require.NoError(t, db.QueryRowContext(context.Background(), `SELECT count(*) FROM audit_events WHERE body LIKE '%@example.com%'`).Scan(&leaked))
		require.Zero(t, leaked, "events name invitations by id, never by address")
	})
}

// The person who sent an invitation never receives it, even by signing
// in later with the invited address.
func TestInviterCannotAcceptItsOwnInvitation(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDuties(t, db)
		ada := b.signIn(t, "admin-1", "ada@example.com", "platform_admin")
		inv, err := b.svc.Invite(b.pctx, ada, by(ada), b.practice, "ops@example.com")
		require.NoError(t, err)
		*b.now = b.now.Add(time.Hour)
		// The same identity, its address changed at the provider, and
		// without its admin group this time.
		again := b.signIn(t, "admin-1", "ops@example.com")
		require.Empty(t, again.Memberships)
		require.Equal(t, identity.InvitationRefused, b.state(t, inv.ID))
		require.Equal(t, 1, b.events(t, "invitation_accept", "deny"))
		require.Empty(t, b.signIn(t, "someone-else", "ops@example.com").Memberships, "a refused invitation never binds")
	})
}

// People are compared across identities: the same user, or users whose
// latest sign-ins carried the same verified email.
func TestSamePerson(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setupDuties(t, db)
		ctx := context.Background()
		sign := func(iss, sub, email string, verified bool) string {
			p, err := b.svc.Principal(ctx, identity.Identity{Issuer: iss, Subject: sub, Email: email, EmailVerified: verified})
			require.NoError(t, err)
			return p.UserID
		}
		one := sign(issuer, "pat-1", "pat@example.com", true)
		two := sign("https://other-idp.example.com", "pat-2", "PAT@example.com", true)
		unverified := sign("https://third.example.com", "pat-3", "pat@example.com", false)
		other := sign(issuer, "sam", "sam@example.com", true)
		for _, tc := range []struct {
			name string
			a, b string
			want bool
		}{
			{"the same user", one, one, true},
			{"the same verified email", one, two, true},
			{"either way round", two, one, true},
			{"an unverified email links nobody", one, unverified, false},
			{"another person", one, other, false},
			{"nobody", one, "", false},
		} {
			got, err := b.svc.SamePerson(ctx, tc.a, tc.b)
			require.NoError(t, err)
			require.Equal(t, tc.want, got, tc.name)
		}
		*b.now = b.now.Add(time.Hour)
		sign("https://other-idp.example.com", "pat-2", "pat@elsewhere.example.com", true)
		got, err := b.svc.SamePerson(ctx, one, two)
		require.NoError(t, err)
		require.False(t, got, "the link follows the latest sign-in's email")

		id, found, err := b.svc.UserID(ctx, issuer, "pat-1")
		require.NoError(t, err)
		require.True(t, found)
		require.Equal(t, one, id)
		_, found, err = b.svc.UserID(ctx, issuer, "never-signed-in")
		require.NoError(t, err)
		require.False(t, found)
	})
}
