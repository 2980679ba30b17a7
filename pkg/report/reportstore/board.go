// Package reportstore counts the reports' figures in PostgreSQL or
// SQLite: work items, activities and the records behind them. It is the
// only place report SQL lives, and it only reads.
package reportstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
)

// Store implements report.Storer.
type Store struct{ db *sqldb.DB }

var _ report.Storer = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// unfinished lists the states of an item someone still has to work.
const unfinished = `('open', 'assigned', 'in_progress', 'waiting')`

const (
	// selectDepth counts per practice and kind; $2 is the end of the
	// current UTC day.
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
	// finished since $2 and since $3 (six days before).
	selectAgentLoads = `SELECT a.user_id, a.display_name, a.presence, a.capacity, a.timezone, a.hours,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + `),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + ` AND COALESCE(w.next_contact_at, w.due_at) < $1),
(SELECT count(*) FROM activities x WHERE x.actor_id = a.user_id AND x.at >= $2 AND x.outcome NOT IN ('note', 'handed_off', 'released')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $2),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $3)
FROM agents a WHERE a.active ORDER BY a.display_name, a.user_id`
	// selectDayDepth counts the items of each kind made by $1 and not
	// finished by then.
	selectDayDepth = `SELECT kind, count(*) FROM work_items
WHERE created_at <= $1 AND (finished_at IS NULL OR finished_at > $1) GROUP BY kind ORDER BY kind`
	// selectDaysDepth is selectDayDepth for every day at once, on
	// PostgreSQL: $1 are the days' ends, oldest first, and only the items
	// unfinished, or finished after the first end, can count; index
	// work_items_finished_at holds both at its ends.
	selectDaysDepth = `SELECT d.i, w.kind, count(*) FROM unnest($1::timestamptz[]) WITH ORDINALITY AS d(end_at, i)
JOIN (SELECT kind, created_at, finished_at FROM work_items WHERE finished_at IS NULL
      UNION ALL
      SELECT kind, created_at, finished_at FROM work_items WHERE finished_at > $2) w
  ON w.created_at <= d.end_at AND (w.finished_at IS NULL OR w.finished_at > d.end_at)
GROUP BY d.i, w.kind ORDER BY d.i, w.kind`
	selectBreaches = `SELECT w.id, w.practice_id, p.name, w.kind, COALESCE(w.owner_id, ''), w.due_at, w.escalated_at
FROM work_items w JOIN practices p ON p.id = w.practice_id
WHERE w.state IN ` + unfinished + ` AND w.attempts = 0 AND w.due_at < $1 ORDER BY w.due_at, w.id LIMIT $2`
)

// Board implements report.Storer. The board spans every practice.
func (s *Store) Board(ctx context.Context, now time.Time, days int) (report.Counts, error) {
	now = now.UTC() // days are UTC days
	var c report.Counts
	err := s.db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		var err error
		if c.Depth, err = depth(ctx, tx, now); err != nil {
			return err
		}
		if c.Agents, err = agentLoads(ctx, tx, now); err != nil {
			return err
		}
		if c.History, err = history(ctx, tx, s.db.Dialect, now, days); err != nil {
			return err
		}
		c.Breaches, err = breaches(ctx, tx, now)
		return err
	})
	if err != nil {
		return report.Counts{}, sqldb.MapError(err)
	}
	return c, nil
}

func depth(ctx context.Context, tx *sql.Tx, now time.Time) ([]report.Depth, error) {
	rows, err := tx.QueryContext(ctx, selectDepth, now, now.Truncate(24*time.Hour).Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.Depth{}
	for rows.Next() {
		var d report.Depth
		if err := rows.Scan(&d.PracticeID, &d.PracticeName, &d.Kind, &d.Open, &d.Assigned, &d.InProgress, &d.Waiting, &d.Unfinished,
			&d.DueToday, &d.Overdue, &d.Escalated, &d.Breached); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func agentLoads(ctx context.Context, tx *sql.Tx, now time.Time) ([]report.Staffed, error) {
	day := now.Truncate(24 * time.Hour)
	rows, err := tx.QueryContext(ctx, selectAgentLoads, now, day, day.AddDate(0, 0, -6))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.Staffed{}
	for rows.Next() {
		var a report.Staffed
		l := &a.AgentLoad
		if err := rows.Scan(&l.UserID, &l.DisplayName, &l.Presence, &l.Capacity, &a.Timezone, &a.Hours, &l.Open, &l.Overdue,
			&l.ContactsToday, &l.CompletedToday, &l.Completed7d); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// history counts, for each of the last days (today included), the items
// of each kind created by the end of that day and not finished by then.
func history(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, now time.Time, days int) ([]report.DayDepth, error) {
	today := now.Truncate(24 * time.Hour)
	labels := make([]string, days)
	ends := make([]time.Time, days)
	for i := range days {
		start := today.AddDate(0, 0, i-days+1)
		labels[i], ends[i] = start.Format(time.DateOnly), start.AddDate(0, 0, 1)
		if ends[i].After(now) {
			ends[i] = now
		}
	}
	if d == sqldb.Postgres {
		return daysDepth(ctx, tx, labels, ends)
	}
	out := []report.DayDepth{}
	for i, end := range ends {
		rows, err := tx.QueryContext(ctx, selectDayDepth, end)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			d := report.DayDepth{Day: labels[i]}
			if err := rows.Scan(&d.Kind, &d.Open); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// daysDepth counts every day's depth in one statement: a statement per
// day read the whole table each time.
func daysDepth(ctx context.Context, tx *sql.Tx, labels []string, ends []time.Time) ([]report.DayDepth, error) {
	rows, err := tx.QueryContext(ctx, selectDaysDepth, ends, ends[0])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.DayDepth{}
	for rows.Next() {
		var i int
		var d report.DayDepth
		if err := rows.Scan(&i, &d.Kind, &d.Open); err != nil {
			return nil, err
		}
		d.Day = labels[i-1]
		out = append(out, d)
	}
	return out, rows.Err()
}

func breaches(ctx context.Context, tx *sql.Tx, now time.Time) ([]report.Breach, error) {
	rows, err := tx.QueryContext(ctx, selectBreaches, now, report.BreachLimit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []report.Breach{}
	for rows.Next() {
		var b report.Breach
		var esc sql.NullTime
		if err := rows.Scan(&b.ItemID, &b.PracticeID, &b.PracticeName, &b.Kind, &b.OwnerID, &b.DueAt, &esc); err != nil {
			return nil, err
		}
		b.DueAt = b.DueAt.UTC()
		if esc.Valid {
			t := esc.Time.UTC()
			b.EscalatedAt = &t
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
