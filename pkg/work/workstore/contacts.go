package workstore

import (
	"context"
	"time"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/work"
)

// Contacts implements work.Storer: for each patient, the do-not-contact
// and text-consent flags and the patient contacts (calls, texts, e-mails)
// logged in the window before now, across every kind of work. Two
// statements, whatever the number of patients.
func (s *Store) Contacts(ctx context.Context, practiceID string, patientIDs []string, now time.Time) (map[string]work.PatientContacts, error) {
	out := make(map[string]work.PatientContacts, len(patientIDs))
	if len(patientIDs) == 0 {
		return out, nil
	}
	err := s.db.Scoped(sqldb.WithPractice(ctx, practiceID), func(q sqldb.Querier) error {
		clear(out)
		args := make([]any, 0, len(patientIDs)+2)
		args = append(args, practiceID)
		for _, id := range patientIDs {
			args = append(args, id)
		}
		in := sqldb.Numbered(2, len(patientIDs))
		rows, err := q.QueryContext(ctx, `SELECT id, do_not_contact, text_consent FROM patients WHERE practice_id = $1 AND id IN (`+in+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var pc work.PatientContacts
			if err := rows.Scan(&id, &pc.Facts.DoNotContact, &pc.Facts.TextConsent); err != nil {
				rows.Close()
				return err
			}
			out[id] = pc
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		args[0] = now.Add(-contact.Window)
		rows, err = q.QueryContext(ctx, `SELECT patient_id, at FROM activities WHERE at > $1 AND patient_id IN (`+in+`)
AND channel IN ('call', 'text', 'email') ORDER BY patient_id, at`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var at time.Time
			if err := rows.Scan(&id, &at); err != nil {
				return err
			}
			pc := out[id]
			pc.Recent = append(pc.Recent, at.UTC())
			out[id] = pc
		}
		return rows.Err()
	})
	return out, sqldb.MapError(err)
}
