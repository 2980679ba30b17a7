package practicestore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func code(t *testing.T, err error) string {
	t.Helper()
	var ae *apperr.Error
	require.ErrorAs(t, err, &ae)
	if ae.Field != "" {
		return ae.Field
	}
	return ae.Code
}

func TestLifecycle(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		svc := practice.NewService(practicestore.New(db, auditstore.New(db)), clock, nil)
		roles, _ := identity.ParseRoleMap("")
		ids := identity.NewService(identitystore.New(db, auditstore.New(db)), roles, clock)
		p, err := svc.Create(ctx, practice.NewPractice{Name: "Lakeside", NPI: "1234567893", Timezone: "America/Chicago"})
		require.NoError(t, err)
		ctx = sqldb.WithPractice(ctx, p.ID) // as the practice's routes do

		_, err = svc.Activate(ctx, p.ID)
		require.Equal(t, "baa_missing", code(t, err))

		good := practice.BAA{SignerName: "Dana Reyes", SignerTitle: "Owner", SignedOn: records.Date{Year: 2026, Month: 3, Day: 30}, DocumentSHA256: strings.Repeat("ab", 32)}
		bad := []struct {
			mod   func(*practice.BAA)
			field string
		}{
			{func(b *practice.BAA) { b.SignerName = " " }, "signer_name"},
			{func(b *practice.BAA) { b.SignedOn = records.Date{} }, "signed_on"},
			{func(b *practice.BAA) { b.SignedOn = records.Date{Year: 2026, Month: 5, Day: 1} }, "signed_on"},
			{func(b *practice.BAA) { b.DocumentSHA256 = "abc" }, "document_sha256"},
			{func(b *practice.BAA) { b.DocumentSHA256 = strings.Repeat("zz", 32) }, "document_sha256"},
		}
		for _, tc := range bad {
			b := good
			tc.mod(&b)
			_, err := svc.RecordBAA(ctx, p.ID, b)
			require.Equal(t, tc.field, code(t, err))
		}
		got, err := svc.RecordBAA(ctx, p.ID, good)
		require.NoError(t, err)
		require.Equal(t, "Dana Reyes", got.BAA.SignerName)
		require.Equal(t, "2026-03-30", got.BAA.SignedOn.String())

		_, err = svc.Activate(ctx, p.ID)
		require.Equal(t, "no_practice_admin", code(t, err))

		admin := identity.Principal{UserID: "platform-admin"}
		_, err = ids.Invite(ctx, admin, audit.Event{Actor: audit.Actor{Subject: "platform-admin"}}, p.ID, "dana@lakeside.example")
		require.NoError(t, err)
		_, err = ids.Principal(ctx, identity.Identity{Issuer: "https://idp", Subject: "dana", Email: "dana@lakeside.example", EmailVerified: true})
		require.NoError(t, err)

		got, err = svc.Activate(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, practice.Active, got.Status)

		_, err = svc.Suspend(ctx, p.ID, "")
		require.Equal(t, "reason", code(t, err))
		got, err = svc.Suspend(ctx, p.ID, "unpaid invoice")
		require.NoError(t, err)
		require.Equal(t, practice.Suspended, got.Status)
		require.Equal(t, "unpaid invoice", got.StatusReason)
		_, err = svc.Suspend(ctx, p.ID, "again")
		require.Equal(t, "invalid_transition", code(t, err))

		got, err = svc.Activate(ctx, p.ID)
		require.NoError(t, err, "a suspended practice can come back")
		got, err = svc.Offboard(ctx, p.ID, "contract ended")
		require.NoError(t, err)
		require.Equal(t, practice.Offboarded, got.Status)
		require.Equal(t, "2032-04-01", got.RetainUntil.String(), "kept six years")
		_, err = svc.Activate(ctx, p.ID)
		require.Equal(t, "invalid_transition", code(t, err), "offboarding is final")
		_, err = svc.RecordBAA(ctx, p.ID, good)
		require.Equal(t, "offboarded", code(t, err))

		_, err = svc.Suspend(ctx, "01890000-0000-7000-8000-000000000000", "x")
		require.ErrorIs(t, err, apperr.ErrNotFound)
	})
}

func TestUpdateListLocationsPolicies(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		svc := practice.NewService(practicestore.New(db, auditstore.New(db)), nil, nil)
		a, err := svc.Create(ctx, practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "UTC"})
		require.NoError(t, err)
		b, err := svc.Create(ctx, practice.NewPractice{Name: "B", NPI: "1245319599", Timezone: "UTC"})
		require.NoError(t, err)

		actx, bctx := sqldb.WithPractice(ctx, a.ID), sqldb.WithPractice(ctx, b.ID) // as the practices' routes do
		up, err := svc.Update(actx, a.ID, a.Version, practice.NewPractice{Name: "A2", Timezone: "America/Denver"})
		require.NoError(t, err)
		require.Equal(t, "A2", up.Name)
		require.Equal(t, a.Version+1, up.Version)
		_, err = svc.Update(actx, a.ID, a.Version, practice.NewPractice{Name: "A3", Timezone: "UTC"})
		require.Equal(t, "version", code(t, err), "a stale version is refused")
		_, err = svc.Update(actx, a.ID, up.Version, practice.NewPractice{Name: "A3", Timezone: "Nowhere"})
		require.Equal(t, "timezone", code(t, err))

		all, err := svc.List(ctx, nil, "", 10)
		require.NoError(t, err)
		require.Len(t, all, 2)
		page, err := svc.List(ctx, nil, all[0].ID, 10)
		require.NoError(t, err)
		require.Len(t, page, 1)
		require.Equal(t, all[1].ID, page[0].ID)
		mine, err := svc.List(ctx, []string{b.ID}, "", 10)
		require.NoError(t, err)
		require.Len(t, mine, 1)
		none, err := svc.List(ctx, []string{}, "", 10)
		require.NoError(t, err)
		require.Empty(t, none)

		_, err = svc.AddLocation(actx, a.ID, practice.Location{Name: "Main", AddressLine1: "1 Lake St", City: "Austin", State: "tx", PostalCode: "7870"})
		require.Equal(t, "postal_code", code(t, err))
		loc, err := svc.AddLocation(actx, a.ID, practice.Location{Name: "Main", AddressLine1: "1 Lake St", City: "Austin", State: "tx", PostalCode: "78701"})
		require.NoError(t, err)
		require.Equal(t, "TX", loc.State)
		locs, err := svc.Locations(actx, a.ID)
		require.NoError(t, err)
		require.Len(t, locs, 1)

		pols, err := svc.Policies(actx, a.ID)
		require.NoError(t, err)
		require.Equal(t, policy.Default(policy.BalanceFollowup), pols.Kinds[policy.BalanceFollowup])
		require.Zero(t, pols.Versions["balance_followup"])
		bal := pols.Kinds[policy.BalanceFollowup]
		bal.Thresholds.BalanceMinCents = 100_00
		v, err := svc.SetPolicy(actx, a.ID, "u1", 0, bal)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		_, err = svc.SetPolicy(actx, a.ID, "u2", 0, bal)
		require.Equal(t, "version", code(t, err), "two editors: the second must reload")
		bal.Cadence = nil
		_, err = svc.SetPolicy(actx, a.ID, "u1", 1, bal)
		require.Equal(t, "cadence", code(t, err))
		rules := policy.DefaultContactRules()
		rules.MaxContactsPerWeek = 2
		_, err = svc.SetContactRules(actx, a.ID, "u1", 0, rules)
		require.NoError(t, err)

		pols, err = svc.Policies(actx, a.ID)
		require.NoError(t, err)
		require.Equal(t, int64(100_00), pols.Kinds[policy.BalanceFollowup].Thresholds.BalanceMinCents)
		require.Equal(t, 2, pols.Contact.MaxContactsPerWeek)
		require.Equal(t, 1, pols.Versions["balance_followup"])
		other, err := svc.Policies(bctx, b.ID)
		require.NoError(t, err)
		require.Equal(t, 3, other.Contact.MaxContactsPerWeek, "one practice's rules never touch another's")
	})
}
