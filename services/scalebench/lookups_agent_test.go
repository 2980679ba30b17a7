package scalebench_test

import (
	"github.com/backdesk/backdesk/pkg/work"
)

// agentLookups are the lookups behind the agent's operations: the queue, next and the item view.
var agentLookups = []lookup{
	// The agent's queue (workstore.Queue, Contacts).
	{name: "queue: the agent's items", scope: allPractices, sql: `SELECT id, practice_id, patient_id, kind, state, priority, priority_reasons, due_at,
next_contact_at, version, cadence_step, stage,
COALESCE((SELECT a.channel FROM activities a WHERE a.work_item_id = work_items.id ORDER BY a.at DESC, a.id DESC LIMIT 1), '') = 'payer'
FROM work_items
WHERE owner_id = $1 AND state IN ('assigned', 'in_progress', 'waiting') AND ($2 = '' OR kind = $2) AND ($3 = '' OR practice_id = $3)
ORDER BY CASE WHEN COALESCE(next_contact_at, due_at) < $4 THEN 0 ELSE 1 END, priority DESC, due_at, id LIMIT $5`,
		args: func(s sample) []any { return []any{s.agent, "", "", s.now, int64(work.QueueLimit)} }},
	// The store lists the ids as parameters, id IN ($2, $3, …); one
	// array plans the same.
	{name: "queue: the patients' contact flags", scope: inPractice,
		sql:  `SELECT id, do_not_contact, text_consent FROM patients WHERE practice_id = $1 AND id = ANY($2::text[])`,
		args: func(s sample) []any { return []any{s.practice, s.patients} }},
	{name: "queue: the patients' recent contacts", scope: inPractice, sql: `SELECT patient_id, at FROM activities WHERE at > $1 AND patient_id = ANY($2::text[])
AND channel IN ('call', 'text', 'email') ORDER BY patient_id, at`,
		args: func(s sample) []any { return []any{s.now.AddDate(0, 0, -7), s.patients} }},
	// Next (workstore.Start).
	{name: "next: the agent's startable items", scope: allPractices, sql: `SELECT id, practice_id, patient_id, kind, version, cadence_step FROM work_items
WHERE owner_id = $1 AND (state = 'assigned' OR (state = 'in_progress' AND lease_until < $2))
ORDER BY CASE WHEN COALESCE(next_contact_at, due_at) < $2 THEN 0 ELSE 1 END, priority DESC, due_at, id
LIMIT $3`, args: func(s sample) []any { return []any{s.agent, s.now, int64(50)} }},
	// The item view (workstore.Locate, Detail; accessstore; recordstore.FullRecord; payerstore).
	{name: "item view: locate the item", scope: allPractices, sql: `SELECT practice_id, patient_id, kind FROM work_items WHERE id = $1`,
		args: func(s sample) []any { return []any{s.item} }},
	{name: "item view: the agent's items for the patient (access decision)", scope: inPractice, sql: `SELECT id, kind FROM work_items
WHERE owner_id = $1 AND practice_id = $2 AND patient_id = $3 AND state IN ('assigned', 'in_progress', 'waiting')`,
		args: func(s sample) []any { return []any{s.agent, s.practice, s.patient} }},
	{name: "item view: the item's history", scope: inPractice, sql: `SELECT id, actor_id, channel, outcome, note, next_contact_at, promised_cents, paid_cents, at
FROM activities WHERE work_item_id = $1 ORDER BY at, id`, args: func(s sample) []any { return []any{s.item} }},
	{name: "item view: the patient's other items", scope: inPractice, sql: `SELECT id, kind, state, priority, due_at, version FROM work_items
WHERE patient_id = $1 AND id <> $2 AND owner_id = $3 AND state IN ('assigned', 'in_progress', 'waiting') ORDER BY priority DESC, id`,
		args: func(s sample) []any { return []any{s.patient, s.item, s.agent} }},
	{name: "item view: the patient", scope: inPractice, sql: `SELECT external_id, first_name, last_name, date_of_birth, phone, email, address_line1, address_line2,
city, state, postal_code, guarantor_name, preferred_channel, text_consent, do_not_contact
FROM patients WHERE practice_id = $1 AND id = $2`, args: func(s sample) []any { return []any{s.practice, s.patient} }},
	{name: "item view: the patient's balance", scope: inPractice, sql: `SELECT external_id, total_cents, aged_0_30_cents, aged_31_60_cents, aged_61_90_cents, aged_over_90_cents,
last_statement_date, last_payment_date, last_payment_cents FROM balances WHERE practice_id = $1 AND patient_id = $2
ORDER BY total_cents DESC LIMIT 1`, args: func(s sample) []any { return []any{s.practice, s.patient} }},
	{name: "item view: the patient's claims", scope: inPractice, sql: `SELECT external_id, payer_name, payer_id, subscriber_id, date_of_service, submitted_date, billed_cents,
paid_cents, patient_responsibility_cents, status FROM claims WHERE practice_id = $1 AND patient_id = $2
ORDER BY date_of_service DESC, external_id`, args: func(s sample) []any { return []any{s.practice, s.patient} }},
	{name: "item view: the patient's recalls", scope: inPractice, sql: `SELECT external_id, recall_type, due_date, last_visit_date, scheduled FROM recalls
WHERE practice_id = $1 AND patient_id = $2 ORDER BY due_date, external_id`, args: func(s sample) []any { return []any{s.practice, s.patient} }},
	{name: "item view: the patient's treatment plans", scope: inPractice, sql: `SELECT external_id, summary, est_patient_cents, presented_date, scheduled FROM treatment_plans
WHERE practice_id = $1 AND patient_id = $2 ORDER BY presented_date DESC, external_id`,
		args: func(s sample) []any { return []any{s.practice, s.patient} }},
	{name: "item view: what the payer paid on the claim", scope: inPractice, sql: `SELECT created_at, payer_name, check_number, payment_date, status_code, charge_cents, paid_cents
FROM claim_remittances WHERE claim_id = $1 AND practice_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		args: func(s sample) []any { return []any{s.claim, s.practice, int64(20)} }},
	{name: "item view: what the payer said of the claim", scope: inPractice, sql: `SELECT created_at, category, code, entity, effective_date
FROM claim_status_events WHERE claim_id = $1 AND practice_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3`,
		args: func(s sample) []any { return []any{s.claim, s.practice, int64(20)} }},
}
