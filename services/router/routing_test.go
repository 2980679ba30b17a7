package router_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/queue"
	"github.com/backdesk/backdesk/pkg/platform/relay"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/backdesk/backdesk/services/router"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

const practiceID = "pr-routing"

func execIn(t testing.TB, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), practiceID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

// routingWorld is an active practice with patients, and agents of one
// team the practice has granted balance follow-up.
func routingWorld(t testing.TB, db *sqldb.DB, agents, capacity, patients int) {
	ctx := context.Background()
	now := time.Now().UTC()
	execIn(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'P', '1', 'UTC', 'active', $2, $2)`, practiceID, now)
	for i := range patients {
		execIn(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, $1, 'A', 'B', '1980-01-01', $3, $3)`, fmt.Sprintf("pt%05d", i), practiceID, now)
	}
	r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
	seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the roster up
	team, err := r.CreateTeam(ctx, seeder, "Routing", now)
	require.NoError(t, err)
	for i := range agents {
		uid, err := r.EnsureUser(ctx, "https://idp.test", fmt.Sprintf("agent-%03d", i), "", "", now)
		require.NoError(t, err)
		require.NoError(t, r.PutAgent(ctx, seeder, roster.Agent{UserID: uid, DisplayName: "A", Active: true, Capacity: capacity,
			Kinds: []policy.Kind{policy.BalanceFollowup}}, now))
		require.NoError(t, r.SetPresence(ctx, seeder, uid, routing.Available, now))
		require.NoError(t, r.AddMember(ctx, seeder, team.ID, uid, now))
	}
	execIn(t, db, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
VALUES ('g-routing', $1, 'team', $2, '["balance_followup"]', '["identity"]', 'routing test', 't', $3, $4, $4, $3)`,
		practiceID, team.ID, now.Add(-time.Hour), now.AddDate(0, 0, 30))
}

// createItems makes n open items and their routing tasks in the outbox,
// as an import does.
func createItems(t testing.TB, db *sqldb.DB, n int) {
	now := time.Now().UTC()
	items := make([]work.Item, n)
	for i := range items {
		items[i] = work.Item{ID: fmt.Sprintf("wi-%05d", i), PracticeID: practiceID, PatientID: fmt.Sprintf("pt%05d", i),
			Kind: policy.BalanceFollowup, SubjectType: work.SubjectBalance, SubjectID: fmt.Sprintf("b%05d", i),
			State: work.Open, DueAt: now.AddDate(0, 0, 3), Version: 1, CreatedAt: now}
	}
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), practiceID), func(tx *sql.Tx) error {
		_, err := workstore.New(db, auditstore.New(db)).CreateOpen(context.Background(), tx, items, now)
		return err
	}))
}

// createOne makes item i and its routing task, committed alone.
func createOne(t testing.TB, db *sqldb.DB, i int) {
	now := time.Now().UTC()
	it := work.Item{ID: fmt.Sprintf("wi-%05d", i), PracticeID: practiceID, PatientID: fmt.Sprintf("pt%05d", i),
		Kind: policy.BalanceFollowup, SubjectType: work.SubjectBalance, SubjectID: fmt.Sprintf("b%05d", i),
		State: work.Open, DueAt: now.AddDate(0, 0, 3), Version: 1, CreatedAt: now}
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), practiceID), func(tx *sql.Tx) error {
		_, err := workstore.New(db, auditstore.New(db)).CreateOpen(context.Background(), tx, []work.Item{it}, now)
		return err
	}))
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Many router workers at once, in several servers on one Redis, with every
// routing task sent three times: every item is assigned exactly once and
// no agent goes over capacity.
func TestManyRoutersOverOneQueue(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		const items, agents, capacity = 120, 5, 30
		routingWorld(t, db, agents, capacity, items)
		opt, err := queue.RedisOpt(testenv.Redis(t))
		require.NoError(t, err)
		client := asynq.NewClient(opt)
		defer client.Close()

		regs := make([]*prometheus.Registry, 4)
		for i := range regs {
			regs[i] = prometheus.NewRegistry()
			r := newRouter(t, db, regs[i])
			srv := queue.NewServer(opt, queue.ServerConfig{Concurrency: 4, Weights: router.DefaultWeights(), Logger: quiet(), PollInterval: 20 * time.Millisecond})
			require.NoError(t, srv.Start(r.Handler()))
			defer srv.Shutdown()
		}
		createItems(t, db, items)
		relay := relay.New(db, client, relay.Config{Interval: 20 * time.Millisecond, Logger: quiet()})
		go relay.Run(ctx)
		// Duplicates beside the outbox's own tasks: a retry storm.
		for i := range items {
			payload, _ := json.Marshal(work.RouteArgs{WorkItemID: fmt.Sprintf("wi-%05d", i)})
			for range 2 {
				_, err := client.Enqueue(asynq.NewTask(work.TaskRoute, payload), asynq.Queue(work.QueueBalances))
				require.NoError(t, err)
			}
		}
		count := func(q string) int {
			var n int
			require.NoError(t, db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error { return tx.QueryRowContext(ctx, q).Scan(&n) }))
			return n
		}
		// The deadline only stops a hung run.
		require.Eventually(t, func() bool { return count(`SELECT count(*) FROM work_items WHERE state = 'open'`) == 0 },
			2*time.Minute, 20*time.Millisecond)
		require.Zero(t, count(`SELECT count(*) FROM work_items WHERE version <> 2`), "each item assigned exactly once")
		require.Zero(t, count(`SELECT count(*) FROM (SELECT owner_id FROM work_items GROUP BY owner_id HAVING count(*) > 30) x`))
		assignedCount := func() float64 {
			assigned := 0.0
			for _, reg := range regs {
				mfs, err := reg.Gather()
				require.NoError(t, err)
				for _, mf := range mfs {
					if mf.GetName() != "backdesk_routing_attempts_total" {
						continue
					}
					for _, m := range mf.GetMetric() {
						for _, l := range m.GetLabel() {
							if l.GetName() == "outcome" && l.GetValue() == "assigned" {
								assigned += m.GetCounter().GetValue()
							}
						}
					}
				}
			}
			return assigned
		}
		// A router counts an assignment once its transaction has
		// committed, so the last count may land just after the items
		// show assigned; wait for it, then hold the total to exactly one
		// per item. The deadline only stops a hung run.
		require.Eventually(t, func() bool { return assignedCount() >= float64(items) }, 10*time.Second, 10*time.Millisecond)
		assigned := assignedCount()
		require.Equal(t, float64(items), assigned, "the routers together assigned each item once, however often its task came")
		for _, reg := range regs {
			mfs, err := reg.Gather()
			require.NoError(t, err)
			for _, mf := range mfs {
				if mf.GetName() != "backdesk_routing_wait_seconds" {
					continue
				}
				for _, m := range mf.GetMetric() {
					for _, l := range m.GetLabel() {
						require.Equal(t, "kind", l.GetName())
						require.Equal(t, "balance_followup", l.GetValue(), "waits are told apart by kind of work, not by task type")
					}
				}
			}
		}
	})
}

// The queue depth series reads what Redis holds.
func TestQueueDepthMetric(t *testing.T) {
	t.Parallel()
	opt, err := queue.RedisOpt(testenv.Redis(t))
	require.NoError(t, err)
	client := asynq.NewClient(opt)
	defer client.Close()
	for range 3 {
		_, err := client.Enqueue(asynq.NewTask("test:depth", nil), asynq.Queue(work.QueueRecare))
		require.NoError(t, err)
	}
	_, err = client.Enqueue(asynq.NewTask("test:depth", nil), asynq.Queue(work.QueueClaims), asynq.ProcessIn(time.Hour))
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	reg.MustRegister(router.QueueDepth(opt))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			got[labels["queue"]+"/"+labels["state"]] = m.GetGauge().GetValue()
		}
	}
	require.Equal(t, 3.0, got["recare/pending"])
	require.Equal(t, 1.0, got["claims/scheduled"])
	require.Equal(t, 0.0, got["balances/pending"])
}
