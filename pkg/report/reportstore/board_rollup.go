package reportstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// pastDay is board_due's day that stands for every day before
// board_rollup.through.
const pastDay = "0001-01-01"

// rollupSlack is how many rows of past days the board reads, beyond one
// per practice and kind it shows, before it merges them. Each day adds
// about one per practice and kind, and every change to an item due on a
// past day may add another; merging is a write, so it waits until there
// is something to gain.
const rollupSlack = 64

// The merge of the past days of the kept counts: board_due's days before
// today into its pastDay row of each practice and kind, after moving
// board_rollup.through to today; board_days's practices' rows of days
// before today into practice '*', day by day. On PostgreSQL each row
// merged is deleted and added to its sum in one statement, and rows an
// item's transaction holds are left for the next merge, so the merge
// never waits for the work (and the work waits for it only for a row it
// holds).
const (
	moveThrough = `UPDATE board_rollup SET through = $1 WHERE through < $1`
	mergeDue    = `WITH merged AS (
  DELETE FROM board_due d USING (SELECT day, practice_id, kind FROM board_due WHERE day > $2 AND day < $1 FOR UPDATE SKIP LOCKED) l
  WHERE d.day = l.day AND d.practice_id = l.practice_id AND d.kind = l.kind
  RETURNING d.practice_id, d.kind, d.contacts, d.firsts)
INSERT INTO board_due AS b (day, practice_id, kind, contacts, firsts)
SELECT $2, practice_id, kind, SUM(contacts), SUM(firsts) FROM merged GROUP BY practice_id, kind ORDER BY practice_id, kind
ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = b.contacts + excluded.contacts, firsts = b.firsts + excluded.firsts`
	mergeDays = `WITH merged AS (
  DELETE FROM board_days d USING (SELECT day, practice_id, kind FROM board_days WHERE practice_id <> '*' AND day < $1 FOR UPDATE SKIP LOCKED) l
  WHERE d.day = l.day AND d.practice_id = l.practice_id AND d.kind = l.kind
  RETURNING d.day, d.kind, d.made, d.done)
INSERT INTO board_days AS b (day, practice_id, kind, made, done)
SELECT day, '*', kind, SUM(made), SUM(done) FROM merged GROUP BY day, kind ORDER BY day, kind
ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = b.made + excluded.made, done = b.done + excluded.done`
	// SQLite has one writer at a time: sum, then delete.
	sumDueSQLite = `INSERT INTO board_due (day, practice_id, kind, contacts, firsts)
SELECT $2, practice_id, kind, SUM(contacts), SUM(firsts) FROM board_due WHERE day > $2 AND day < $1 GROUP BY practice_id, kind
ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = contacts + excluded.contacts, firsts = firsts + excluded.firsts`
	dropDueSQLite = `DELETE FROM board_due WHERE day > $2 AND day < $1`
	sumDaysSQLite = `INSERT INTO board_days (day, practice_id, kind, made, done)
SELECT day, '*', kind, SUM(made), SUM(done) FROM board_days WHERE practice_id <> '*' AND day < $1 GROUP BY day, kind
ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = made + excluded.made, done = done + excluded.done`
	dropDaysSQLite = `DELETE FROM board_days WHERE practice_id <> '*' AND day < $1`
)

// statement is one statement of a merge, with its arguments.
type statement struct {
	query string
	args  []any
}

// rollUpSteps are the statements of a merge up to day, in order.
func rollUpSteps(d sqldb.Dialect, day string) []statement {
	if d == sqldb.SQLite {
		return []statement{{moveThrough, []any{day}}, {sumDueSQLite, []any{day, pastDay}}, {dropDueSQLite, []any{day, pastDay}},
			{sumDaysSQLite, []any{day}}, {dropDaysSQLite, []any{day}}}
	}
	return []statement{{moveThrough, []any{day}}, {mergeDue, []any{day, pastDay}}, {mergeDays, []any{day}}}
}

// rollUp merges the kept counts' days before today, so that the board
// reads about a row per practice and kind of them again. Moving
// board_rollup.through first makes two merges take turns.
func (s *Store) rollUp(ctx context.Context, today time.Time) error {
	steps := rollUpSteps(s.db.Dialect, today.Format(time.DateOnly))
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, st.query, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
	return sqldb.MapError(err)
}
