package reportstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/migrate"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/report/reportstore"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The board's kept counts (migration 0023) follow every kind of change to
// the items, single and in bulk: after each step of a random mix of
// inserts, state changes, reassignments, contacts, escalations, finishing,
// reopening and deletion they equal a recount of the items, and the board
// read from them equals the board read from the items, at times on and
// around midnights, before and after the past days were merged.
func TestKeptCountsMatchARecount(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seedRandom := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seedRandom)
		m := newMixer(t, db, seedRandom)
		m.people()
		store := reportstore.NewMergingEveryTime(db)
		for step := range 400 {
			m.change()
			if step%10 == 9 {
				m.checkKept()
			}
			if step%25 == 24 {
				m.checkBoard(store)
			}
		}
		m.checkKept()
		m.checkBoard(store)
		m.checkBoard(reportstore.New(db))
		require.Greater(m.t, len(m.items()), 20, "items to count")
		require.NotEqual(t, "0001-01-01", m.through, "the past days were merged")
		if db.Dialect == sqldb.Postgres {
			// A recount (after a load without triggers) gives the same.
			owner := testenv.OwnerDB(t, db)
			_, err := owner.ExecContext(context.Background(), `SELECT board_recount()`)
			require.NoError(t, err)
			m.checkKept()
			m.checkBoard(store)
		}
	})
}

// Migration 0023 counts the items already there.
func TestBoardCountsCountWhatIsThere(t *testing.T) {
	t.Parallel()
	testenv.EachEmptyDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		_, err := migrate.Apply(ctx, db, migrationsBefore(t, db.Dialect, 23))
		require.NoError(t, err)
		m := newMixer(t, db, uint64(time.Now().UnixNano()))
		m.people()
		for range 60 {
			m.insert()
		}
		_, err = schema.Migrate(ctx, db)
		require.NoError(t, err)
		m.checkKept()
		m.checkBoard(reportstore.New(db))
	})
}

// Items changed by several transactions at once, while boards merge the
// past days, are still counted right.
func TestKeptCountsHoldUnderConcurrentChanges(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		m := newMixer(t, db, seed)
		m.people()
		for range 30 {
			m.insert()
		}
		var ids []string
		for i := range m.next {
			ids = append(ids, m.prefix+strconv.Itoa(i+1))
		}
		store := reportstore.NewMergingEveryTime(db)
		errs := make(chan error, 8)
		var wg sync.WaitGroup
		for w := range 4 {
			wm := newMixer(t, db, seed+uint64(w)+1)
			wm.prefix = fmt.Sprintf("wc%d-", w)
			wg.Go(func() {
				for range 60 {
					id := ""
					if wm.rng.IntN(4) > 0 {
						id = ids[wm.rng.IntN(len(ids))]
					}
					q, args := wm.changeOf(id, false)
					err := db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, q, args...)
						return err
					})
					if err != nil {
						errs <- fmt.Errorf("%s: %w", q, err)
						return
					}
				}
			})
		}
		wg.Go(func() {
			for d := range 20 {
				if _, err := store.Board(ctx, m.base.AddDate(0, 0, d-6).Add(time.Hour), 7); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		m.checkKept()
		m.checkBoard(reportstore.New(db))
	})
}

// migrationsBefore is d's migrations numbered below version.
func migrationsBefore(t *testing.T, d sqldb.Dialect, version int) fs.FS {
	all := schema.FS(d)
	names, err := fs.Glob(all, "*.sql")
	require.NoError(t, err)
	out := fstest.MapFS{}
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		require.NoError(t, err)
		if v < version {
			raw, err := fs.ReadFile(all, n)
			require.NoError(t, err)
			out[n] = &fstest.MapFile{Data: raw}
		}
	}
	return out
}

// mixer changes random items of a few practices, in one to a few
// statements at a time, and knows how to count what it made.
type mixer struct {
	t    *testing.T
	db   *sqldb.DB
	rng  *rand.Rand
	next int
	// prefix starts the ids of the items it makes.
	prefix string
	base   time.Time
	// through is board_rollup's day as last read: the recount folds the
	// days before it as the counts do.
	through string
}

var (
	mixPractices = []string{"pm-a", "pm-b", "pm-c"}
	mixKinds     = []string{"balance_followup", "claim_followup", "recare"}
	mixOwners    = []string{"", "u-ann", "u-cy"}
	mixStates    = []string{"open", "assigned", "in_progress", "waiting", "resolved", "closed"}
)

func newMixer(t *testing.T, db *sqldb.DB, seed uint64) *mixer {
	return &mixer{t: t, db: db, rng: rand.New(rand.NewPCG(seed, 23)), prefix: "wm-", base: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)}
}

// stmt is a statement and its arguments.
func stmt(q string, args ...any) (string, []any) { return q, args }

func (m *mixer) exec(q string, args []any) int64 {
	m.t.Helper()
	var n int64
	require.NoError(m.t, m.db.Tx(sqldb.AllPractices(context.Background()), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(context.Background(), q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	}), q)
	return n
}

// people makes the practices, a patient each and the agents.
func (m *mixer) people() {
	for _, p := range mixPractices {
		m.exec(stmt(`INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, $1, $1, 'UTC', 'active', $2, $2)`,
			p, m.base))
		m.exec(stmt(`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, 'E', 'A', 'B', '1980-01-01', $3, $3)`, "pt-"+p, p, m.base))
	}
	for _, a := range mixOwners[1:] {
		m.exec(stmt(`INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at) VALUES ($1, 'iss', $1, $1, '', $2, $2)`,
			a, m.base))
		m.exec(stmt(`INSERT INTO agents (user_id, display_name, active, capacity, presence, created_at, updated_at)
VALUES ($1, $1, true, 10, 'available', $2, $2)`, a, m.base))
	}
}

// at is a time within a few days of base, often on or next to a
// midnight, to the microsecond (as PostgreSQL keeps it).
func (m *mixer) at() time.Time {
	day := m.base.AddDate(0, 0, m.rng.IntN(12)-6)
	switch m.rng.IntN(6) {
	case 0:
		return day
	case 1:
		return day.Add(time.Microsecond)
	case 2:
		return day.Add(-time.Microsecond)
	}
	return day.Add(time.Duration(m.rng.Int64N(int64(24*time.Hour))) / time.Microsecond * time.Microsecond)
}

func (m *mixer) maybeAt(p int) any {
	if m.rng.IntN(p) == 0 {
		return nil
	}
	return m.at()
}

func (m *mixer) pick(list []string) string { return list[m.rng.IntN(len(list))] }

// insert adds one to three items in one statement.
func (m *mixer) insert() { m.exec(m.insertion()) }

// insertion is a statement adding one to three items.
func (m *mixer) insertion() (string, []any) {
	n := 1 + m.rng.IntN(3)
	var rows []string
	var args []any
	for i := range n {
		m.next++
		p := m.pick(mixPractices)
		state := m.pick(mixStates)
		var finished any
		if state == "resolved" || state == "closed" || m.rng.IntN(10) == 0 {
			finished = m.maybeAt(8)
		}
		var owner any
		if o := m.pick(mixOwners); o != "" {
			owner = o
		}
		j := i * 12
		rows = append(rows, fmt.Sprintf("($%d, $%d, $%d, $%d, 'balance', $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)",
			j+1, j+2, j+3, j+4, j+1, j+5, j+6, j+7, j+8, j+9, j+10, j+11, j+12, j+12))
		args = append(args, m.prefix+strconv.Itoa(m.next), p, "pt-"+p, m.pick(mixKinds), state, owner, m.at(), m.maybeAt(2), finished,
			m.maybeAt(2), m.rng.IntN(2), m.at())
	}
	return `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, next_contact_at,
finished_at, escalated_at, attempts, created_at, updated_at) VALUES ` + strings.Join(rows, ", "), args
}

// item is a random existing item's id, or "" when there is none.
func (m *mixer) item() string {
	var id string
	err := m.db.Tx(sqldb.AllPractices(context.Background()), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), `SELECT id FROM work_items ORDER BY id LIMIT 1 OFFSET $1`,
			m.rng.IntN(max(m.next, 1))).Scan(&id)
	})
	if err == sql.ErrNoRows {
		return ""
	}
	require.NoError(m.t, err)
	return id
}

// change makes one random change.
func (m *mixer) change() {
	id := ""
	if m.next >= 10 && m.rng.IntN(5) > 0 {
		id = m.item()
	}
	m.exec(m.changeOf(id, true))
}

// singleChanges are changeOf's changes of one item.
var singleChanges = []int{0, 1, 2, 3, 4, 5, 9, 11, 12}

// changeOf is a statement making a random change to item id, or adding
// items when id is "". With bulk, it may change many items at once.
func (m *mixer) changeOf(id string, bulk bool) (string, []any) {
	if id == "" {
		return m.insertion()
	}
	now := m.at()
	change := m.rng.IntN(14)
	if !bulk {
		change = singleChanges[m.rng.IntN(len(singleChanges))]
	}
	switch change {
	case 0: // started, assigned, waiting or back to open
		return stmt(`UPDATE work_items SET state = $2, updated_at = $3 WHERE id = $1`, id, m.pick(mixStates[:4]), now)
	case 1: // an outcome: finished, or waiting for the next contact
		if m.rng.IntN(2) == 0 {
			return stmt(`UPDATE work_items SET state = $2, finished_at = $3, next_contact_at = NULL, attempts = attempts + 1 WHERE id = $1`,
				id, m.pick(mixStates[4:]), now)
		} else {
			return stmt(`UPDATE work_items SET state = 'waiting', next_contact_at = $2, attempts = attempts + 1 WHERE id = $1`, id, m.at())
		}
	case 2: // reassigned
		var owner any
		if o := m.pick(mixOwners); o != "" {
			owner = o
		}
		return stmt(`UPDATE work_items SET owner_id = $2, state = CASE WHEN CAST($2 AS TEXT) IS NULL THEN 'open' ELSE 'assigned' END WHERE id = $1`, id, owner)
	case 3: // escalated, or no longer
		return stmt(`UPDATE work_items SET escalated_at = $2 WHERE id = $1`, id, m.maybeAt(2))
	case 4: // reopened, finished_at kept or cleared
		return stmt(`UPDATE work_items SET state = 'open', finished_at = $2 WHERE id = $1`, id, m.maybeAt(2))
	case 5: // a new due date, or the first contact undone
		return stmt(`UPDATE work_items SET due_at = $2, attempts = $3 WHERE id = $1`, id, m.at(), m.rng.IntN(2))
	case 6: // what the board does not count: a lease, a priority
		return stmt(`UPDATE work_items SET lease_until = $2, priority = priority + 1 WHERE practice_id = $1`, m.pick(mixPractices), now)
	case 7: // a practice's kind resolved at once, as a remittance does
		return stmt(`UPDATE work_items SET state = 'resolved', finished_at = $3, next_contact_at = NULL WHERE practice_id = $1 AND kind = $2
AND state IN ('open', 'assigned', 'in_progress', 'waiting')`, m.pick(mixPractices), m.pick(mixKinds), now)
	case 8: // recalled in bulk
		return stmt(`UPDATE work_items SET state = 'open', next_contact_at = NULL WHERE practice_id = $1 AND state = 'waiting'`, m.pick(mixPractices))
	case 9:
		return stmt(`DELETE FROM work_items WHERE id = $1`, id)
	case 10:
		return stmt(`DELETE FROM work_items WHERE practice_id = $1 AND kind = $2 AND created_at < $3`, m.pick(mixPractices), m.pick(mixKinds), now)
	case 11: // moved to another practice and kind, made at another time
		return stmt(`UPDATE work_items SET practice_id = $2, patient_id = $3, kind = $4, created_at = $5 WHERE id = $1`,
			id, mixPractices[0], "pt-"+mixPractices[0], m.pick(mixKinds), m.at())
	case 12: // finished again at another time
		return stmt(`UPDATE work_items SET finished_at = $2 WHERE id = $1 AND finished_at IS NOT NULL`, id, now)
	default: // every item of a practice touched, some of it counted
		return stmt(`UPDATE work_items SET next_contact_at = CASE WHEN state = 'waiting' THEN $2 ELSE next_contact_at END,
attempts = attempts + CASE WHEN id < $3 THEN 1 ELSE 0 END WHERE practice_id = $1`, m.pick(mixPractices), m.at(), id)
	}
}

// counted is an item as the counts see it.
type counted struct {
	practice, kind, state string
	escalated             bool
	attempts              int
	next, finished        *time.Time
	due, created          time.Time
}

func (m *mixer) items() []counted {
	var out []counted
	ctx := context.Background()
	require.NoError(m.t, m.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT practice_id, kind, state, escalated_at IS NOT NULL, attempts, next_contact_at, finished_at,
due_at, created_at FROM work_items`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c counted
			var next, finished sql.NullTime
			if err := rows.Scan(&c.practice, &c.kind, &c.state, &c.escalated, &c.attempts, &next, &finished, &c.due, &c.created); err != nil {
				return err
			}
			if next.Valid {
				c.next = &next.Time
			}
			if finished.Valid {
				c.finished = &finished.Time
			}
			out = append(out, c)
		}
		return rows.Err()
	}))
	return out
}

// day is t's UTC day; endDay the day whose end is the first at or after t.
func day(t time.Time) string    { return t.UTC().Format(time.DateOnly) }
func endDay(t time.Time) string { return t.UTC().Add(-time.Microsecond).Format(time.DateOnly) }

// keptTables reads the counts as the board sees them: board_due's days
// before the merged one folded into it, board_days summed over practices.
func (m *mixer) keptTables() (depth map[string][6]int, due map[string][2]int, days map[string][2]int) {
	ctx := context.Background()
	depth, due, days = map[string][6]int{}, map[string][2]int{}, map[string][2]int{}
	require.NoError(m.t, m.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		clear(depth)
		clear(due)
		clear(days)
		var through string
		if err := tx.QueryRowContext(ctx, `SELECT CAST(through AS TEXT) FROM board_rollup`).Scan(&through); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT practice_id, kind, open_count, assigned_count, in_progress_count, waiting_count,
escalated_count, pending_count FROM board_depth`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var p, k string
			var v [6]int
			if err := rows.Scan(&p, &k, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]); err != nil {
				rows.Close()
				return err
			}
			if v != [6]int{} {
				depth[p+" "+k] = v
			}
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT CAST(day AS TEXT), practice_id, kind, contacts, firsts FROM board_due`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d, p, k string
			var c, f int
			if err := rows.Scan(&d, &p, &k, &c, &f); err != nil {
				rows.Close()
				return err
			}
			if d < through {
				d = "past"
			}
			v := due[d+" "+p+" "+k]
			due[d+" "+p+" "+k] = [2]int{v[0] + c, v[1] + f}
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, `SELECT CAST(day AS TEXT), kind, made, done FROM board_days`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d, k string
			var made, done int
			if err := rows.Scan(&d, &k, &made, &done); err != nil {
				return err
			}
			v := days[d+" "+k]
			days[d+" "+k] = [2]int{v[0] + made, v[1] + done}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// The past is folded only up to through: recount with it.
		m.through = through
		return nil
	}))
	dropZeros(due)
	dropZeros(days)
	return depth, due, days
}

func dropZeros(m map[string][2]int) {
	for k, v := range m {
		if v == [2]int{} {
			delete(m, k)
		}
	}
}

// checkKept compares the kept counts with a recount of the items.
func (m *mixer) checkKept() {
	m.t.Helper()
	depth, due, days := m.keptTables()
	wantDepth, wantDue, wantDays := map[string][6]int{}, map[string][2]int{}, map[string][2]int{}
	for _, c := range m.items() {
		g := c.practice + " " + c.kind
		v := wantDepth[g]
		live := c.state != "resolved" && c.state != "closed"
		for i, s := range mixStates[:4] {
			if c.state == s {
				v[i]++
			}
		}
		if c.state == "open" && c.escalated {
			v[4]++
		}
		if c.finished == nil {
			v[5]++
		}
		if v != [6]int{} {
			wantDepth[g] = v
		}
		fold := func(d string) string {
			if d < m.through {
				return "past"
			}
			return d
		}
		if live {
			contact := c.due
			if c.next != nil {
				contact = *c.next
			}
			k := fold(day(contact)) + " " + g
			w := wantDue[k]
			wantDue[k] = [2]int{w[0] + 1, w[1]}
			if c.attempts == 0 {
				k := fold(day(c.due)) + " " + g
				w := wantDue[k]
				wantDue[k] = [2]int{w[0], w[1] + 1}
			}
		}
		k := endDay(c.created) + " " + c.kind
		w := wantDays[k]
		wantDays[k] = [2]int{w[0] + 1, w[1]}
		if c.finished != nil {
			f := *c.finished
			if f.Before(c.created) {
				f = c.created
			}
			k := endDay(f) + " " + c.kind
			w := wantDays[k]
			wantDays[k] = [2]int{w[0], w[1] + 1}
		}
	}
	require.Equal(m.t, wantDepth, depth, "board_depth")
	require.Equal(m.t, wantDue, due, "board_due")
	require.Equal(m.t, wantDays, days, "board_days")
}

// checkBoard reads the board at a few random times, from the kept counts
// (through s) and from the items, and compares.
func (m *mixer) checkBoard(s *reportstore.Store) {
	m.t.Helper()
	for range 3 {
		now := m.at()
		days := 1 + m.rng.IntN(10)
		got, err := s.Board(context.Background(), now, days)
		require.NoError(m.t, err)
		want := m.boardFromItems(now, days)
		require.Equal(m.t, want, got, "board at %s over %d days", now, days)
	}
}

// The board as it was read from the items before the counts were kept:
// what the kept counts must give.
const (
	itemsDepth = `SELECT w.practice_id, p.name, w.kind,
SUM(CASE WHEN w.state = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'assigned' THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'in_progress' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'waiting' THEN 1 ELSE 0 END),
COUNT(*),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) >= $1 AND COALESCE(w.next_contact_at, w.due_at) < $2 THEN 1 ELSE 0 END),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) < $1 THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'open' AND w.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
SUM(CASE WHEN w.attempts = 0 AND w.due_at < $1 THEN 1 ELSE 0 END)
FROM work_items w JOIN practices p ON p.id = w.practice_id WHERE w.state IN ('open', 'assigned', 'in_progress', 'waiting')
GROUP BY w.practice_id, p.name, w.kind ORDER BY p.name, w.practice_id, w.kind`
	itemsAgents = `SELECT a.user_id, a.display_name, a.presence, a.capacity, a.timezone, a.hours,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ('open', 'assigned', 'in_progress', 'waiting')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ('open', 'assigned', 'in_progress', 'waiting')
  AND COALESCE(w.next_contact_at, w.due_at) < $1),
(SELECT count(*) FROM activities x WHERE x.actor_id = a.user_id AND x.at >= $2 AND x.outcome NOT IN ('note', 'handed_off', 'released')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $2),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $3)
FROM agents a WHERE a.active ORDER BY a.display_name, a.user_id`
	itemsDayDepth = `SELECT kind, count(*) FROM work_items
WHERE created_at <= $1 AND (finished_at IS NULL OR finished_at > $1) GROUP BY kind ORDER BY kind`
	itemsBreaches = `SELECT w.id, w.practice_id, p.name, w.kind, COALESCE(w.owner_id, ''), w.due_at, w.escalated_at
FROM work_items w JOIN practices p ON p.id = w.practice_id
WHERE w.state IN ('open', 'assigned', 'in_progress', 'waiting') AND w.attempts = 0 AND w.due_at < $1 ORDER BY w.due_at, w.id LIMIT $2`
)

// boardFromItems reads the board at now from the items.
func (m *mixer) boardFromItems(now time.Time, days int) report.Counts {
	m.t.Helper()
	ctx := context.Background()
	today := now.Truncate(24 * time.Hour)
	var c report.Counts
	require.NoError(m.t, m.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		c = report.Counts{Depth: []report.Depth{}, Agents: []report.Staffed{}, History: []report.DayDepth{}, Breaches: []report.Breach{}}
		rows, err := tx.QueryContext(ctx, itemsDepth, now, today.Add(24*time.Hour))
		if err != nil {
			return err
		}
		for rows.Next() {
			var d report.Depth
			if err := rows.Scan(&d.PracticeID, &d.PracticeName, &d.Kind, &d.Open, &d.Assigned, &d.InProgress, &d.Waiting, &d.Unfinished,
				&d.DueToday, &d.Overdue, &d.Escalated, &d.Breached); err != nil {
				rows.Close()
				return err
			}
			c.Depth = append(c.Depth, d)
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, itemsAgents, now, today, today.AddDate(0, 0, -6))
		if err != nil {
			return err
		}
		for rows.Next() {
			var a report.Staffed
			l := &a.AgentLoad
			if err := rows.Scan(&l.UserID, &l.DisplayName, &l.Presence, &l.Capacity, &a.Timezone, &a.Hours, &l.Open, &l.Overdue,
				&l.ContactsToday, &l.CompletedToday, &l.Completed7d); err != nil {
				rows.Close()
				return err
			}
			c.Agents = append(c.Agents, a)
		}
		rows.Close()
		for i := range days {
			start := today.AddDate(0, 0, i-days+1)
			end := start.AddDate(0, 0, 1)
			if end.After(now) {
				end = now
			}
			rows, err := tx.QueryContext(ctx, itemsDayDepth, end)
			if err != nil {
				return err
			}
			for rows.Next() {
				d := report.DayDepth{Day: start.Format(time.DateOnly)}
				if err := rows.Scan(&d.Kind, &d.Open); err != nil {
					rows.Close()
					return err
				}
				c.History = append(c.History, d)
			}
			rows.Close()
		}
		rows, err = tx.QueryContext(ctx, itemsBreaches, now, report.BreachLimit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b report.Breach
			var esc sql.NullTime
			if err := rows.Scan(&b.ItemID, &b.PracticeID, &b.PracticeName, &b.Kind, &b.OwnerID, &b.DueAt, &esc); err != nil {
				return err
			}
			b.DueAt = b.DueAt.UTC()
			if esc.Valid {
				t := esc.Time.UTC()
				b.EscalatedAt = &t
			}
			c.Breaches = append(c.Breaches, b)
		}
		return rows.Err()
	}))
	return c
}
