package recordstore

import (
	"context"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

// practiceUpcoming reads a practice's visits still to happen that start
// in a window, through appointments_starts.
const practiceUpcoming = `SELECT id, patient_id, external_id, starts_at, location, provider, planned_procedures, payer_name,
subscriber_id, status FROM appointments
WHERE practice_id = $1 AND starts_at >= $2 AND starts_at < $3 AND status IN ('scheduled', 'confirmed')
ORDER BY starts_at, id`

// Upcoming implements records.Storer: one statement, whatever the
// practice's size, for the few days it covers. As with All, the records
// carry Backdesk's patient id (Changed.PatientID), not the practice's.
func (s *Store) Upcoming(ctx context.Context, q sqldb.Querier, practiceID string, from, to time.Time) ([]records.Changed, error) {
	rows, err := q.QueryContext(ctx, practiceUpcoming, practiceID, from.UTC(), to.UTC())
	if err != nil {
		return nil, sqldb.MapError(err)
	}
	defer rows.Close()
	var out []records.Changed
	for rows.Next() {
		var c records.Changed
		var a records.Appointment
		var procs, status string
		if err := rows.Scan(&c.ID, &c.PatientID, &a.ExternalID, &a.Start, &a.Location, &a.Provider,
			&procs, &a.InsuranceOnFile.PayerName, &a.InsuranceOnFile.SubscriberID, &status); err != nil {
			return nil, sqldb.MapError(err)
		}
		a.Start, a.PlannedProcedures, a.Status = a.Start.UTC(), strings.Fields(procs), records.AppointmentStatus(status)
		c.Row = records.Row{Appointment: &a}
		out = append(out, c)
	}
	return out, sqldb.MapError(rows.Err())
}
