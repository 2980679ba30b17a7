package rosterstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

var (
	t0    = time.Date(2026, 4, 6, 14, 0, 0, 0, time.UTC)
	maria = audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "maria", Role: "billing_manager"}, RequestID: "req-1"}
	// system is who the platform's own changes (seeding) are made as.
	system = audit.Event{Actor: audit.SystemActor}
)

// newRoster is the roster service over a store of db, as the services
// build it.
func newRoster(db *sqldb.DB) *roster.Service {
	return roster.NewService(rosterstore.New(db, auditstore.New(db)))
}

func TestTeamMembershipChangesAreAudited(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRoster(db)
		uid, err := r.EnsureUser(ctx, "https://idp.test", "alice", "Alice", "", t0)
		require.NoError(t, err)
		require.NoError(t, r.PutAgent(ctx, maria, roster.Agent{UserID: uid, DisplayName: "Alice Zyzzyva", Active: true}, t0))

		team, err := r.CreateTeam(ctx, maria, "Night Owls", t0)
		require.NoError(t, err)
		require.NoError(t, r.AddMember(ctx, maria, team.ID, uid, t0))
		require.NoError(t, r.AddMember(ctx, maria, team.ID, uid, t0), "adding twice is not an error")
		require.NoError(t, r.RemoveMember(ctx, maria, team.ID, uid, t0))
		require.NoError(t, r.RemoveMember(ctx, maria, team.ID, uid, t0), "removing a non-member is not an error")

		evs := testenv.AuditEvents(t, db, auditstore.Query{TargetType: audit.TargetTeam, TargetID: team.ID})
		require.Len(t, evs, 3, "one event per change; repeats changed nothing")
		for i, want := range []audit.Action{audit.ActionTeamCreate, audit.ActionTeamMemberAdd, audit.ActionTeamMemberRemove} {
			e := evs[i].Event
			require.Equal(t, want, e.Action)
			require.Equal(t, "maria", e.Actor.Subject)
			require.Equal(t, "req-1", e.RequestID)
			require.Equal(t, audit.OutcomeAllow, e.Outcome)
			require.Equal(t, t0, e.Time)
			require.NotContains(t, evs[i].Body, "Night Owls", "the team's name stays out of the trail")
			require.NotContains(t, evs[i].Body, "Zyzzyva")
		}
		require.Empty(t, evs[0].Event.UserID)
		require.Equal(t, uid, evs[1].Event.UserID)
		require.Equal(t, uid, evs[2].Event.UserID)
	})
}

func TestFailedRosterChangesLeaveNoEvent(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRoster(db)
		uid, err := r.EnsureUser(ctx, "https://idp.test", "bob", "Bob", "", t0)
		require.NoError(t, err)

		require.Error(t, r.AddMember(ctx, maria, "no-such-team", uid, t0), "the agent and the team must exist")
		require.Equal(t, apperr.KindNotFound, apperr.KindOf(r.SetPresence(ctx, maria, uid, routing.Away, t0)), "bob is no agent yet")
		require.Equal(t, apperr.KindInvalid, apperr.KindOf(r.PutAgent(ctx, maria, roster.Agent{UserID: uid, DisplayName: "Bob", Capacity: -1}, t0)))
		require.Empty(t, testenv.AuditEvents(t, db, auditstore.Query{}))
	})
}

func TestAgentChangesAreAudited(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRoster(db)
		uid, err := r.EnsureUser(ctx, "https://idp.test", "carla", "Carla", "", t0)
		require.NoError(t, err)
		a := roster.Agent{UserID: uid, DisplayName: "Carla Quixote", Active: true, Kinds: []policy.Kind{policy.Recare}, Capacity: 20}
		require.NoError(t, r.PutAgent(ctx, maria, a, t0))
		a.Capacity, a.Hours = 30, "mon-fri 08:00-17:00"
		require.NoError(t, r.PutAgent(ctx, maria, a, t0.Add(time.Hour)))
		a.Active = false
		require.NoError(t, r.PutAgent(ctx, maria, a, t0.Add(2*time.Hour)))
		// The agent itself, through the API, goes away.
		self := audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "carla", Role: "agent"}}
		require.NoError(t, r.SetPresence(ctx, self, uid, routing.Away, t0.Add(3*time.Hour)))

		evs := testenv.AuditEvents(t, db, auditstore.Query{UserID: uid})
		require.Len(t, evs, 4)
		require.Equal(t, audit.ActionAgentCreate, evs[0].Event.Action)
		require.Equal(t, audit.ActionAgentUpdate, evs[1].Event.Action)
		require.Equal(t, []string{"capacity", "hours"}, evs[1].Event.Fields, "the names of what changed, never the values")
		require.Equal(t, []string{"active"}, evs[2].Event.Fields)
		require.Equal(t, audit.ActionAgentPresence, evs[3].Event.Action)
		require.Equal(t, "away", evs[3].Event.Reason)
		require.Equal(t, "carla", evs[3].Event.Actor.Subject)
		for _, e := range evs {
			require.Equal(t, audit.TargetAgent, e.Event.TargetType)
			require.Equal(t, uid, e.Event.TargetID)
			require.NotContains(t, e.Body, "Quixote")
			require.NotContains(t, e.Body, "08:00")
		}
	})
}

func TestChangesOutsideARequestAreThePlatforms(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		team, err := newRoster(db).CreateTeam(context.Background(), system, "Seeded", t0)
		require.NoError(t, err)
		evs := testenv.AuditEvents(t, db, auditstore.Query{TargetID: team.ID})
		require.Len(t, evs, 1)
		require.Equal(t, audit.SystemActor, evs[0].Event.Actor)
	})
}

// A list the store cannot read back is an error, never an agent with no
// skills: routing and the managers' views would act on a wrong roster.
func TestUnreadableAgentListsAreErrors(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := newRoster(db)
		uid, err := r.EnsureUser(ctx, "https://idp.test", "dora", "Dora", "", t0)
		require.NoError(t, err)
		a := roster.Agent{UserID: uid, DisplayName: "Dora", Active: true, Kinds: []policy.Kind{policy.Recare}}
		require.NoError(t, r.PutAgent(ctx, maria, a, t0))
		for _, column := range []string{"kinds", "payers", "languages"} {
			t.Run(column, func(t *testing.T) {
				_, err := testenv.OwnerDB(t, db).ExecContext(ctx, `UPDATE agents SET `+column+` = '["recare"' WHERE user_id = $1`, uid)
				require.NoError(t, err)
				_, err = r.Agents(ctx)
				require.Error(t, err)
				_, err = r.Agent(ctx, uid)
				require.Error(t, err)
				require.Error(t, r.PutAgent(ctx, maria, a, t0.Add(time.Hour)), "an update compares with what is stored")
				_, err = testenv.OwnerDB(t, db).ExecContext(ctx, `UPDATE agents SET `+column+` = '[]' WHERE user_id = $1`, uid)
				require.NoError(t, err)
			})
		}
	})
}
