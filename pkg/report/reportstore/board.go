// Package reportstore counts the reports' figures in PostgreSQL or
// SQLite: work items, activities and the records behind them. It is the
// only place report SQL lives. It only reads, but for the board's kept
// counts, whose past days it merges as it reads them (board_rollup.go).
package reportstore

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
)

// Store implements report.Storer.
type Store struct {
	db *sqldb.DB
	// rollupSlack is how many rows of past days the board reads beyond
	// one per practice and kind it shows before it merges them
	// (board_rollup.go).
	rollupSlack int
}

var _ report.Storer = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db, rollupSlack: rollupSlack} }

// unfinished lists the states of an item someone still has to work.
const unfinished = `('open', 'assigned', 'in_progress', 'waiting')`

// The board reads the counts that migration 0023's triggers keep as the
// items change (board_depth, board_due, board_days), and of the items
// themselves only what "now" decides within the current day. What it
// reads grows with the practices and kinds, the agents and the days it
// shows, not with the items.
const (
	// selectKeptDepth reads the depth per practice and kind in parts,
	// merged by keptDepth: the counts by state of board_depth (0, by
	// practice name), the days before today ($3, the day) of board_due and
	// today's (1), and of the items, those due today whose time has come
	// by now ($1 the day's start, $2 now: 2) and those not yet contacted
	// among them (3); last (4), whether the merged past
	// (board_rollup.through) lies before today, as it must for the sums to
	// be today's. Part 1 also counts the rows of days a merge would fold
	// into $4's. One statement, so one snapshot: the parts agree. The
	// parts are not joined, so that no plan visits one part's rows once
	// per row of another.
	selectKeptDepth = `SELECT 0, d.practice_id, (SELECT p.name FROM practices p WHERE p.id = d.practice_id), d.kind,
d.open_count, d.assigned_count, d.in_progress_count, d.waiting_count, d.escalated_count
FROM board_depth d WHERE d.open_count + d.assigned_count + d.in_progress_count + d.waiting_count > 0
UNION ALL
SELECT 1, practice_id, '', kind, SUM(CASE WHEN day < $3 THEN contacts ELSE 0 END), SUM(CASE WHEN day = $3 THEN contacts ELSE 0 END),
SUM(CASE WHEN day < $3 THEN firsts ELSE 0 END), SUM(CASE WHEN day > $4 AND day < $3 THEN 1 ELSE 0 END), 0
FROM board_due WHERE day <= $3 GROUP BY practice_id, kind
UNION ALL
SELECT 2, practice_id, '', kind, count(*), 0, 0, 0, 0 FROM work_items
WHERE state IN ` + unfinished + ` AND next_contact_at >= $1 AND next_contact_at < $2 GROUP BY practice_id, kind
UNION ALL
SELECT 2, practice_id, '', kind, count(*), 0, 0, 0, 0 FROM work_items
WHERE state IN ` + unfinished + ` AND next_contact_at IS NULL AND due_at >= $1 AND due_at < $2 GROUP BY practice_id, kind
UNION ALL
SELECT 3, practice_id, '', kind, count(*), 0, 0, 0, 0 FROM work_items
WHERE state IN ` + unfinished + ` AND attempts = 0 AND due_at >= $1 AND due_at < $2 GROUP BY practice_id, kind
UNION ALL
SELECT 4, '', '', '', CASE WHEN through <= $3 THEN 1 ELSE 0 END, 0, 0, 0, 0 FROM board_rollup
ORDER BY 1, 3, 2, 4`
	// selectDepth counts per practice and kind from the items; $2 is the
	// end of the current UTC day. The board falls back to it when asked
	// for a day before the one its kept counts have merged up to.
	selectDepth = `SELECT w.practice_id, p.name, w.kind,
SUM(CASE WHEN w.state = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'assigned' THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'in_progress' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'waiting' THEN 1 ELSE 0 END),
COUNT(*),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) >= $1 AND COALESCE(w.next_contact_at, w.due_at) < $2 THEN 1 ELSE 0 END),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) < $1 THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'open' AND w.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
SUM(CASE WHEN w.attempts = 0 AND w.due_at < $1 THEN 1 ELSE 0 END)
FROM work_items w JOIN practices p ON p.id = w.practice_id WHERE w.state IN ` + unfinished + `
GROUP BY w.practice_id, p.name, w.kind ORDER BY p.name, w.practice_id, w.kind`
	// selectAgentLoads counts, per active agent, its open and overdue
	// items, its contacts since $2 (the day's start) and the items it
	// finished since $2 and since $3 (six days before). Each count is a
	// range of an index keyed by the agent: work_items_owner_open for its
	// unfinished items and, of them, those overdue (their next contact,
	// or with none their due date, has passed: two ranges),
	// activities_actor_at, work_items_owner_finished.
	selectAgentLoads = `SELECT a.user_id, a.display_name, a.presence, a.capacity, a.timezone, a.hours,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + `),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + ` AND w.next_contact_at < $1)
+ (SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + `
  AND w.next_contact_at IS NULL AND w.due_at < $1),
(SELECT count(*) FROM activities x WHERE x.actor_id = a.user_id AND x.at >= $2 AND x.outcome NOT IN ('note', 'handed_off', 'released')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $2),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $3)
FROM agents a WHERE a.active ORDER BY a.display_name, a.user_id`
	// selectKeptDays reads what the depth history is worked out from, per
	// kind: the items with no finished_at (0), the items made and
	// finished in each day after $1 (1, with how many of the rows are a
	// practice's own, which a merge folds into practice '*'), and, for
	// the last day, which ends now ($2), the unfinished items made after
	// now (2) and the items finished after now that were made by then
	// (3). Each part is a range of an index.
	selectKeptDays = `SELECT 0, kind, '', SUM(pending_count), 0, 0 FROM board_depth GROUP BY kind
UNION ALL
SELECT 1, kind, CAST(day AS TEXT), SUM(made), SUM(done), SUM(CASE WHEN practice_id <> '*' THEN 1 ELSE 0 END) FROM board_days
WHERE day > $1 GROUP BY day, kind
UNION ALL
SELECT 2, kind, '', count(*), 0, 0 FROM work_items WHERE finished_at IS NULL AND created_at > $2 GROUP BY kind
UNION ALL
SELECT 3, kind, '', count(*), 0, 0 FROM work_items WHERE finished_at > $2 AND created_at <= $2 GROUP BY kind`
	// selectBreaches lists the oldest breaches in work_items_first_due's
	// order, each with its practice's name (there is always one: the item
	// refers to it).
	selectBreaches = `SELECT w.id, w.practice_id, (SELECT p.name FROM practices p WHERE p.id = w.practice_id), w.kind, COALESCE(w.owner_id, ''),
w.due_at, w.escalated_at
FROM work_items w
WHERE w.state IN ` + unfinished + ` AND w.attempts = 0 AND w.due_at < $1 ORDER BY w.due_at, w.id LIMIT $2`
)

// Board implements report.Storer. The board spans every practice. Its
// five reads need no answer from one another: under a request's shared
// transaction they go out together, in one round trip.
func (s *Store) Board(ctx context.Context, now time.Time, days int) (report.Counts, error) {
	now = now.UTC() // days are UTC days
	ctx = sqldb.AllPractices(ctx)
	today := now.Truncate(24 * time.Hour)
	var (
		c     report.Counts
		depth keptDepth
		hist  = keptDays{labels: dayLabels(today, days), today: today.Format(time.DateOnly)}
	)
	err := s.db.ReadAll(ctx,
		depth.read(now, today),
		agentLoads(&c.Agents, now, today),
		hist.read(now),
		breaches(&c.Breaches, now),
		inquiries(&c.Clearinghouse, "", now, report.BoardInquiryDays))
	if err != nil {
		return report.Counts{}, err
	}
	c.Depth = depth.depths()
	if !depth.exact {
		// The kept counts have merged days from today on into their past:
		// a board asked for an earlier day than one read before.
		if err := s.db.ReadAll(ctx, depthFromItems(&c.Depth, now, today)); err != nil {
			return report.Counts{}, err
		}
	}
	c.History = hist.depths()
	if depth.loose+hist.loose > len(depth.rows)+s.rollupSlack {
		if err := s.rollUp(ctx, today); err != nil {
			return report.Counts{}, err
		}
	}
	return c, nil
}

// keptDepth merges what selectKeptDepth read.
type keptDepth struct {
	rows  []report.Depth
	exact bool // the merged past lies before today
	loose int  // the past days' rows a merge would fold together
	// per practice and kind: the board_due sums (contacts before today,
	// today's, first contacts before today), today's contacts up to now,
	// today's first contacts up to now
	due            map[[2]string][3]int
	passed, lapsed map[[2]string]int
}

func (k *keptDepth) read(now, today time.Time) sqldb.Read {
	k.rows, k.exact, k.loose = []report.Depth{}, false, 0
	k.due, k.passed, k.lapsed = map[[2]string][3]int{}, map[[2]string]int{}, map[[2]string]int{}
	return sqldb.Read{Query: selectKeptDepth, Args: []any{today, now, today.Format(time.DateOnly), pastDay},
		Row: func(r sqldb.Scanner) error {
			var part int
			var practice, kind string
			var name sql.NullString
			var n [5]int
			if err := r.Scan(&part, &practice, &name, &kind, &n[0], &n[1], &n[2], &n[3], &n[4]); err != nil {
				return err
			}
			g := [2]string{practice, kind}
			switch part {
			case 0:
				if name.Valid { // a practice of its own, as the old join had it
					k.rows = append(k.rows, report.Depth{PracticeID: practice, PracticeName: name.String, Kind: policy.Kind(kind),
						Open: n[0], Assigned: n[1], InProgress: n[2], Waiting: n[3], Unfinished: n[0] + n[1] + n[2] + n[3], Escalated: n[4]})
				}
			case 1:
				k.due[g] = [3]int{n[0], n[1], n[2]}
				k.loose += n[3]
			case 2:
				k.passed[g] += n[0]
			case 3:
				k.lapsed[g] += n[0]
			case 4:
				k.exact = n[0] == 1
			}
			return nil
		}}
}

// depths is the depth per practice and kind: today's contacts whose time
// has passed are overdue, the rest of today's are due today.
func (k *keptDepth) depths() []report.Depth {
	for i := range k.rows {
		d := &k.rows[i]
		g := [2]string{d.PracticeID, string(d.Kind)}
		due, passed := k.due[g], k.passed[g]
		d.Overdue, d.DueToday, d.Breached = due[0]+passed, due[1]-passed, due[2]+k.lapsed[g]
	}
	return k.rows
}

// depthFromItems reads the depth from the items themselves.
func depthFromItems(out *[]report.Depth, now, today time.Time) sqldb.Read {
	*out = []report.Depth{}
	return sqldb.Read{Query: selectDepth, Args: []any{now, today.Add(24 * time.Hour)}, Row: func(r sqldb.Scanner) error {
		var d report.Depth
		if err := r.Scan(&d.PracticeID, &d.PracticeName, &d.Kind, &d.Open, &d.Assigned, &d.InProgress, &d.Waiting, &d.Unfinished,
			&d.DueToday, &d.Overdue, &d.Escalated, &d.Breached); err != nil {
			return err
		}
		*out = append(*out, d)
		return nil
	}}
}

func agentLoads(out *[]report.Staffed, now, today time.Time) sqldb.Read {
	*out = []report.Staffed{}
	return sqldb.Read{Query: selectAgentLoads, Args: []any{now, today, today.AddDate(0, 0, -6)}, Row: func(r sqldb.Scanner) error {
		var a report.Staffed
		l := &a.AgentLoad
		if err := r.Scan(&l.UserID, &l.DisplayName, &l.Presence, &l.Capacity, &a.Timezone, &a.Hours, &l.Open, &l.Overdue,
			&l.ContactsToday, &l.CompletedToday, &l.Completed7d); err != nil {
			return err
		}
		*out = append(*out, a)
		return nil
	}}
}

// dayLabels names the last days, today last.
func dayLabels(today time.Time, days int) []string {
	labels := make([]string, max(days, 0))
	for i := range labels {
		labels[i] = today.AddDate(0, 0, i-len(labels)+1).Format(time.DateOnly)
	}
	return labels
}

// keptDays works the depth history out from selectKeptDays. An item
// counts at the end of a day when it was made by then and had not
// finished by then; so the items counted at the end of day d are those
// with no finished_at, less those made after d, plus those finished
// after d (made by then or not: board_days counts an item finished no
// earlier than it was made, so one made after d is in both sums). The
// last day ends now rather than at midnight, and "after now" is read
// from the items.
type keptDays struct {
	labels []string // the days shown, oldest first
	today  string
	// per kind: the items with no finished_at; made and finished per day;
	// made after now and unfinished; finished after now, made by then
	pending, afterNow, finishedAfterNow map[policy.Kind]int
	made, done                          map[policy.Kind]map[string]int
	loose                               int // practices' rows of past days
}

func (k *keptDays) read(now time.Time) sqldb.Read {
	k.pending, k.afterNow, k.finishedAfterNow = map[policy.Kind]int{}, map[policy.Kind]int{}, map[policy.Kind]int{}
	k.made, k.done, k.loose = map[policy.Kind]map[string]int{}, map[policy.Kind]map[string]int{}, 0
	first := k.today // no day shown: nothing past it is needed
	if len(k.labels) > 0 {
		first = k.labels[0]
	}
	return sqldb.Read{Query: selectKeptDays, Args: []any{first, now}, Row: func(r sqldb.Scanner) error {
		var part, n, done, own int
		var kind policy.Kind
		var day string
		if err := r.Scan(&part, &kind, &day, &n, &done, &own); err != nil {
			return err
		}
		switch part {
		case 0:
			k.pending[kind] += n
		case 1:
			if k.made[kind] == nil {
				k.made[kind], k.done[kind] = map[string]int{}, map[string]int{}
			}
			k.made[kind][day] += n
			k.done[kind][day] += done
			if day < k.today {
				k.loose += own
			}
		case 2:
			k.afterNow[kind] += n
		case 3:
			k.finishedAfterNow[kind] += n
		}
		return nil
	}}
}

// depths is the history, by day and then kind, leaving out kinds with
// nothing unfinished that day.
func (k *keptDays) depths() []report.DayDepth {
	var kinds []policy.Kind
	for kind := range k.pending {
		kinds = append(kinds, kind)
	}
	for kind := range k.made {
		if _, ok := k.pending[kind]; !ok {
			kinds = append(kinds, kind)
		}
	}
	slices.Sort(kinds)
	out := []report.DayDepth{}
	for i, day := range k.labels {
		for _, kind := range kinds {
			n := k.pending[kind]
			if i == len(k.labels)-1 {
				n += k.finishedAfterNow[kind] - k.afterNow[kind]
			} else {
				for d, m := range k.made[kind] {
					if d > day {
						n += k.done[kind][d] - m
					}
				}
			}
			if n != 0 {
				out = append(out, report.DayDepth{Day: day, Kind: kind, Open: n})
			}
		}
	}
	return out
}

func breaches(out *[]report.Breach, now time.Time) sqldb.Read {
	*out = []report.Breach{}
	return sqldb.Read{Query: selectBreaches, Args: []any{now, report.BreachLimit}, Row: func(r sqldb.Scanner) error {
		var b report.Breach
		var esc sql.NullTime
		if err := r.Scan(&b.ItemID, &b.PracticeID, &b.PracticeName, &b.Kind, &b.OwnerID, &b.DueAt, &esc); err != nil {
			return err
		}
		b.DueAt = b.DueAt.UTC()
		if esc.Valid {
			t := esc.Time.UTC()
			b.EscalatedAt = &t
		}
		*out = append(*out, b)
		return nil
	}}
}
