package scalebench_test

import (
	"time"

	"github.com/backdesk/backdesk/pkg/report"
)

// boardLookups are the lookups behind the managers' board.
var boardLookups = []lookup{
	// The managers' board (reportstore.Board): the counts migration 0023
	// keeps, and of the items only what "now" decides within today.
	{name: "board: depth per practice and kind, from the kept counts", scope: allPractices, sql: `SELECT 0, d.practice_id, (SELECT p.name FROM practices p WHERE p.id = d.practice_id), d.kind,
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
ORDER BY 1, 3, 2, 4`,
		args: func(s sample) []any {
			d := s.now.Truncate(24 * time.Hour)
			return []any{d, s.now, d.Format(time.DateOnly), "0001-01-01"}
		}},
	{name: "board: each agent's load and output", scope: allPractices, sql: `SELECT a.user_id, a.display_name, a.presence, a.capacity, a.timezone, a.hours,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + `),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + ` AND w.next_contact_at < $1)
+ (SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + `
  AND w.next_contact_at IS NULL AND w.due_at < $1),
(SELECT count(*) FROM activities x WHERE x.actor_id = a.user_id AND x.at >= $2 AND x.outcome NOT IN ('note', 'handed_off', 'released')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $2),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $3)
FROM agents a WHERE a.active ORDER BY a.display_name, a.user_id`,
		args: func(s sample) []any {
			d := s.now.Truncate(24 * time.Hour)
			return []any{s.now, d, d.AddDate(0, 0, -6)}
		}},
	{name: "board: the depth history, from the kept counts", scope: allPractices, sql: `SELECT 0, kind, '', SUM(pending_count), 0, 0 FROM board_depth GROUP BY kind
UNION ALL
SELECT 1, kind, CAST(day AS TEXT), SUM(made), SUM(done), SUM(CASE WHEN practice_id <> '*' THEN 1 ELSE 0 END) FROM board_days
WHERE day > $1 GROUP BY day, kind
UNION ALL
SELECT 2, kind, '', count(*), 0, 0 FROM work_items WHERE finished_at IS NULL AND created_at > $2 GROUP BY kind
UNION ALL
SELECT 3, kind, '', count(*), 0, 0 FROM work_items WHERE finished_at > $2 AND created_at <= $2 GROUP BY kind`,
		args: func(s sample) []any {
			return []any{s.now.Truncate(24*time.Hour).AddDate(0, 0, -13).Format(time.DateOnly), s.now}
		}},
	{name: "board: SLA breaches", scope: allPractices, sql: `SELECT w.id, w.practice_id, (SELECT p.name FROM practices p WHERE p.id = w.practice_id), w.kind, COALESCE(w.owner_id, ''),
w.due_at, w.escalated_at
FROM work_items w
WHERE w.state IN ` + unfinished + ` AND w.attempts = 0 AND w.due_at < $1 ORDER BY w.due_at, w.id LIMIT $2`,
		args: func(s sample) []any { return []any{s.now, int64(report.BreachLimit)} }},
	// Only for a board asked about an earlier day than the kept counts
	// have merged up to (read with a clock behind one read before).
	{name: "board: depth per practice and kind, from the items", scope: allPractices, sql: `SELECT w.practice_id, p.name, w.kind,
SUM(CASE WHEN w.state = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'assigned' THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'in_progress' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'waiting' THEN 1 ELSE 0 END),
COUNT(*),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) >= $1 AND COALESCE(w.next_contact_at, w.due_at) < $2 THEN 1 ELSE 0 END),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) < $1 THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'open' AND w.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
SUM(CASE WHEN w.attempts = 0 AND w.due_at < $1 THEN 1 ELSE 0 END)
FROM work_items w JOIN practices p ON p.id = w.practice_id WHERE w.state IN ` + unfinished + `
GROUP BY w.practice_id, p.name, w.kind ORDER BY p.name, w.practice_id, w.kind`,
		args: func(s sample) []any { return []any{s.now, s.now.Truncate(24 * time.Hour).Add(24 * time.Hour)} }},
	// Merging the kept counts' past days, once they hold more rows than
	// the board shows.
	{name: "board: merging board_due's past days", scope: allPractices, sql: `WITH merged AS (
  DELETE FROM board_due d USING (SELECT day, practice_id, kind FROM board_due WHERE day > $2 AND day < $1 FOR UPDATE SKIP LOCKED) l
  WHERE d.day = l.day AND d.practice_id = l.practice_id AND d.kind = l.kind
  RETURNING d.practice_id, d.kind, d.contacts, d.firsts)
INSERT INTO board_due AS b (day, practice_id, kind, contacts, firsts)
SELECT $2, practice_id, kind, SUM(contacts), SUM(firsts) FROM merged GROUP BY practice_id, kind ORDER BY practice_id, kind
ON CONFLICT (day, practice_id, kind) DO UPDATE SET contacts = b.contacts + excluded.contacts, firsts = b.firsts + excluded.firsts`,
		args: func(s sample) []any { return []any{s.now.Format(time.DateOnly), "0001-01-01"} }},
	{name: "board: merging board_days's practices' past days", scope: allPractices, sql: `WITH merged AS (
  DELETE FROM board_days d USING (SELECT day, practice_id, kind FROM board_days WHERE practice_id <> '*' AND day < $1 FOR UPDATE SKIP LOCKED) l
  WHERE d.day = l.day AND d.practice_id = l.practice_id AND d.kind = l.kind
  RETURNING d.day, d.kind, d.made, d.done)
INSERT INTO board_days AS b (day, practice_id, kind, made, done)
SELECT day, '*', kind, SUM(made), SUM(done) FROM merged GROUP BY day, kind ORDER BY day, kind
ON CONFLICT (day, practice_id, kind) DO UPDATE SET made = b.made + excluded.made, done = b.done + excluded.done`,
		args: func(s sample) []any { return []any{s.now.Format(time.DateOnly)} }},
}
