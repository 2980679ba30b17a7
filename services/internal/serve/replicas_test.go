package serve_test

import (
	"bytes"
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/stretchr/testify/require"
)

// Two service processes on one database and one Redis, as two replicas
// run: a grant revoked through one stops working on the other as soon as
// the invalidation arrives. Each caches grants for 30 seconds, so a denial
// seen within the wait below can only have come from the invalidation.
func TestRevocationReachesTheOtherReplica(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, replicas := twoReplicas(t, d)
			ctx := context.Background()

			now := time.Now().UTC()
			agent, admin, team, patient := fixture(t, db, now)
			read := func(p *serve.Process) access.Decision {
				dec, err := p.Decider.Decide(ctx, agent, access.ReadPatient, access.Resource{PracticeID: "pr-r", PatientID: patient})
				require.NoError(t, err)
				return dec
			}
			ev := audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "pat"}}
			g, err := grantsOf(replicas[0]).CreateGrant(ctx, admin, ev, "pr-r", grant.GranteeTeam, team,
				grant.Scope{Kinds: []policy.Kind{policy.BalanceFollowup}, Reason: "replica test grant"})
			require.NoError(t, err)
			require.Eventually(t, func() bool { return read(replicas[1]).Allow }, 10*time.Second, 5*time.Millisecond)

			start := time.Now()
			_, err = grantsOf(replicas[0]).RevokeGrant(ctx, admin, ev, g.ID, g.Version, "done")
			require.NoError(t, err)
			require.Eventually(t, func() bool { return read(replicas[1]).Code == access.CodeNoGrant }, 10*time.Second, time.Millisecond,
				"the other replica must stop trusting its cached grant")
			t.Logf("revocation took effect on the other replica after %s", time.Since(start))
		})
	}
}

// twoReplicas opens two service processes on one new database and one
// Redis, as two replicas run, and waits until both hear invalidations.
func twoReplicas(t *testing.T, d sqldb.Dialect) (*sqldb.DB, []*serve.Process) {
	t.Helper()
	db, dbURL := testenv.NewDB(t, d)
	cfg := config.Base{DatabaseURL: dbURL, RedisURL: testenv.Redis(t), Addr: "127.0.0.1:0", ShutdownTimeout: time.Second,
		GrantDefaultDays: 90, GrantMaxDays: 365, GrantReviewDays: 30, BreakGlassFor: 15 * time.Minute}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	replicas := make([]*serve.Process, 2)
	for i := range replicas {
		p, err := serve.Open(ctx, "access", cfg, &bytes.Buffer{})
		require.NoError(t, err)
		t.Cleanup(p.Close)
		go p.Facts.Run(ctx)
		replicas[i] = p
	}
	require.Eventually(t, func() bool { return replicas[0].Facts.Live() && replicas[1].Facts.Live() },
		10*time.Second, 5*time.Millisecond, "both replicas subscribe")
	return db, replicas
}

func fixture(t *testing.T, db *sqldb.DB, now time.Time) (agent, admin identity.Principal, teamID, patientID string) {
	ctx := context.Background()
	exec := func(q string, args ...any) {
		require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pr-r"), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, q, args...)
			return err
		}))
	}
	exec(`INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('pr-r', 'R', '1', 'UTC', 'active', $1, $1)`, now)
	exec(`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ('pt-r', 'pr-r', 'E1', 'A', 'B', '1980-01-01', $1, $1)`, now)
	r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
	seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the roster up
	uid, err := r.EnsureUser(ctx, "https://idp.test", "alice", "Alice", "", now)
	require.NoError(t, err)
	require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: uid, DisplayName: "Alice", Active: true}, now))
	team, err := r.CreateTeam(ctx, seeder, "Replicas", now)
	require.NoError(t, err)
	require.NoError(t, r.AddMember(ctx, seeder, team.ID, uid, now))
	exec(`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, created_at, updated_at)
VALUES ('wi-r', 'pr-r', 'pt-r', 'balance_followup', 'balance', 'b', 'assigned', $1, $2, $2, $2)`, uid, now)
	agent = identity.Principal{UserID: uid, Subject: "alice", Roles: []identity.Role{identity.Agent}}
	admin = identity.Principal{UserID: "u-pat", Subject: "pat", Roles: []identity.Role{identity.PracticeAdmin},
		Memberships: []identity.Membership{{PracticeID: "pr-r", Role: identity.PracticeAdmin}}}
	return agent, admin, team.ID, "pt-r"
}

// grantsOf is the grant service of a replica, as its domains build it.
func grantsOf(p *serve.Process) *grant.Service { return domains.New(p, domains.Options{}).Grants }

// A known person's request resolves without the database once cached, and
// an invitation sent through one replica reaches the person's cached
// principal on the other at their next request, through the invalidation
// (the cache keeps principals for 30 seconds, so a membership seen within
// the wait below can only have come from it).
func TestPrincipalsAreCachedAndInvalidatedAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			db, replicas := twoReplicas(t, d)
			ctx := context.Background()
			now := time.Now().UTC()
			_, admin, _, _ := fixture(t, db, now)

			ana := identity.Identity{Issuer: "https://idp.test", Subject: "ana", Name: "Ana", Email: "ana@example.com", EmailVerified: true}
			a := replicas[0]
			first, err := a.Identity.Principal(ctx, ana)
			require.NoError(t, err)
			require.Empty(t, first.Memberships)
			before := a.DB.Counts()
			again, err := a.Identity.Principal(ctx, ana)
			require.NoError(t, err)
			require.Equal(t, first, again)
			require.Zero(t, a.DB.Counts().Sub(before).RoundTrips(), "a warm principal costs no round trip")

			// The practice admin invites Ana through the other replica.
			ev := audit.Event{Actor: audit.Actor{Issuer: admin.Issuer, Subject: admin.Subject}}
			_, err = replicas[1].Identity.Invite(sqldb.WithPractice(ctx, "pr-r"), admin, ev, "pr-r", "ana@example.com")
			require.NoError(t, err)
			require.Eventually(t, func() bool {
				p, err := a.Identity.Principal(ctx, ana)
				return err == nil && p.AdminOf("pr-r")
			}, 5*time.Second, 5*time.Millisecond, "the invitation binds at Ana's next request on the first replica")
		})
	}
}
