package auditstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// AnomalyScan selects the events an anomaly report looks at.
type AnomalyScan struct {
	From, To   time.Time // To is exclusive; both required
	PracticeID string    // empty: every practice in scope
	Practices  []string  // the caller's scope; nil is every practice
}

// breakGlassFlag is a LIKE pattern (escape character \) for how a
// canonical body marks an event done under break-glass. The canonical form
// is compact JSON with fixed field names, and a quote inside a string
// value is always escaped, so only the field itself matches; each hit is
// checked again on the parsed body all the same.
const breakGlassFlag = `%"break\_glass":true%`

// ScanForAnomalies calls fn, oldest first, with every event in the window
// and scope that an anomaly rule can use: allowed reads that name a
// patient, break-glass openings, and events done under break-glass. The
// other events are left in the database. It stops at fn's first error.
func (s *Store) ScanForAnomalies(ctx context.Context, q AnomalyScan, fn func(audit.Event) error) error {
	if q.From.IsZero() || q.To.IsZero() {
		return fmt.Errorf("audit anomaly scan needs a time window")
	}
	text, args := q.sql()
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return fmt.Errorf("scan audit events for anomalies: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var body string
		if err := rows.Scan(&seq, &body); err != nil {
			return fmt.Errorf("scan audit event: %w", err)
		}
		e, err := audit.Parse([]byte(body))
		if err != nil {
			return fmt.Errorf("audit event at seq %d: %w", seq, err)
		}
		if !audit.IsPHIRead(e) && !audit.IsBreakGlass(e) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("scan audit events for anomalies: %w", sqldb.MapError(err))
	}
	return nil
}

// sql builds the scan: the window and scope, and the candidate events as
// far as the search columns tell them (patient_id is set exactly when an
// event names a patient). Only placeholders are spliced in.
func (q AnomalyScan) sql() (string, []any) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	conds := []string{
		"at >= " + arg(audit.CanonicalTime(q.From)),
		"at < " + arg(audit.CanonicalTime(q.To)),
		"((action = " + arg(string(audit.ActionRead)) + " AND outcome = " + arg(string(audit.OutcomeAllow)) +
			" AND patient_id IS NOT NULL) OR action = " + arg(string(audit.ActionBreakGlass)) +
			" OR body LIKE " + arg(breakGlassFlag) + ` ESCAPE '\')`,
	}
	if q.Practices != nil {
		if len(q.Practices) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			ph := make([]string, len(q.Practices))
			for i, id := range q.Practices {
				ph[i] = arg(id)
			}
			conds = append(conds, "practice_id IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if q.PracticeID != "" {
		conds = append(conds, "practice_id = "+arg(q.PracticeID))
	}
	return selectEvents + " WHERE " + strings.Join(conds, " AND ") + " ORDER BY seq", args
}
