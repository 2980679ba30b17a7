package scalebench_test

import (
	"time"
)

// summaryLookups are the lookups behind a practice's summary and the daily generation.
var summaryLookups = []lookup{
	// A practice's summary (reportstore.Practice): one pipeline of reads.
	{name: "summary: items by state", scope: inPractice, sql: `SELECT kind, state, count(*) FROM work_items WHERE practice_id = $1
GROUP BY kind, state ORDER BY kind, state`, args: func(s sample) []any { return []any{s.practice} }},
	{name: "summary: overdue items", scope: inPractice, sql: `SELECT kind, count(*) FROM work_items WHERE practice_id = $1 AND state IN ` + unfinished + `
AND COALESCE(next_contact_at, due_at) < $2 GROUP BY kind ORDER BY kind`, args: func(s sample) []any { return []any{s.practice, s.now} }},
	{name: "summary: items resolved and closed this week", scope: inPractice, sql: `SELECT state, kind, count(*) FROM work_items
WHERE practice_id = $1 AND state IN ('resolved', 'closed') AND finished_at >= $2
GROUP BY state, kind ORDER BY state, kind`, args: func(s sample) []any { return []any{s.practice, s.now.AddDate(0, 0, -6)} }},
	{name: "summary: what was promised and paid", scope: inPractice, sql: `SELECT COALESCE(SUM(CASE WHEN at >= $2 THEN promised_cents ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN at >= $2 THEN paid_cents ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN at >= $3 THEN promised_cents ELSE 0 END), 0),
COALESCE(SUM(CASE WHEN at >= $3 THEN paid_cents ELSE 0 END), 0)
FROM activities WHERE practice_id = $1 AND at >= $4`, args: func(s sample) []any {
		month := s.now.AddDate(0, 0, -30)
		return []any{s.practice, s.now.AddDate(0, 0, -6), month, month}
	}},
	{name: "summary: each patient's last contact", scope: inPractice, sql: `WITH RECURSIVE walk (at, patient_id, id, work_item_id, kind, shown, found) AS (
SELECT 'infinity'::timestamptz, '', '', '', '', 0, 0
UNION ALL
SELECT s.at, s.patient_id, s.id, s.work_item_id, s.kind, s.shown, w.found + s.shown
FROM walk w CROSS JOIN LATERAL (
SELECT c.at, c.patient_id, c.id, c.work_item_id, x.kind, CASE WHEN NOT EXISTS (SELECT 1 FROM activities b WHERE b.patient_id = c.patient_id AND b.outcome NOT IN ('note', 'handed_off', 'released')
AND (b.at, b.id) > (c.at, c.id)) THEN 1 ELSE 0 END
FROM activities c JOIN work_items x ON x.id = c.work_item_id
WHERE c.practice_id = $1 AND c.outcome NOT IN ('note', 'handed_off', 'released')
AND c.at <= w.at AND (c.at < w.at OR c.patient_id > w.patient_id OR (c.patient_id = w.patient_id AND c.id > w.id))
ORDER BY c.at DESC, c.patient_id, c.id LIMIT 1) AS s (at, patient_id, id, work_item_id, kind, shown)
WHERE w.found < $2)
SELECT walk.patient_id, walk.work_item_id, walk.kind, walk.at, a.channel, a.outcome, a.actor_id
FROM walk JOIN activities a ON a.id = walk.id
WHERE walk.shown = 1
ORDER BY walk.at DESC, walk.patient_id`, args: func(s sample) []any { return []any{s.practice, 50} }},
	{name: "summary: accounts receivable aging", scope: inPractice, sql: `SELECT COALESCE(SUM(aged_0_30_cents), 0), COALESCE(SUM(aged_over_90_cents), 0)
FROM balances WHERE practice_id = $1`, args: func(s sample) []any { return []any{s.practice} }},
	{name: "summary: recalls and recare items", scope: inPractice, sql: `SELECT
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND NOT scheduled AND due_date < $2),
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'resolved' AND finished_at >= $3),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state IN ` + unfinished + `),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'closed' AND finished_at >= $3)`,
		args: func(s sample) []any { return []any{s.practice, s.now.Format(time.DateOnly), s.now.AddDate(0, 0, -30)} }},
	{name: "summary: treatment plans and items", scope: inPractice, sql: `SELECT
(SELECT count(*) FROM treatment_plans WHERE practice_id = $1 AND NOT scheduled),
(SELECT COALESCE(SUM(est_patient_cents), 0) FROM treatment_plans WHERE practice_id = $1 AND NOT scheduled),
(SELECT count(*) FROM treatment_plans WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'treatment_followup' AND state = 'resolved' AND finished_at >= $2),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'treatment_followup' AND state IN ` + unfinished + `)`,
		args: func(s sample) []any { return []any{s.practice, s.now.AddDate(0, 0, -30)} }},
	// The daily generation (recordstore.All, workstore.CreateOpen).
	{name: "generation: the practice's balances", scope: inPractice, sql: `SELECT id, patient_id, external_id, total_cents, aged_0_30_cents, aged_31_60_cents, aged_61_90_cents,
aged_over_90_cents, last_statement_date, last_payment_date, last_payment_cents FROM balances WHERE practice_id = $1 ORDER BY id`,
		args: func(s sample) []any { return []any{s.practice} }},
	{name: "generation: the practice's claims", scope: inPractice, sql: `SELECT id, patient_id, external_id, payer_name, payer_id, subscriber_id, date_of_service, submitted_date,
billed_cents, paid_cents, patient_responsibility_cents, status FROM claims WHERE practice_id = $1 ORDER BY id`,
		args: func(s sample) []any { return []any{s.practice} }},
	{name: "generation: re-scoring the open items", scope: inPractice, sql: `UPDATE work_items w SET priority = u.p, priority_reasons = u.r, updated_at = $6
FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS u(st, sid, k, p, r)
WHERE w.subject_type = u.st AND w.subject_id = u.sid AND w.kind = u.k AND w.state NOT IN ('resolved', 'closed')
AND (w.priority <> u.p OR w.priority_reasons <> u.r)`,
		args: func(s sample) []any {
			return []any{s.subjectTypes, s.subjectIDs, s.kinds, s.priorities, s.reasons, s.now}
		}},
}
