package workstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/contact"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// ContactFacts reads what the contact rules need about a patient: the
// do-not-contact and text-consent flags, and the times of the patient
// contacts (calls, texts, emails) logged in the week before now, across
// every kind of work.
func ContactFacts(ctx context.Context, db *sqldb.DB, practiceID, patientID string, now time.Time) (contact.Facts, []time.Time, error) {
	var f contact.Facts
	var recent []time.Time
	err := db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
		recent = recent[:0]
		if err := tx.QueryRowContext(ctx, `SELECT do_not_contact, text_consent FROM patients WHERE id = $1 AND practice_id = $2`,
			patientID, practiceID).Scan(&f.DoNotContact, &f.TextConsent); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at FROM activities WHERE patient_id = $1 AND at > $2
AND channel IN ('call', 'text', 'email') ORDER BY at`, patientID, now.Add(-contact.Window))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				return err
			}
			recent = append(recent, at.UTC())
		}
		return rows.Err()
	})
	return f, recent, sqldb.MapError(err)
}
