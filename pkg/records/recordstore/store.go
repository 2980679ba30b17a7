// Package recordstore keeps a practice's records in PostgreSQL or SQLite.
// It is the only place record SQL lives. It upserts records by the
// practice's own ids, in batches, inside the caller's transaction. An
// unchanged row is left alone (so re-importing a file changes nothing);
// rows whose patient is unknown to that practice are rejected, never
// attached elsewhere.
package recordstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/google/uuid"
)

// Store implements records.Storer.
type Store struct{ db *sqldb.DB }

var _ records.Storer = (*Store)(nil)

// New returns a Store over db.
func New(db *sqldb.DB) *Store { return &Store{db: db} }

// Upsert implements records.Storer.
func (s *Store) Upsert(ctx context.Context, tx *sql.Tx, practiceID string, now time.Time, rows []records.Row) (records.Batch, error) {
	if len(rows) == 0 {
		return records.Batch{}, nil
	}
	d := s.db.Dialect
	t := tableFor(rows[0])
	var res records.Batch
	var patients map[string]string
	if t.name != "patients" {
		ids := make([]string, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, t.patientExternal(r))
		}
		var err error
		if patients, err = patientIDs(ctx, tx, d, practiceID, ids); err != nil {
			return records.Batch{}, err
		}
	}
	var args []any
	var keep []records.Row
	var rowPatient []string
	for _, r := range rows {
		pid := ""
		if patients != nil {
			var ok bool
			if pid, ok = patients[t.patientExternal(r)]; !ok {
				res.Rejected = append(res.Rejected, records.RowError{Line: r.Line, Column: "patient_id", Rule: "unknown_patient", Message: "patient_id: no patient with this id in this practice; import patients first"})
				continue
			}
		}
		args = append(args, uuid.Must(uuid.NewV7()).String(), practiceID)
		if t.name != "patients" {
			args = append(args, pid)
		}
		args = append(args, t.values(r)...)
		args = append(args, now, now)
		keep = append(keep, r)
		rowPatient = append(rowPatient, pid)
	}
	res.Applied = len(keep)
	if len(keep) == 0 {
		return res, nil
	}
	var types []string
	if d == sqldb.Postgres {
		var err error
		if args, types, err = sqldb.ColumnArrays(args, len(t.allColumns())); err != nil {
			return records.Batch{}, err
		}
	}
	rs, err := tx.QueryContext(ctx, t.upsertSQL(d, len(keep), types), args...)
	if err != nil {
		return records.Batch{}, fmt.Errorf("upsert %s: %w", t.name, sqldb.MapError(err))
	}
	defer rs.Close()
	byExt := make(map[string]int, len(keep))
	for i, r := range keep {
		byExt[t.external(r)] = i
	}
	for rs.Next() {
		var id, ext string
		if err := rs.Scan(&id, &ext); err != nil {
			return records.Batch{}, err
		}
		i := byExt[ext]
		pid := rowPatient[i]
		if t.name == "patients" {
			pid = id
		}
		res.Changed = append(res.Changed, records.Changed{ID: id, PatientID: pid, Row: keep[i]})
	}
	return res, rs.Err()
}

// patientIDsOf reads patients of a practice by the practice's own ids;
// the ids' condition (Dialect.In) follows it.
const patientIDsOf = `SELECT external_id, id FROM patients WHERE practice_id = %s AND %s`

// patientIDs maps the practice's ids of its patients to Backdesk's;
// unknown ids are missing from the map.
func patientIDs(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, practiceID string, external []string) (map[string]string, error) {
	uniq := map[string]bool{}
	var wanted []string
	for _, e := range external {
		if !uniq[e] {
			uniq[e] = true
			wanted = append(wanted, e)
		}
	}
	in, args := d.In("external_id", 2, wanted)
	rs, err := tx.QueryContext(ctx, fmt.Sprintf(patientIDsOf, d.Param(1), in), append([]any{practiceID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("look up patients: %w", sqldb.MapError(err))
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var e, id string
		if err := rs.Scan(&e, &id); err != nil {
			return nil, err
		}
		out[e] = id
	}
	return out, rs.Err()
}
