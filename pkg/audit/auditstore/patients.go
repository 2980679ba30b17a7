package auditstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/google/uuid"
)

// PatientLookup names a patient the way a person asking for an access
// report does: the last name, and the first name or the date of birth (or
// both), within one practice. Names match whole, ignoring case.
type PatientLookup struct {
	PracticeID  string
	LastName    string
	FirstName   string
	DateOfBirth string // YYYY-MM-DD
}

// maxPatientsFound bounds one lookup: names are not unique, but a lookup
// naming more people than this is too broad to be about one patient.
const maxPatientsFound = 20

// FindPatients resolves l to the ids of the practice's patients it
// matches, at most maxPatientsFound, and appends ev, the audit event of
// that read of patient data, in the same transaction: ev gets the
// practice, the patients found and the field returned (their ids). A
// lookup that cannot be recorded finds nothing.
func (s *Store) FindPatients(ctx context.Context, l PatientLookup, ev audit.Event) ([]string, error) {
	if ev.ID == "" {
		ev.ID = uuid.Must(uuid.NewV7()).String()
	}
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	ev.Time = ev.Time.UTC().Truncate(time.Microsecond)
	ev.PracticeID = l.PracticeID
	ev.Fields = []string{"patient_id"}
	conds := []string{"practice_id = $1", "lower(last_name) = $2"}
	args := []any{l.PracticeID, strings.ToLower(strings.TrimSpace(l.LastName))}
	if v := strings.TrimSpace(l.FirstName); v != "" {
		args = append(args, strings.ToLower(v))
		conds = append(conds, fmt.Sprintf("lower(first_name) = $%d", len(args)))
	}
	if v := strings.TrimSpace(l.DateOfBirth); v != "" {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("date_of_birth = $%d", len(args)))
	}
	args = append(args, maxPatientsFound)
	query := `SELECT id FROM patients WHERE ` + strings.Join(conds, " AND ") + fmt.Sprintf(" ORDER BY id LIMIT $%d", len(args))
	var ids []string
	err := s.db.Tx(sqldb.WithPractice(ctx, l.PracticeID), func(tx *sql.Tx) error {
		var err error
		ids, err = sqldb.List(ctx, tx, func(r sqldb.Scanner) (string, error) {
			var id string
			return id, r.Scan(&id)
		}, query, args...)
		if err != nil {
			return err
		}
		ev.PatientIDs = ids
		return s.Append(ctx, tx, []audit.Event{ev})
	})
	if err != nil {
		return nil, fmt.Errorf("find patients: %w", sqldb.MapError(err))
	}
	return ids, nil
}
