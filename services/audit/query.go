package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/gin-gonic/gin"
)

// The searches read the copies of body fields that audit_events keeps for
// indexes, and answer from the body alone. They belong with the rest of the
// audit SQL in auditstore once the store grows a search method; until then
// they live here, as constants, and only read.
const (
	selectEvents  = `SELECT seq, body FROM audit_events`
	selectEventID = `SELECT seq, body FROM audit_events WHERE id = $1`
)

// Page sizes of the event listings.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// filter is a search over the trail, from query parameters.
type filter struct {
	practiceID, patientID, actor, action, outcome string
	from, to                                      time.Time
	after                                         int64 // keyset: events older than this seq
	limit                                         int   // 0: no limit (exports)
	oldestFirst                                   bool
	practices                                     []string // caller's scope; nil is every practice
}

// parseFilter reads the search parameters shared by the listings, the
// export and the patient report. paged adds after and limit.
func parseFilter(c *gin.Context, paged bool) (filter, error) {
	f := filter{
		practiceID: c.Query("practice_id"), patientID: c.Query("patient_id"),
		actor: c.Query("actor"), action: c.Query("action"), outcome: c.Query("outcome"),
		practices: scope(c.Request.Context()),
	}
	switch audit.Outcome(f.outcome) {
	case "", audit.OutcomeAllow, audit.OutcomeDeny, audit.OutcomeError:
	default:
		return f, apperr.Invalid("outcome", "invalid_outcome", "must be allow, deny or error")
	}
	var err error
	if f.from, err = parseTime(c, "from"); err != nil {
		return f, err
	}
	if f.to, err = parseTime(c, "to"); err != nil {
		return f, err
	}
	if !f.from.IsZero() && !f.to.IsZero() && f.to.Before(f.from) {
		return f, apperr.Invalid("to", "invalid_range", "must not be before from")
	}
	if !paged {
		return f, nil
	}
	f.limit = defaultLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return f, apperr.Invalid("limit", "out_of_range", "must be between 1 and %d", maxLimit)
		}
		f.limit = n
	}
	if v := c.Query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, apperr.Invalid("after", "invalid_cursor", "must be the next_after of the previous page")
		}
		f.after = n
	}
	return f, nil
}

func parseTime(c *gin.Context, name string) (time.Time, error) {
	v := c.Query(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, apperr.Invalid(name, "invalid_time", "must be an RFC 3339 time, e.g. 2026-01-31T00:00:00Z")
	}
	// Stored times are UTC; SQLite compares them as text, so the bound must
	// be UTC too.
	return audit.CanonicalTime(t), nil
}

// sql builds the query. Every bound is a parameter; only placeholders and
// fixed column names are spliced in.
func (f filter) sql() (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.practices != nil {
		if len(f.practices) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			ph := make([]string, len(f.practices))
			for i, id := range f.practices {
				ph[i] = arg(id)
			}
			conds = append(conds, "practice_id IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if f.practiceID != "" {
		conds = append(conds, "practice_id = "+arg(f.practiceID))
	}
	if f.patientID != "" {
		// The patient_id column holds only the lowest id of an event that
		// names several patients; the others are found in the body, by the
		// id as a JSON string. Rows are checked against the parsed body
		// afterwards (matches), so a LIKE hit on another field is dropped.
		conds = append(conds, "(patient_id = "+arg(f.patientID)+" OR body LIKE "+arg(likeQuoted(f.patientID))+` ESCAPE '\')`)
	}
	if f.actor != "" {
		conds = append(conds, "actor_subject = "+arg(f.actor))
	}
	if f.action != "" {
		conds = append(conds, "action = "+arg(f.action))
	}
	if f.outcome != "" {
		conds = append(conds, "outcome = "+arg(f.outcome))
	}
	if !f.from.IsZero() {
		conds = append(conds, "at >= "+arg(f.from))
	}
	if !f.to.IsZero() {
		conds = append(conds, "at < "+arg(f.to))
	}
	if f.after > 0 {
		if f.oldestFirst {
			conds = append(conds, "seq > "+arg(f.after))
		} else {
			conds = append(conds, "seq < "+arg(f.after))
		}
	}
	q := selectEvents
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	if f.oldestFirst {
		q += " ORDER BY seq"
	} else {
		q += " ORDER BY seq DESC"
	}
	// With a patient filter some rows may be dropped after reading, so the
	// page is cut in Go instead.
	if f.limit > 0 && f.patientID == "" {
		q += " LIMIT " + arg(f.limit)
	}
	return q, args
}

// likeQuoted is a LIKE pattern for id as a JSON string anywhere in a body.
func likeQuoted(id string) string {
	b, _ := json.Marshal(id) // a string always marshals
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(string(b)) + "%"
}

// matches applies what SQL could only approximate: an exact, case-sensitive
// patient match on the parsed body.
func (f filter) matches(e audit.Event) bool {
	return f.patientID == "" || slices.Contains(e.PatientIDs, f.patientID)
}

// row is one stored event.
type row struct {
	seq  int64
	body string
	ev   audit.Event
}

// each runs the search and calls fn for every matching event, in order,
// until fn returns false, the limit is reached or the rows run out.
func (a *API) each(ctx context.Context, f filter, fn func(row) (bool, error)) error {
	rows, err := a.search(ctx, f)
	if err != nil {
		return err
	}
	return f.scan(rows, fn)
}

// search starts the query; the caller must scan or close the rows.
func (a *API) search(ctx context.Context, f filter) (*sql.Rows, error) {
	q, args := f.sql()
	rows, err := a.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search audit events: %w", sqldb.MapError(err))
	}
	return rows, nil
}

// scan reads rows to the end or until fn stops it, and closes them.
func (f filter) scan(rows *sql.Rows, fn func(row) (bool, error)) error {
	defer rows.Close()
	n := 0
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.body); err != nil {
			return fmt.Errorf("scan audit event: %w", err)
		}
		var err error
		if r.ev, err = audit.Parse([]byte(r.body)); err != nil {
			return fmt.Errorf("audit event at seq %d: %w", r.seq, err)
		}
		if !f.matches(r.ev) {
			continue
		}
		more, err := fn(r)
		if err != nil {
			return err
		}
		n++
		if !more || (f.limit > 0 && n == f.limit) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search audit events: %w", sqldb.MapError(err))
	}
	return nil
}

// page runs a paged search and shapes the reply.
func (a *API) page(ctx context.Context, f filter) (eventListResponse, error) {
	out := eventListResponse{Items: []eventResponse{}}
	err := a.each(ctx, f, func(r row) (bool, error) {
		out.Items = append(out.Items, eventResponseFrom(r.seq, r.ev))
		return true, nil
	})
	if err != nil {
		return eventListResponse{}, err
	}
	if len(out.Items) == f.limit {
		last := out.Items[len(out.Items)-1].Seq
		out.NextAfter = &last
	}
	return out, nil
}

// findEvent returns the stored event with id.
func (a *API) findEvent(ctx context.Context, id string) (row, error) {
	var r row
	err := a.db.QueryRowContext(ctx, selectEventID, id).Scan(&r.seq, &r.body)
	if err == sql.ErrNoRows {
		return r, apperr.NotFound("audit event")
	}
	if err != nil {
		return r, fmt.Errorf("read audit event: %w", sqldb.MapError(err))
	}
	if r.ev, err = audit.Parse([]byte(r.body)); err != nil {
		return r, fmt.Errorf("audit event at seq %d: %w", r.seq, err)
	}
	return r, nil
}
