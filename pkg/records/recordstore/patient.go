package recordstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

const selectPatient = `SELECT external_id, first_name, last_name, date_of_birth, phone, email, address_line1, address_line2,
city, state, postal_code, guarantor_name, preferred_channel, text_consent, do_not_contact
FROM patients WHERE practice_id = $1 AND id = $2`

// Patient implements records.Storer. It reads within the practice scope
// of ctx: on PostgreSQL, row-level security finds the patient only within
// its own practice's scope.
func (s *Store) Patient(ctx context.Context, practiceID, id string) (records.Patient, error) {
	var p records.Patient
	err := s.db.Scoped(ctx, func(q sqldb.Querier) error {
		var err error
		p, err = patient(ctx, q, practiceID, id)
		return err
	})
	return p, err
}

// patient reads one patient of practiceID through q. A patient of another
// practice is not found, whatever its id.
func patient(ctx context.Context, q sqldb.Querier, practiceID, id string) (records.Patient, error) {
	p, err := scanPatient(q.QueryRowContext(ctx, selectPatient, practiceID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return records.Patient{}, apperr.NotFound("patient")
	}
	if err != nil {
		return records.Patient{}, fmt.Errorf("read patient: %w", sqldb.MapError(err))
	}
	return p, nil
}

// scanPatient reads a row of selectPatient.
func scanPatient(r sqldb.Scanner) (records.Patient, error) {
	var p records.Patient
	var dob, channel string
	if err := r.Scan(&p.ExternalID, &p.FirstName, &p.LastName, &dob, &p.Phone, &p.Email,
		&p.AddressLine1, &p.AddressLine2, &p.City, &p.State, &p.PostalCode, &p.GuarantorName, &channel, &p.TextConsent, &p.DoNotContact); err != nil {
		return records.Patient{}, err
	}
	if t, err := time.Parse(time.DateOnly, dob); err == nil {
		p.DateOfBirth = records.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
	}
	p.PreferredChannel = records.Channel(channel)
	return p, nil
}
