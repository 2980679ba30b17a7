package practicestore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestPracticeChangesAreAudited(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
		by := func(sub string) audit.Event {
			return audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: sub}, RequestID: "req-" + sub}
		}
		svc := practice.NewService(practicestore.New(db, auditstore.New(db)), func() time.Time { return now }, nil)
		admin, pat := svc.As(by("admin")), svc.As(by("pat"))

		p, err := admin.Create(ctx, practice.NewPractice{Name: "Lakeside Smiles", NPI: "1234567893", Timezone: "America/Chicago"})
		require.NoError(t, err)
		ctx = sqldb.WithPractice(ctx, p.ID)
		p, err = pat.Update(ctx, p.ID, p.Version, practice.NewPractice{Name: "Lakeside Smiles", Timezone: "America/Denver"})
		require.NoError(t, err)
		_, err = pat.RecordBAA(ctx, p.ID, practice.BAA{SignerName: "Dana Reyes", SignerTitle: "Owner",
			SignedOn: records.Date{Year: 2026, Month: 3, Day: 30}, DocumentSHA256: strings.Repeat("ab", 32)})
		require.NoError(t, err)
		require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, issuer, subject, created_at, last_seen_at) VALUES ('u-pat', 'https://idp.test', 'pat', $1, $1)`, now); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO practice_memberships (practice_id, user_id, role, created_at) VALUES ($1, 'u-pat', 'practice_admin', $2)`, p.ID, now)
			return err
		}))
		_, err = admin.Activate(ctx, p.ID)
		require.NoError(t, err)
		loc, err := pat.AddLocation(ctx, p.ID, practice.Location{Name: "Elm Street office", AddressLine1: "12 Elm St", City: "Austin", State: "TX", PostalCode: "78701"})
		require.NoError(t, err)
		pol := policy.Default(policy.BalanceFollowup)
		_, err = pat.SetPolicy(ctx, p.ID, "u-pat", 0, pol)
		require.NoError(t, err)
		_, err = pat.SetContactRules(ctx, p.ID, "u-pat", 0, policy.DefaultContactRules())
		require.NoError(t, err)
		_, err = admin.Suspend(ctx, p.ID, "Owner Dana Reyes asked us to pause")
		require.NoError(t, err)
		_, err = admin.Offboard(ctx, p.ID, "contract ended")
		require.NoError(t, err)

		evs := testenv.AuditEvents(t, db, auditstore.Query{PracticeID: p.ID})
		type seen struct {
			action             audit.Action
			actor, typ, target string
		}
		var got []seen
		for _, e := range evs {
			got = append(got, seen{e.Event.Action, e.Event.Actor.Subject, e.Event.TargetType, e.Event.TargetID})
			require.Equal(t, audit.OutcomeAllow, e.Event.Outcome)
			require.Equal(t, "req-"+e.Event.Actor.Subject, e.Event.RequestID)
			for _, text := range []string{"Lakeside", "Dana", "Reyes", "Owner", "Elm", "pause", "contract ended", "1234567893"} {
				require.NotContains(t, e.Body, text, "names and free text stay out of the trail")
			}
		}
		require.Equal(t, []seen{
			{audit.ActionPracticeCreate, "admin", audit.TargetPractice, p.ID},
			{audit.ActionPracticeUpdate, "pat", audit.TargetPractice, p.ID},
			{audit.ActionBAARecord, "pat", audit.TargetPractice, p.ID},
			{audit.ActionPracticeActivate, "admin", audit.TargetPractice, p.ID},
			{audit.ActionLocationAdd, "pat", audit.TargetLocation, loc.ID},
			{audit.ActionPolicySet, "pat", audit.TargetPolicy, string(policy.BalanceFollowup)},
			{audit.ActionPolicySet, "pat", audit.TargetPolicy, practice.ContactKind},
			{audit.ActionPracticeSuspend, "admin", audit.TargetPractice, p.ID},
			{audit.ActionPracticeOffboard, "admin", audit.TargetPractice, p.ID},
		}, got)
		require.Equal(t, []string{"timezone"}, evs[1].Event.Fields)
		require.Equal(t, "from draft", evs[3].Event.Reason)
		require.Equal(t, map[string]int{"version": 1}, evs[5].Event.Counts)
		require.Equal(t, "from suspended", evs[8].Event.Reason)
	})
}

func TestFailedPracticeChangesLeaveNoEvent(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
		svc := practice.NewService(practicestore.New(db, auditstore.New(db)), func() time.Time { return now }, nil).
			As(audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "pat"}})
		p, err := svc.Create(ctx, practice.NewPractice{Name: "A", NPI: "1234567893", Timezone: "UTC"})
		require.NoError(t, err)
		ctx = sqldb.WithPractice(ctx, p.ID)

		_, err = svc.Create(ctx, practice.NewPractice{Name: "B", NPI: "1234567893", Timezone: "UTC"})
		require.Equal(t, "npi", code(t, err), "a duplicate NPI")
		_, err = svc.Update(ctx, p.ID, p.Version+1, practice.NewPractice{Name: "C", Timezone: "UTC"})
		require.Equal(t, "version", code(t, err))
		_, err = svc.Suspend(ctx, p.ID, "a draft cannot be suspended")
		require.Equal(t, "invalid_transition", code(t, err))
		_, err = svc.SetPolicy(ctx, p.ID, "u", 3, policy.Default(policy.Recare))
		require.Equal(t, apperr.KindConflict, apperr.KindOf(err))
		_, err = svc.Offboard(ctx, p.ID, "done")
		require.NoError(t, err)
		_, err = svc.RecordBAA(ctx, p.ID, practice.BAA{SignerName: "X", SignedOn: records.Date{Year: 2026, Month: 3, Day: 1}, DocumentSHA256: strings.Repeat("ab", 32)})
		require.Equal(t, "offboarded", code(t, err))

		require.Equal(t, []audit.Action{audit.ActionPracticeCreate, audit.ActionPracticeOffboard},
			testenv.AuditActions(t, db, auditstore.Query{}), "only the changes that committed")
	})
}
