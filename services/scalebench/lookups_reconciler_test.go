package scalebench_test

import (
	"time"
)

// reconcilerOfflineAfter is the routing store's default grace for an
// offline owner.
const reconcilerOfflineAfter = 2 * time.Hour

// reconcilerLookups are the lookups behind the reconciler.
var reconcilerLookups = []lookup{
	// The reconciler (routingstore.Reconcile).
	{name: "reconciler: routings the queues lost", scope: allPractices, sql: `SELECT w.id FROM work_items w
WHERE w.state = 'open' AND (w.route_after IS NULL OR w.route_after < $1) AND w.updated_at < $1
AND (SELECT p.status FROM practices p WHERE p.id = w.practice_id) = 'active'
ORDER BY w.created_at LIMIT $2`, args: func(s sample) []any { return []any{s.now.Add(-time.Minute), int64(500)} }},
	{name: "reconciler: timers the queues lost", scope: allPractices,
		sql:  `SELECT id FROM work_items WHERE state = 'waiting' AND next_contact_at < $1 ORDER BY next_contact_at LIMIT $2`,
		args: func(s sample) []any { return []any{s.now.Add(-time.Minute), int64(500)} }},
	// Owners who lost the right to their items (routingstore.ownersLost):
	// what changed or lapsed since the last pass (30 seconds ago, looking
	// back 5 minutes more), then the owned items of those.
	{name: "reconciler: what changed since the last pass", scope: allPractices,
		sql: `SELECT m.subject, m.subject_id FROM reconcile_marks m WHERE m.subject IN ('agent', 'offline', 'practice', 'item')
UNION SELECT 'agent', tm.user_id FROM reconcile_marks m JOIN team_members tm ON tm.team_id = m.subject_id WHERE m.subject = 'team'
UNION SELECT 'agent', g.grantee_id FROM grants g WHERE g.grantee_type = 'agent' AND g.revoked_at IS NULL
      AND ((g.valid_until > $1 AND g.valid_until <= $2) OR (g.review_due_at > $1 AND g.review_due_at <= $2))
UNION SELECT 'agent', tm.user_id FROM grants g JOIN team_members tm ON tm.team_id = g.grantee_id WHERE g.grantee_type = 'team' AND g.revoked_at IS NULL
      AND ((g.valid_until > $1 AND g.valid_until <= $2) OR (g.review_due_at > $1 AND g.review_due_at <= $2))
UNION SELECT 'offline', a.user_id FROM agents a WHERE a.presence = 'offline' AND a.presence_at >= $3 AND a.presence_at < $4`,
		args: func(s sample) []any {
			from := s.now.Add(-30*time.Second - 5*time.Minute)
			return []any{from, s.now, from.Add(-reconcilerOfflineAfter), s.now.Add(-reconcilerOfflineAfter)}
		}},
	// Judged here: every owned item of an agent, the items not waiting
	// of an offline one, every owned item of a practice, and one item.
	{name: "reconciler: owners who lost the right to the items in question", scope: allPractices, sql: `SELECT w.id FROM (
SELECT i.id, i.practice_id, i.owner_id, i.state, i.kind FROM work_items i WHERE i.owner_id = ANY($3::text[]) AND i.state IN ('assigned', 'in_progress', 'waiting')
UNION SELECT i.id, i.practice_id, i.owner_id, i.state, i.kind FROM work_items i WHERE i.owner_id = ANY($4::text[]) AND i.state IN ('assigned', 'in_progress')
UNION SELECT i.id, i.practice_id, i.owner_id, i.state, i.kind FROM work_items i WHERE i.practice_id = ANY($5::text[]) AND i.state IN ('assigned', 'in_progress', 'waiting')
UNION SELECT i.id, i.practice_id, i.owner_id, i.state, i.kind FROM work_items i WHERE i.id = ANY($6::text[]) AND i.state IN ('assigned', 'in_progress', 'waiting')
) w JOIN agents a ON a.user_id = w.owner_id
WHERE EXISTS (SELECT 1 FROM practices p WHERE p.id = w.practice_id AND p.status <> 'active')
OR NOT a.active
OR (w.state <> 'waiting' AND a.presence = 'offline' AND (a.presence_at IS NULL OR a.presence_at < $1))
OR NOT EXISTS (SELECT 1 FROM grants g WHERE g.practice_id = w.practice_id AND g.revoked_at IS NULL
      AND g.valid_from <= $2 AND g.valid_until > $2 AND g.review_due_at > $2
      AND g.kinds LIKE '%"' || w.kind || '"%'
      AND ((g.grantee_type = 'agent' AND g.grantee_id = w.owner_id)
        OR (g.grantee_type = 'team' AND g.grantee_id IN (SELECT team_id FROM team_members WHERE user_id = w.owner_id))))
ORDER BY w.id LIMIT $7`, args: func(s sample) []any {
		return []any{s.now.Add(-reconcilerOfflineAfter), s.now, []string{s.agent}, []string{s.agent}, []string{s.practice}, []string{s.item}, int64(500)}
	}},
}
