package grantstore_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/access/factcache"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/grant"
	"github.com/backdesk/backdesk/pkg/grant/grantstore"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// clock is a settable time source shared by a test's services.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	db                        *sqldb.DB
	store                     *grantstore.Store
	facts                     *accessstore.Store
	agent, admin, admin2, bm  identity.Principal
	teamID, patientID, itemID string
}

func setup(t *testing.T, db *sqldb.DB, now time.Time) fixture {
	ctx := context.Background()
	f := fixture{db: db, store: grantstore.New(db, auditstore.New(db)), facts: accessstore.New(db), patientID: "pt-" + uuid.NewString()[:8], itemID: "wi-" + uuid.NewString()[:8]}
	for _, p := range []struct{ id, status string }{{"pA", "active"}, {"pB", "active"}} {
		require.NoError(t, db.Tx(sqldb.WithPractice(ctx, p.id), func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at)
VALUES ($1, $1, $1, 'UTC', $2, $3, $3)`, p.id, p.status, now)
			return err
		}))
	}
	require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pA"), func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, 'pA', 'E1', 'Ana', 'Lee', '1980-01-01', $2, $2)`, f.patientID, now); err != nil {
			return err
		}
		return nil
	}))
	r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
	user := func(sub string) string {
		id, err := r.EnsureUser(ctx, "https://idp.test", sub, sub, "", now)
		require.NoError(t, err)
		return id
	}
	f.agent = identity.Principal{UserID: user("alice"), Subject: "alice", Roles: []identity.Role{identity.Agent}}
	require.NoError(t, r.PutAgent(ctx, audit.Event{Actor: audit.SystemActor}, roster.Agent{UserID: f.agent.UserID, DisplayName: "Alice", Active: true}, now))
	team, err := r.CreateTeam(ctx, audit.Event{Actor: audit.SystemActor}, "East", now)
	require.NoError(t, err)
	f.teamID = team.ID
	require.NoError(t, r.AddMember(ctx, audit.Event{Actor: audit.SystemActor}, team.ID, f.agent.UserID, now))
	member := []identity.Membership{{PracticeID: "pA", Role: identity.PracticeAdmin}}
	f.admin = identity.Principal{UserID: user("pat"), Subject: "pat", Roles: []identity.Role{identity.PracticeAdmin}, Memberships: member}
	f.admin2 = identity.Principal{UserID: user("pam"), Subject: "pam", Roles: []identity.Role{identity.PracticeAdmin, identity.BillingManager}, Memberships: member}
	f.bm = identity.Principal{UserID: user("maria"), Subject: "maria", Roles: []identity.Role{identity.BillingManager}}
	require.NoError(t, db.Tx(sqldb.WithPractice(ctx, "pA"), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, created_at, updated_at)
VALUES ($1, 'pA', $2, 'balance_followup', 'balance', 'A1', 'assigned', $3, $4, $4, $4)`, f.itemID, f.patientID, f.agent.UserID, now)
		return err
	}))
	return f
}

// decider is the decision point over f's facts with their cache in
// front, as a process builds it (without Redis: invalidations stay here).
func decider(f fixture, now func() time.Time) (*access.Decider, *factcache.Cache) {
	facts := factcache.New(f.facts, factcache.Config{Now: now})
	return access.NewDecider(facts, access.DeciderConfig{Now: now}), facts
}

// newService is the grant service over f's store, as a process builds
// it: people compared by identity's rule, decisions through d, and every
// change reported to facts.
func newService(f fixture, d *access.Decider, facts access.Invalidator, now func() time.Time) *grant.Service {
	return grant.NewService(f.store, identitystore.New(f.db, auditstore.New(f.db)), d, facts, grant.Windows{}, now)
}

func ev(p identity.Principal) audit.Event {
	return audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: p.Subject}}
}

func readPatient(t *testing.T, d *access.Decider, f fixture) access.Decision {
	t.Helper()
	dec, err := d.Decide(context.Background(), f.agent, access.ReadPatient, access.Resource{PracticeID: "pA", PatientID: f.patientID})
	require.NoError(t, err)
	return dec
}

func TestGrantLifecycle(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
		f := setup(t, db, clk.Now())
		d, facts := decider(f, clk.Now)
		svc := newService(f, d, facts, clk.Now)

		require.Equal(t, access.CodeNoGrant, readPatient(t, d, f).Code)
		g, err := svc.CreateGrant(ctx, f.admin, ev(f.admin), "pA", grant.GranteeTeam, f.teamID,
			grant.Scope{Kinds: []policy.Kind{policy.BalanceFollowup}, Reason: "spring balance campaign"})
		require.NoError(t, err)
		dec := readPatient(t, d, f)
		require.True(t, dec.Allow, dec.Reason)
		require.Equal(t, g.ID, dec.GrantID)
		require.Equal(t, f.itemID, dec.WorkItemID)

		// The review date passes: the grant lapses; re-certifying restores it.
		clk.Add(30 * 24 * time.Hour)
		require.Equal(t, access.CodeNoGrant, readPatient(t, d, f).Code)
		_, err = svc.Recertify(ctx, f.admin, ev(f.admin), g.ID, g.Version)
		require.ErrorIs(t, err, grant.ErrSelfRecertification, "the person who gave a grant does not review it")
		require.Equal(t, access.CodeNoGrant, readPatient(t, d, f).Code)
		g, err = svc.Recertify(ctx, f.admin2, ev(f.admin2), g.ID, g.Version)
		require.NoError(t, err)
		require.True(t, readPatient(t, d, f).Allow)
		_, err = svc.Recertify(ctx, f.admin2, ev(f.admin2), g.ID, 1)
		require.Equal(t, apperr.KindConflict, apperr.KindOf(err), "a stale version is refused")

		// Revocation takes effect at once.
		_, err = svc.RevokeGrant(ctx, f.admin, ev(f.admin), g.ID, g.Version, "campaign over")
		require.NoError(t, err)
		require.Equal(t, access.CodeNoGrant, readPatient(t, d, f).Code)

		// Expiry needs nothing but the clock.
		g2, err := svc.CreateGrant(ctx, f.admin, ev(f.admin), "pA", grant.GranteeAgent, f.agent.UserID,
			grant.Scope{Kinds: []policy.Kind{policy.BalanceFollowup}, Days: 10, Reason: "cover for vacation"})
		require.NoError(t, err)
		require.True(t, readPatient(t, d, f).Allow)
		clk.Add(10 * 24 * time.Hour)
		require.Equal(t, access.CodeNoGrant, readPatient(t, d, f).Code)
		require.Equal(t, grant.Expired, g2.State(clk.Now()))

		gs, err := svc.Grants(ctx, "pA")
		require.NoError(t, err)
		require.Len(t, gs, 2)
		none, err := svc.Grants(ctx, "pB")
		require.NoError(t, err)
		require.Empty(t, none)

		// Every change left an audit event naming the grant.
		n := 0
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('grant', 'revoke')`).Scan(&n))
		require.Equal(t, 4, n)
	})
}

func TestAccessRequests(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
		f := setup(t, db, clk.Now())
		d, facts := decider(f, clk.Now)
		svc := newService(f, d, facts, clk.Now)
		sc := grant.Scope{Kinds: []policy.Kind{policy.BalanceFollowup}, Days: 30, Reason: "new team takes over AR"}

		req, err := svc.RequestAccess(ctx, f.admin2, ev(f.admin2), "pA", f.teamID, sc)
		require.NoError(t, err)
		_, _, err = svc.DecideRequest(ctx, f.admin2, ev(f.admin2), req.ID, true, "")
		require.ErrorIs(t, err, grant.ErrSelfApproval, "the requester cannot approve its own request")
		require.False(t, readPatient(t, d, f).Allow)

		_, _, err = svc.DecideRequest(ctx, f.admin, ev(f.admin), req.ID, false, "")
		require.Equal(t, "note", fieldOf(err), "a denial needs a note")
		r, g, err := svc.DecideRequest(ctx, f.admin, ev(f.admin), req.ID, true, "ok")
		require.NoError(t, err)
		require.Equal(t, grant.RequestApproved, r.State)
		require.Equal(t, g.ID, r.GrantID)
		require.Equal(t, req.ID, g.RequestID)
		require.True(t, readPatient(t, d, f).Allow)
		_, _, err = svc.DecideRequest(ctx, f.admin, ev(f.admin), req.ID, false, "changed my mind")
		require.Equal(t, apperr.KindConflict, apperr.KindOf(err))

		_, err = svc.RequestAccess(ctx, f.bm, ev(f.bm), "pA", "no-such-team", sc)
		require.Equal(t, "team_id", fieldOf(err))
		pending, err := svc.RequestAccess(ctx, f.bm, ev(f.bm), "pA", f.teamID, sc)
		require.NoError(t, err)
		denied, _, err := svc.DecideRequest(ctx, f.admin, ev(f.admin), pending.ID, false, "not needed")
		require.NoError(t, err)
		require.Equal(t, grant.RequestDenied, denied.State)
		list, err := svc.Requests(ctx, "pA", grant.RequestDenied)
		require.NoError(t, err)
		require.Len(t, list, 1)
	})
}

func fieldOf(err error) string {
	if ae, ok := err.(*apperr.Error); ok {
		return ae.Field
	}
	return ""
}

func TestBreakGlass(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}
		f := setup(t, db, clk.Now())
		d, facts := decider(f, clk.Now)
		svc := newService(f, d, facts, clk.Now)

		_, err := svc.OpenBreakGlass(ctx, f.agent, ev(f.agent), f.patientID, "too short")
		require.Equal(t, "reason", fieldOf(err))
		_, err = svc.OpenBreakGlass(ctx, f.bm, ev(f.bm), f.patientID, "billing manager wants to look at this")
		require.Equal(t, apperr.KindForbidden, apperr.KindOf(err))
		b, err := svc.OpenBreakGlass(ctx, f.agent, ev(f.agent), f.patientID, "patient on the phone disputing a charge now")
		require.NoError(t, err)
		dec := readPatient(t, d, f)
		require.True(t, dec.BreakGlass())
		require.Equal(t, b.ID, dec.BreakGlassID)
		mine, err := svc.MyBreakGlass(ctx, f.agent)
		require.NoError(t, err)
		require.Len(t, mine, 1, "the holder sees its open session, for the banner")
		require.Equal(t, b.ID, mine[0].ID)
		others, err := svc.MyBreakGlass(ctx, f.admin)
		require.NoError(t, err)
		require.Empty(t, others, "nobody else's")

		clk.Add(15 * time.Minute)
		mine, err = svc.MyBreakGlass(ctx, f.agent)
		require.NoError(t, err)
		require.Empty(t, mine, "an expired session is no longer shown")
		require.Equal(t, access.CodeNoGrant, readPatient(t, d, f).Code, "break-glass is time-boxed")
		queue, err := svc.BreakGlassQueue(ctx, true)
		require.NoError(t, err)
		require.Len(t, queue, 1, "it stays on the review queue after it expires")
		_, err = svc.ReviewBreakGlass(ctx, f.admin, ev(f.admin), b.ID, grant.Review{})
		require.Equal(t, "note", fieldOf(err))
		_, err = svc.ReviewBreakGlass(ctx, f.admin, ev(f.admin), b.ID, grant.Review{Note: "confirmed with the patient's call log",
			Disposition: grant.Justified})
		require.NoError(t, err)
		queue, err = svc.BreakGlassQueue(ctx, true)
		require.NoError(t, err)
		require.Empty(t, queue)

		var flagged int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE action = 'break_glass'`).Scan(&flagged))
		require.Equal(t, 1, flagged)
		var leaked int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM audit_events WHERE body LIKE '%disputing a charge%'`).Scan(&leaked))
		require.Zero(t, leaked, "the free-text reason stays in the session record, out of the audit trail")
	})
}

// Two replicas share one Redis: a revocation through one is seen by the
// other as soon as the invalidation arrives, without waiting for its TTL.
func TestRevocationReachesEveryReplica(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		opt, err := redis.ParseURL(testenv.Redis(t))
		require.NoError(t, err)
		channel := "test:access:" + uuid.NewString()
		now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
		f := setup(t, db, now)
		clk := func() time.Time { return now } // frozen: only invalidation can end the cached grant

		replica := func() (*access.Decider, *factcache.Cache, chan string) {
			rc := redis.NewClient(opt)
			t.Cleanup(func() { _ = rc.Close() })
			seen := make(chan string, 16)
			facts := factcache.New(f.facts, factcache.Config{Redis: rc, Channel: channel, Now: clk, TTL: time.Hour,
				Invalidated: func(k string) { seen <- k }})
			go facts.Run(ctx)
			require.Equal(t, access.AllKey, <-seen, "a subscription starts with an empty cache")
			return access.NewDecider(facts, access.DeciderConfig{Now: clk}), facts, seen
		}
		one, oneFacts, _ := replica()
		two, twoFacts, twoSeen := replica()
		svc := newService(f, one, oneFacts, clk)

		g, err := svc.CreateGrant(ctx, f.admin, ev(f.admin), "pA", grant.GranteeTeam, f.teamID,
			grant.Scope{Kinds: []policy.Kind{policy.BalanceFollowup}, Reason: "spring balance campaign"})
		require.NoError(t, err)
		require.Equal(t, access.PracticeKey("pA"), <-twoSeen)
		require.True(t, readPatient(t, two, f).Allow, "replica two caches the grant")
		require.True(t, twoFacts.Live())

		start := time.Now()
		_, err = svc.RevokeGrant(ctx, f.admin, ev(f.admin), g.ID, g.Version, "done")
		require.NoError(t, err)
		require.Equal(t, access.PracticeKey("pA"), <-twoSeen)
		t.Logf("revocation reached the other replica after %s", time.Since(start))
		require.Equal(t, access.CodeNoGrant, readPatient(t, two, f).Code)
	})
}
