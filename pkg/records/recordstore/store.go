// Package recordstore upserts a practice's records by the practice's own
// ids, in batches, inside the caller's transaction. An unchanged row is
// left alone (so re-importing a file changes nothing); rows whose patient
// is unknown to that practice are rejected, never attached elsewhere.
package recordstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/google/uuid"
)

// Changed is a row that was inserted or whose values changed.
type Changed struct {
	ID        string // Backdesk's id of the record
	PatientID string // Backdesk's id of its patient
	Row       recordcsv.Row
}

// Result is what one batch did.
type Result struct {
	Applied  int // valid rows, changed or not
	Changed  []Changed
	Rejected []recordcsv.RowError
}

// BatchSize keeps every statement well under both engines' parameter limits.
const BatchSize = 1000

// Upsert applies rows (all of one kind) for practiceID through tx.
func Upsert(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, practiceID string, now time.Time, rows []recordcsv.Row) (Result, error) {
	if len(rows) == 0 {
		return Result{}, nil
	}
	t := tableFor(rows[0])
	var res Result
	var patients map[string]string
	if t.name != "patients" {
		ids := make([]string, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, t.patientExternal(r))
		}
		var err error
		if patients, err = patientIDs(ctx, tx, d, practiceID, ids); err != nil {
			return Result{}, err
		}
	}
	var args []any
	var keep []recordcsv.Row
	var rowPatient []string
	for _, r := range rows {
		pid := ""
		if patients != nil {
			var ok bool
			if pid, ok = patients[t.patientExternal(r)]; !ok {
				res.Rejected = append(res.Rejected, recordcsv.RowError{Line: r.Line, Column: "patient_id", Rule: "unknown_patient", Message: "patient_id: no patient with this id in this practice; import patients first"})
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
			return Result{}, err
		}
	}
	rs, err := tx.QueryContext(ctx, t.upsertSQL(d, len(keep), types), args...)
	if err != nil {
		return Result{}, fmt.Errorf("upsert %s: %w", t.name, sqldb.MapError(err))
	}
	defer rs.Close()
	byExt := make(map[string]int, len(keep))
	for i, r := range keep {
		byExt[t.external(r)] = i
	}
	for rs.Next() {
		var id, ext string
		if err := rs.Scan(&id, &ext); err != nil {
			return Result{}, err
		}
		i := byExt[ext]
		pid := rowPatient[i]
		if t.name == "patients" {
			pid = id
		}
		res.Changed = append(res.Changed, Changed{ID: id, PatientID: pid, Row: keep[i]})
	}
	return res, rs.Err()
}

func patientIDs(ctx context.Context, tx *sql.Tx, d sqldb.Dialect, practiceID string, external []string) (map[string]string, error) {
	uniq := map[string]bool{}
	var wanted []string
	for _, e := range external {
		if !uniq[e] {
			uniq[e] = true
			wanted = append(wanted, e)
		}
	}
	var rs *sql.Rows
	var err error
	if d == sqldb.Postgres {
		rs, err = tx.QueryContext(ctx, `SELECT external_id, id FROM patients WHERE practice_id = $1 AND external_id = ANY($2::text[])`, practiceID, wanted)
	} else {
		args := []any{practiceID}
		marks := make([]string, len(wanted))
		for i, e := range wanted {
			args = append(args, e)
			marks[i] = d.Param(i + 2)
		}
		rs, err = tx.QueryContext(ctx, `SELECT external_id, id FROM patients WHERE practice_id = `+d.Param(1)+` AND external_id IN (`+strings.Join(marks, ", ")+`)`, args...)
	}
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
