package scalebench_test

import (
	"time"
)

// summaryLookups are the lookups behind a practice's summary and the daily generation.
var summaryLookups = []lookup{
	// A practice's summary (reportstore.Practice).
	{name: "summary: items by state", scope: inPractice, sql: `SELECT kind, state, count(*) FROM work_items WHERE practice_id = $1
GROUP BY kind, state ORDER BY kind, state`, args: func(s sample) []any { return []any{s.practice} }},
	{name: "summary: what was promised and paid", scope: inPractice, sql: `SELECT COALESCE(SUM(promised_cents), 0), COALESCE(SUM(paid_cents), 0) FROM activities
WHERE practice_id = $1 AND at >= $2`, args: func(s sample) []any { return []any{s.practice, s.now.AddDate(0, 0, -30)} }},
	{name: "summary: each patient's last contact", scope: inPractice, sql: `SELECT a.patient_id, a.work_item_id, w.kind, a.at, a.channel, a.outcome, a.actor_id
FROM activities a JOIN work_items w ON w.id = a.work_item_id
WHERE a.practice_id = $1 AND a.outcome NOT IN ('note', 'handed_off', 'released') AND a.id = (SELECT b.id FROM activities b WHERE b.patient_id = a.patient_id
AND b.outcome NOT IN ('note', 'handed_off', 'released') ORDER BY b.at DESC, b.id DESC LIMIT 1)
ORDER BY a.at DESC, a.patient_id LIMIT $2`, args: func(s sample) []any { return []any{s.practice, int64(50)} }},
	{name: "summary: accounts receivable aging", scope: inPractice, sql: `SELECT COALESCE(SUM(aged_0_30_cents), 0), COALESCE(SUM(aged_over_90_cents), 0)
FROM balances WHERE practice_id = $1`, args: func(s sample) []any { return []any{s.practice} }},
	{name: "summary: recalls and recare items", scope: inPractice, sql: `SELECT
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND NOT scheduled AND due_date < $2),
(SELECT count(*) FROM recalls WHERE practice_id = $1 AND scheduled),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state = 'resolved' AND finished_at >= $3),
(SELECT count(*) FROM work_items WHERE practice_id = $1 AND kind = 'recare' AND state IN ` + unfinished + `)`,
		args: func(s sample) []any { return []any{s.practice, s.now.Format(time.DateOnly), s.now.AddDate(0, 0, -30)} }},
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
