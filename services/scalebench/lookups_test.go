package scalebench_test

import (
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/work"
)

// sample holds the arguments the catalog's lookups are explained with:
// real ids of the loaded company.
type sample struct {
	now                             time.Time
	practice, agent, actor          string
	item, patient, claim            string
	patients                        []string
	dayFrom, dayTo                  time.Time
	subjectTypes, subjectIDs, kinds []string
	priorities                      []int64
	reasons                         []string
}

// newSample picks an owned, unfinished claim follow-up of the first
// practice and the records and people around it.
func (b *bench) newSample() sample {
	c := b.c
	s := sample{now: time.Now().UTC(), practice: c.PracticeID(0)}
	for k := range c.Size.ItemsPerPractice() {
		it := c.Item(0, k)
		if !it.Unfinished() {
			continue
		}
		if len(s.patients) < 20 {
			s.patients = append(s.patients, c.PatientID(0, it.Patient))
		}
		s.subjectTypes, s.subjectIDs = append(s.subjectTypes, string(it.Subject)), append(s.subjectIDs, c.RecordID(0, it.Patient, it.Subject))
		s.kinds, s.priorities, s.reasons = append(s.kinds, string(it.Kind)), append(s.priorities, int64(k%90)), append(s.reasons, "[]")
		if s.item == "" && it.Owner >= 0 && it.Kind == policy.ClaimFollowup {
			s.item, s.patient, s.agent = c.ItemID(0, k), c.PatientID(0, it.Patient), c.AgentID(it.Owner)
			s.claim, s.actor = c.RecordID(0, it.Patient, work.SubjectClaim), c.AgentSubject(it.Owner)
		}
	}
	from, to := c.AuditSpan()
	s.dayFrom = from.Add(to.Sub(from) / 2).Truncate(24 * time.Hour)
	s.dayTo = s.dayFrom.Add(24 * time.Hour)
	return s
}

// lookup is one statement a store sends for an operation, as the store
// writes it (long select lists trimmed where they do not shape the plan),
// with arguments from the loaded company. The operations themselves are
// checked too (checkOperationScans), so a statement changed in its store
// and not here is still caught if it scans.
type lookup struct {
	name  string
	scope func(s sample) string // the practice scope; nil where the table has no row security
	sql   string
	args  func(s sample) []any
	scans string // set when reading the whole table is the statement's nature: why
}

func inPractice(s sample) string { return s.practice }
func allPractices(sample) string { return "*" }

// unfinished is the reports' list of states still to be worked.
const unfinished = `('open', 'assigned', 'in_progress', 'waiting')`

// lookups are the statements behind the measured operations that read
// the big tables.
var lookups = []lookup{
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
	// Compliance's searches (auditstore.Search): a page of 50, newest
	// first, or a month oldest first for the export.
	{name: "audit: search by patient", sql: `SELECT seq, body FROM audit_events
WHERE seq IN (SELECT event_seq FROM audit_event_patients WHERE patient_id = $1) ORDER BY seq DESC`,
		args: func(s sample) []any { return []any{s.patient} }},
	{name: "audit: search by practice (its admin)", sql: `SELECT seq, body FROM audit_events
WHERE practice_id IN ($1) AND practice_id = $2 ORDER BY seq DESC LIMIT $3`,
		args: func(s sample) []any { return []any{s.practice, s.practice, int64(50)} }},
	{name: "audit: search by actor", sql: `SELECT seq, body FROM audit_events WHERE actor_subject = $1 ORDER BY seq DESC LIMIT $2`,
		args: func(s sample) []any { return []any{s.actor, int64(50)} }},
	{name: "audit: search by time range", sql: `SELECT seq, body FROM audit_events WHERE at >= $1 AND at < $2 ORDER BY seq DESC LIMIT $3`,
		args: func(s sample) []any { return []any{s.dayFrom, s.dayTo, int64(50)} }},
	{name: "audit: export of a month", sql: `SELECT seq, body FROM audit_events WHERE at >= $1 AND at < $2 ORDER BY seq`,
		args: func(s sample) []any { return []any{s.dayTo.AddDate(0, 0, -30), s.dayTo} }},
}
