package scalebench_test

import (
	"time"

	"github.com/backdesk/backdesk/pkg/report"
)

// boardLookups are the lookups behind the managers' board.
var boardLookups = []lookup{
	// The managers' board (reportstore.Board).
	{name: "board: each agent's load and output", scope: allPractices, sql: `SELECT a.user_id, a.display_name, a.presence, a.capacity, a.timezone, a.hours,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + `),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN ` + unfinished + ` AND COALESCE(w.next_contact_at, w.due_at) < $1),
(SELECT count(*) FROM activities x WHERE x.actor_id = a.user_id AND x.at >= $2 AND x.outcome NOT IN ('note', 'handed_off', 'released')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $2),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $3)
FROM agents a WHERE a.active ORDER BY a.display_name, a.user_id`,
		args: func(s sample) []any {
			d := s.now.Truncate(24 * time.Hour)
			return []any{s.now, d, d.AddDate(0, 0, -6)}
		}},
	{name: "board: SLA breaches", scope: allPractices, sql: `SELECT w.id, w.practice_id, p.name, w.kind, COALESCE(w.owner_id, ''), w.due_at, w.escalated_at
FROM work_items w JOIN practices p ON p.id = w.practice_id
WHERE w.state IN ` + unfinished + ` AND w.attempts = 0 AND w.due_at < $1 ORDER BY w.due_at, w.id LIMIT $2`,
		args: func(s sample) []any { return []any{s.now, int64(report.BreachLimit)} }},
	{name: "board: depth per practice and kind", scope: allPractices, sql: `SELECT w.practice_id, p.name, w.kind,
SUM(CASE WHEN w.state = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'assigned' THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'in_progress' THEN 1 ELSE 0 END), SUM(CASE WHEN w.state = 'waiting' THEN 1 ELSE 0 END),
COUNT(*),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) >= $1 AND COALESCE(w.next_contact_at, w.due_at) < $2 THEN 1 ELSE 0 END),
SUM(CASE WHEN COALESCE(w.next_contact_at, w.due_at) < $1 THEN 1 ELSE 0 END),
SUM(CASE WHEN w.state = 'open' AND w.escalated_at IS NOT NULL THEN 1 ELSE 0 END),
SUM(CASE WHEN w.attempts = 0 AND w.due_at < $1 THEN 1 ELSE 0 END)
FROM work_items w JOIN practices p ON p.id = w.practice_id WHERE w.state IN ` + unfinished + `
GROUP BY w.practice_id, p.name, w.kind ORDER BY p.name, w.practice_id, w.kind`,
		args: func(s sample) []any { return []any{s.now, s.now.Add(24 * time.Hour)} }},
	{name: "board: the depth history, every day at once", scope: allPractices, sql: `SELECT d.i, w.kind, count(*) FROM unnest($1::timestamptz[]) WITH ORDINALITY AS d(end_at, i)
JOIN (SELECT kind, created_at, finished_at FROM work_items WHERE finished_at IS NULL
      UNION ALL
      SELECT kind, created_at, finished_at FROM work_items WHERE finished_at > $2) w
  ON w.created_at <= d.end_at AND (w.finished_at IS NULL OR w.finished_at > d.end_at)
GROUP BY d.i, w.kind ORDER BY d.i, w.kind`,
		args: func(s sample) []any {
			var ends []time.Time
			for i := 13; i >= 0; i-- {
				ends = append(ends, s.now.Truncate(24*time.Hour).AddDate(0, 0, -i))
			}
			return []any{ends, ends[0]}
		}},
}
