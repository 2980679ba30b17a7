package reportstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/report/reportstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A Thursday afternoon; its week starts Monday 2026-03-02.
var now = time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC)

func exec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.AllPractices(context.Background()), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

type item struct {
	id, practice, kind, state, owner string
	due                              time.Time
	next, finished, escalated        *time.Time
	attempts                         int
	created                          time.Time
}

func at(t time.Time) *time.Time { return &t }

// reports is the report service over a store of db, as the services build
// it.
func reports(db *sqldb.DB) *report.Service { return report.NewService(reportstore.New(db)) }

// seed makes two practices, two agents and a known set of items and
// contacts whose counts the tests below spell out.
func seed(t *testing.T, db *sqldb.DB) {
	for _, p := range []string{"pr-a", "pr-b"} {
		exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, $1, $1, 'UTC', 'active', $2, $2)`, p, now)
		exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, 'E', 'A', 'B', '1980-01-01', $3, $3)`, "pt-"+p, p, now)
	}
	exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ('pt-a2', 'pr-a', 'E2', 'C', 'D', '1980-01-01', $1, $1)`, now)
	for _, a := range [][3]string{{"u-alice", "Alice", "available"}, {"u-bob", "Bob", "offline"}} {
		exec(t, db, `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ($1, 'iss', $1, $2, '', $3, $3)`, a[0], a[1], now)
		exec(t, db, `INSERT INTO agents (user_id, display_name, active, capacity, presence, created_at, updated_at) VALUES ($1, $2, true, 10, $3, $4, $4)`,
			a[0], a[1], a[2], now)
	}
	day := 24 * time.Hour
	items := []item{
		{id: "w1", practice: "pr-a", kind: "balance_followup", state: "open", due: now.Add(-day), escalated: at(now.Add(-time.Hour)), created: now.Add(-10 * day)},
		{id: "w2", practice: "pr-a", kind: "balance_followup", state: "assigned", owner: "u-alice", due: now.Add(day), created: now.Add(-2 * day)},
		{id: "w3", practice: "pr-a", kind: "balance_followup", state: "waiting", owner: "u-alice", due: now.Add(-3 * day), next: at(now.Add(-time.Hour)), attempts: 1, created: now.Add(-5 * day)},
		{id: "w4", practice: "pr-a", kind: "recare", state: "in_progress", owner: "u-bob", due: now.Add(2 * day), created: now.Add(-day)},
		{id: "w5", practice: "pr-a", kind: "recare", state: "resolved", owner: "u-alice", due: now, finished: at(now.Add(-time.Hour)), attempts: 1, created: now.Add(-3 * day)},
		{id: "w6", practice: "pr-a", kind: "balance_followup", state: "closed", owner: "u-bob", due: now, finished: at(now.Add(-2 * day)), attempts: 2, created: now.Add(-4 * day)},
		{id: "w7", practice: "pr-a", kind: "recare", state: "resolved", owner: "u-bob", due: now, finished: at(now.Add(-5 * day)), attempts: 1, created: now.Add(-8 * day)},
		{id: "w8", practice: "pr-b", kind: "claim_followup", state: "assigned", owner: "u-bob", due: now.Add(-2 * day), created: now.Add(-6 * day)},
	}
	for _, it := range items {
		patient := "pt-" + it.practice
		if it.id == "w3" {
			patient = "pt-a2"
		}
		exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, next_contact_at,
finished_at, escalated_at, attempts, created_at, updated_at) VALUES ($1, $2, $3, $4, 'balance', $1, $5, NULLIF($6, ''), $7, $8, $9, $10, $11, $12, $12)`,
			it.id, it.practice, patient, it.kind, it.state, it.owner, it.due, it.next, it.finished, it.escalated, it.attempts, it.created)
	}
	exec(t, db, `INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, aged_0_30_cents, aged_over_90_cents, created_at, updated_at)
VALUES ('b1', 'pr-a', 'pt-pr-a', 'B1', 7000, 5000, 2000, $1, $1), ('b2', 'pr-a', 'pt-a2', 'B2', 900, 900, 0, $1, $1)`, now)
	exec(t, db, `INSERT INTO recalls (id, practice_id, patient_id, external_id, recall_type, due_date, scheduled, created_at, updated_at)
VALUES ('r1', 'pr-a', 'pt-pr-a', 'R1', 'prophy', '2026-02-01', false, $1, $1), ('r2', 'pr-a', 'pt-a2', 'R2', 'prophy', '2026-02-01', true, $1, $1),
('r3', 'pr-a', 'pt-a2', 'R3', 'perio', '2026-09-01', false, $1, $1)`, now)
	exec(t, db, `INSERT INTO treatment_plans (id, practice_id, patient_id, external_id, est_patient_cents, presented_date, scheduled, created_at, updated_at)
VALUES ('t1', 'pr-a', 'pt-pr-a', 'T1', 30000, '2026-01-05', false, $1, $1)`, now)
	acts := []struct {
		id, item, patient, actor, outcome string
		promised, paid                    int64
		at                                time.Time
	}{
		{"a1", "w3", "pt-a2", "u-alice", "promised_payment", 5000, 0, now.Add(-2 * time.Hour)},
		{"a2", "w5", "pt-pr-a", "u-alice", "scheduled", 0, 0, now.Add(-time.Hour)},
		{"a3", "w6", "pt-pr-a", "u-bob", "paid", 0, 12000, now.Add(-2 * day)},
		{"a4", "w7", "pt-pr-a", "u-bob", "paid", 0, 700, now.Add(-5 * day)}, // last week
		{"a5", "w5", "pt-pr-a", "u-alice", "note", 0, 0, now.Add(-time.Minute)},
		{"a6", "w8", "pt-pr-b", "u-bob", "voicemail", 0, 0, now.Add(-30 * time.Minute)},
	}
	for _, a := range acts {
		prac := "pr-a"
		if a.item == "w8" {
			prac = "pr-b"
		}
		exec(t, db, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, promised_cents, paid_cents, at)
VALUES ($1, $2, $3, $4, $5, 'call', $6, $7, $8, $9)`, a.id, prac, a.item, a.patient, a.actor, a.outcome, a.promised, a.paid, a.at)
	}
}

func TestManagerBoard(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seed(t, db)
		b, err := reports(db).ManagerBoard(context.Background(), now, 7)
		require.NoError(t, err)
		require.Equal(t, []report.Depth{
			{PracticeID: "pr-a", PracticeName: "pr-a", Kind: "balance_followup", Open: 1, Assigned: 1, Waiting: 1, Unfinished: 3, Overdue: 2, Escalated: 1, Breached: 1},
			{PracticeID: "pr-a", PracticeName: "pr-a", Kind: "recare", InProgress: 1, Unfinished: 1},
			{PracticeID: "pr-b", PracticeName: "pr-b", Kind: "claim_followup", Assigned: 1, Unfinished: 1, Overdue: 1, Breached: 1},
		}, b.Depth)
		require.Equal(t, report.Depth{Open: 1, Assigned: 2, InProgress: 1, Waiting: 1, Unfinished: 5, Overdue: 3, Escalated: 1, Breached: 2}, b.Totals)
		require.Equal(t, "pr-b", b.Breaches[0].PracticeName, "a breach names its practice")
		require.Len(t, b.Breaches, 2)
		require.Equal(t, "w8", b.Breaches[0].ItemID, "the oldest breach first")
		require.Len(t, b.Agents, 2)
		alice, bob := b.Agents[0], b.Agents[1]
		require.Equal(t, report.AgentLoad{UserID: "u-alice", DisplayName: "Alice", Presence: "available", OnShift: true, Capacity: 10,
			Open: 2, Overdue: 1, ContactsToday: 2, CompletedToday: 1, Completed7d: 1}, alice)
		require.Equal(t, report.AgentLoad{UserID: "u-bob", DisplayName: "Bob", Presence: "offline", Capacity: 10,
			Open: 2, Overdue: 1, ContactsToday: 1, Completed7d: 2}, bob)
		require.Equal(t, 1, b.OnShift)
		// The last day's depth counts what is unfinished now. At the end of
		// 28 February w7 had just finished, w6 and w4 did not exist yet.
		depthOn := func(day string) map[string]int {
			m := map[string]int{}
			for _, d := range b.History {
				if d.Day == day {
					m[string(d.Kind)] = d.Open
				}
			}
			return m
		}
		require.Equal(t, map[string]int{"balance_followup": 3, "claim_followup": 1, "recare": 1}, depthOn("2026-03-05"))
		require.Equal(t, map[string]int{"balance_followup": 2, "claim_followup": 1}, depthOn("2026-02-28"))
		require.Equal(t, map[string]int{"balance_followup": 1, "claim_followup": 1, "recare": 1}, depthOn("2026-02-27"), "w7 open, w3 not yet made")
	})
}

func TestPracticeSummary(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seed(t, db)
		s, err := reports(db).Practice(context.Background(), "pr-a", now, 100)
		require.NoError(t, err)
		require.Equal(t, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), s.WeekStart)
		require.Equal(t, []report.StateCount{
			{Kind: "balance_followup", State: "assigned", Count: 1}, {Kind: "balance_followup", State: "closed", Count: 1},
			{Kind: "balance_followup", State: "open", Count: 1}, {Kind: "balance_followup", State: "waiting", Count: 1},
			{Kind: "recare", State: "in_progress", Count: 1}, {Kind: "recare", State: "resolved", Count: 2},
		}, s.ByState)
		require.Equal(t, []report.KindCount{{Kind: "balance_followup", Count: 2}}, s.Overdue)
		require.Equal(t, []report.KindCount{{Kind: "recare", Count: 1}}, s.ResolvedThisWeek, "w7 finished last week")
		require.Equal(t, []report.KindCount{{Kind: "balance_followup", Count: 1}}, s.ClosedThisWeek)
		require.Equal(t, report.Money{PromisedCents: 5000, PaidCents: 12000}, s.ThisWeek)
		require.Equal(t, report.Money{PromisedCents: 5000, PaidCents: 12700}, s.Last30Days)
		// One line per patient, its latest contact (the later note is not one);
		// the other practice's patient is not there.
		require.Len(t, s.LastContacts, 2)
		require.Equal(t, "pt-pr-a", s.LastContacts[0].PatientID)
		require.Equal(t, "scheduled", s.LastContacts[0].Outcome)
		require.Equal(t, "pt-a2", s.LastContacts[1].PatientID)
		require.Equal(t, "promised_payment", s.LastContacts[1].Outcome)
		require.Equal(t, []report.AgingBucket{{Band: "0-30", AmountCents: 5900, Accounts: 2}, {Band: "31-60"}, {Band: "61-90"},
			{Band: "90+", AmountCents: 2000, Accounts: 1}}, s.ARAging)
		require.Equal(t, report.Recare{DueUnscheduled: 1, Scheduled: 1, Reactivated30d: 2, OpenFollowups: 1}, s.Recare)
		require.Equal(t, report.Treatment{Unscheduled: 1, UnscheduledCents: 30000}, s.Treatment)

		empty, err := reports(db).Practice(context.Background(), "pr-b", now, 100)
		require.NoError(t, err, "a practice with no balances, recalls or plans")
		require.Equal(t, []report.AgingBucket{{Band: "0-30"}, {Band: "31-60"}, {Band: "61-90"}, {Band: "90+"}}, empty.ARAging)
	})
}
