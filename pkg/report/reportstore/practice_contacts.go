package reportstore

import (
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/report"
)

// Each patient's last contact, newest first: the contacts of the practice
// (its history less notes, hand-offs and releases) that are their
// patient's latest, by time and then id, and whose item is there, ordered
// by time, newest first, then patient, and cut at $2.
//
// Finding a patient's latest contact needs only the contacts after it, so
// the statements walk the practice's contacts newest first and stop once
// $2 patients are found: a few more rows than that, however long the
// practice's history and however large the company, rather than every
// contact of the year with a lookup each.
const (
	// contactOutcomes excludes the history entries that are not contacts.
	contactOutcomes = `outcome NOT IN ('note', 'handed_off', 'released')`
	// isLatest is true when contact c has no later contact of its patient:
	// the patient's latest, as ORDER BY at DESC, id DESC LIMIT 1 would pick.
	isLatest = `NOT EXISTS (SELECT 1 FROM activities b WHERE b.patient_id = c.patient_id AND b.` + contactOutcomes + `
AND (b.at, b.id) > (c.at, c.id))`
)

// selectLastContactsWalk is how PostgreSQL finds them: a walk through
// activities_practice_history (at DESC, patient_id, id) that takes one
// contact at a time, each step an index lookup, from a first row that
// stands before every contact, and ends when found, the count of
// contacts shown, reaches $2. Left to choose, PostgreSQL's planner reads
// every contact of the practice and sorts them: row-level security makes
// it take a practice for a few rows, the fewer the more practices share
// the table, so a plan that stops after 50 patients looks no cheaper than
// one that reads them all. The walk leaves it nothing else to choose, at
// any size.
const selectLastContactsWalk = `WITH RECURSIVE walk (at, patient_id, id, work_item_id, kind, shown, found) AS (
SELECT 'infinity'::timestamptz, '', '', '', '', 0, 0
UNION ALL
SELECT s.at, s.patient_id, s.id, s.work_item_id, s.kind, s.shown, w.found + s.shown
FROM walk w CROSS JOIN LATERAL (
SELECT c.at, c.patient_id, c.id, c.work_item_id, x.kind, CASE WHEN ` + isLatest + ` THEN 1 ELSE 0 END
FROM activities c JOIN work_items x ON x.id = c.work_item_id
WHERE c.practice_id = $1 AND c.` + contactOutcomes + `
AND c.at <= w.at AND (c.at < w.at OR c.patient_id > w.patient_id OR (c.patient_id = w.patient_id AND c.id > w.id))
ORDER BY c.at DESC, c.patient_id, c.id LIMIT 1) AS s (at, patient_id, id, work_item_id, kind, shown)
WHERE w.found < $2)
SELECT walk.patient_id, walk.work_item_id, walk.kind, walk.at, a.channel, a.outcome, a.actor_id
FROM walk JOIN activities a ON a.id = walk.id
WHERE walk.shown = 1
ORDER BY walk.at DESC, walk.patient_id`

// selectLastContacts is the same for SQLite, whose planner walks the
// index in order and stops at the LIMIT by itself.
const selectLastContacts = `SELECT c.patient_id, c.work_item_id, x.kind, c.at, c.channel, c.outcome, c.actor_id
FROM activities c JOIN work_items x ON x.id = c.work_item_id
WHERE c.practice_id = $1 AND c.` + contactOutcomes + ` AND ` + isLatest + `
ORDER BY c.at DESC, c.patient_id LIMIT $2`

// lastContacts is the read of practiceID's last contacts, at most limit,
// into out.
func (s *Store) lastContacts(practiceID string, limit int, out *[]report.LastContact) sqldb.Read {
	q := selectLastContacts
	if s.db.Dialect == sqldb.Postgres {
		q = selectLastContactsWalk
	}
	return sqldb.Read{Query: q, Args: []any{practiceID, limit}, Row: func(r sqldb.Scanner) error {
		var c report.LastContact
		if err := r.Scan(&c.PatientID, &c.WorkItemID, &c.Kind, &c.At, &c.Channel, &c.Outcome, &c.ActorID); err != nil {
			return err
		}
		c.At = c.At.UTC()
		*out = append(*out, c)
		return nil
	}}
}
