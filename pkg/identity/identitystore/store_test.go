package identitystore_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
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

const issuer = "https://idp.example.com"

// by is the audit event a request by p starts from.
func by(p identity.Principal) audit.Event {
	return audit.Event{Actor: audit.Actor{Issuer: p.Issuer, Subject: p.Subject}}
}

func TestInvitationBindsOnceByIssuerAndSubject(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		roles, err := identity.ParseRoleMap("")
		require.NoError(t, err)
		svc := identity.NewService(identitystore.New(db, auditstore.New(db)), roles, clock)
		p, err := practice.NewService(practicestore.New(db, auditstore.New(db)), clock, nil).Create(ctx, practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "UTC"})
		require.NoError(t, err)

		admin, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "admin-1", Groups: []string{"platform_admin"}})
		require.NoError(t, err)
		require.True(t, admin.Has(identity.PlatformAdmin))
		pctx := sqldb.WithPractice(ctx, p.ID) // as the practice's routes do
		_, err = svc.Invite(pctx, admin, by(admin), p.ID, " Pat@Example.com ")
		require.NoError(t, err)

		// An unverified email binds nothing.
		unverified, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "pat-unverified", Email: "pat@example.com"})
		require.NoError(t, err)
		require.Empty(t, unverified.Memberships)

		pat, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "pat-1", Email: "PAT@example.com", EmailVerified: true})
		require.NoError(t, err)
		require.True(t, pat.AdminOf(p.ID))
		require.True(t, pat.Has(identity.PracticeAdmin), "a practice membership carries the practice_admin role")

		// A second account with the same verified email cannot claim it.
		other, err := svc.Principal(ctx, identity.Identity{Issuer: "https://other-idp.example.com", Subject: "pat-1", Email: "pat@example.com", EmailVerified: true})
		require.NoError(t, err)
		require.False(t, other.AdminOf(p.ID))
		require.NotEqual(t, pat.UserID, other.UserID, "people are keyed by issuer and subject")

		// Pat keeps it after changing email at the provider.
		now = now.Add(time.Hour)
		pat2, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "pat-1", Email: "pat@new.example.com", EmailVerified: true})
		require.NoError(t, err)
		require.Equal(t, pat.UserID, pat2.UserID)
		require.True(t, pat2.AdminOf(p.ID))

		// Invitations expire.
		_, err = svc.Invite(pctx, admin, by(admin), p.ID, "late@example.com")
		require.NoError(t, err)
		now = now.Add(identity.InvitationTTL + time.Minute)
		late, err := svc.Principal(ctx, identity.Identity{Issuer: issuer, Subject: "late", Email: "late@example.com", EmailVerified: true})
		require.NoError(t, err)
		require.Empty(t, late.Memberships)
	})
}

func TestInviteValidation(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	roles, _ := identity.ParseRoleMap("")
	svc := identity.NewService(identitystore.New(db, auditstore.New(db)), roles, nil)
	ctx := context.Background()
	for _, email := range []string{"", "not-an-email", "Pat <pat@example.com>"} {
		_, err := svc.Invite(ctx, identity.Principal{UserID: "u"}, by(identity.Principal{Subject: "u"}), "p", email)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae, email)
		require.Equal(t, "email", ae.Field)
	}
	_, err := svc.Invite(ctx, identity.Principal{UserID: "u"}, by(identity.Principal{Subject: "u"}), "01890000-0000-7000-8000-000000000000", "a@example.com")
	require.ErrorIs(t, err, apperr.ErrNotFound, "inviting to a practice that does not exist")
}
