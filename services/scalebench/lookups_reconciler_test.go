package scalebench_test

import (
	"time"
)

// reconcilerLookups are the lookups behind the reconciler.
var reconcilerLookups = []lookup{
	// The reconciler (routingstore.Reconcile).
	{name: "reconciler: routings the queues lost", scope: allPractices, sql: `SELECT w.id FROM work_items w JOIN practices p ON p.id = w.practice_id
WHERE w.state = 'open' AND p.status = 'active' AND w.updated_at < $1 AND (w.route_after IS NULL OR w.route_after < $1)
ORDER BY w.created_at LIMIT $2`, args: func(s sample) []any { return []any{s.now.Add(-time.Minute), int64(500)} }},
	{name: "reconciler: timers the queues lost", scope: allPractices,
		sql:  `SELECT id FROM work_items WHERE state = 'waiting' AND next_contact_at < $1 ORDER BY next_contact_at LIMIT $2`,
		args: func(s sample) []any { return []any{s.now.Add(-time.Minute), int64(500)} }},
	{name: "reconciler: owners who lost the right to their items", scope: allPractices, sql: `SELECT w.id FROM work_items w JOIN practices p ON p.id = w.practice_id
JOIN agents a ON a.user_id = w.owner_id
WHERE w.state IN ('assigned', 'in_progress', 'waiting') AND (
   p.status <> 'active'
OR NOT a.active
OR (w.state <> 'waiting' AND a.presence = 'offline' AND (a.presence_at IS NULL OR a.presence_at < $1))
OR NOT EXISTS (SELECT 1 FROM grants g WHERE g.practice_id = w.practice_id AND g.revoked_at IS NULL
      AND g.valid_from <= $2 AND g.valid_until > $2 AND g.review_due_at > $2
      AND g.kinds LIKE '%"' || w.kind || '"%'
      AND ((g.grantee_type = 'agent' AND g.grantee_id = w.owner_id)
        OR (g.grantee_type = 'team' AND g.grantee_id IN (SELECT team_id FROM team_members WHERE user_id = w.owner_id)))))
ORDER BY w.id LIMIT $3`, args: func(s sample) []any { return []any{s.now.Add(-2 * time.Hour), s.now, int64(500)} },
		scans: "judges every owned item's standing in each pass (docs/development.md: not fixed)"},
}
