package auditstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Query is a search over the trail. Zero fields do not filter.
type Query struct {
	PracticeID, PatientID, Actor, Action, Outcome string
	// Actions matches any of several actions (with Action, any of all of
	// them), so one search finds, say, every team membership change.
	Actions []string
	// TargetType, TargetID and UserID match the fields of change events.
	// They have no columns: they match the body, like a patient beyond
	// the first, and are checked against the parsed event.
	TargetType, TargetID, UserID string
	// PatientIDs matches events naming any of several patients (the
	// patients a name was resolved to), like PatientID. A non-nil empty
	// list matches nothing.
	PatientIDs []string
	// Actors matches any of several actors, each by issuer and subject:
	// the people a name or e-mail address was resolved to. A non-nil
	// empty list matches nothing.
	Actors      []Who
	From, To    time.Time // To is exclusive; both UTC
	After       int64     // keyset cursor: the last seq seen
	Limit       int       // 0: no limit (exports)
	OldestFirst bool
	Practices   []string // the caller's scope; nil is every practice
}

// Stored is one event as kept: its sequence number, its canonical body,
// and the event parsed from that body (never from the index columns).
type Stored struct {
	Seq   int64
	Body  string
	Event audit.Event
}

const (
	selectEvents  = `SELECT seq, body FROM audit_events`
	selectEventID = `SELECT seq, body FROM audit_events WHERE id = $1`
	// patientEvents starts the condition of a search by patient; the
	// comparison with the patient ids and the closing parenthesis follow.
	patientEvents = `seq IN (SELECT event_seq FROM audit_event_patients WHERE patient_id`
)

// Search starts a search; read it with Next and always Close it. The
// query runs at once, so a database failure is reported before the caller
// commits to an answer.
func (s *Store) Search(ctx context.Context, q Query) (*Cursor, error) {
	text, args := q.sql(s.db.Dialect == sqldb.Postgres)
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("search audit events: %w", sqldb.MapError(err))
	}
	return &Cursor{rows: rows, q: q}, nil
}

// Statement is the statement and arguments Search sends for q, on
// PostgreSQL or on SQLite, for tests and benchmarks that explain its plan.
func (q Query) Statement(postgres bool) (string, []any) { return q.sql(postgres) }

// Find returns the event with id.
func (s *Store) Find(ctx context.Context, id string) (Stored, error) {
	var r Stored
	err := s.db.QueryRowContext(ctx, selectEventID, id).Scan(&r.Seq, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFound("audit event")
	}
	if err != nil {
		return r, fmt.Errorf("read audit event: %w", sqldb.MapError(err))
	}
	if r.Event, err = audit.Parse([]byte(r.Body)); err != nil {
		return r, fmt.Errorf("audit event at seq %d: %w", r.Seq, err)
	}
	return r, nil
}

// Cursor walks a search's results in order.
type Cursor struct {
	rows *sql.Rows
	q    Query
	n    int
}

// Next returns the next matching event; ok is false at the end or the limit.
func (c *Cursor) Next() (Stored, bool, error) {
	for (c.q.Limit == 0 || c.n < c.q.Limit) && c.rows.Next() {
		var r Stored
		if err := c.rows.Scan(&r.Seq, &r.Body); err != nil {
			return r, false, fmt.Errorf("scan audit event: %w", err)
		}
		var err error
		if r.Event, err = audit.Parse([]byte(r.Body)); err != nil {
			return r, false, fmt.Errorf("audit event at seq %d: %w", r.Seq, err)
		}
		if !c.q.matches(r.Event) {
			continue // a LIKE hit on another field of the body
		}
		c.n++
		return r, true, nil
	}
	if err := c.rows.Err(); err != nil {
		return Stored{}, false, fmt.Errorf("search audit events: %w", sqldb.MapError(err))
	}
	return Stored{}, false, nil
}

// Close releases the search.
func (c *Cursor) Close() error { return c.rows.Close() }

// sql builds the query. Every bound is a parameter; only placeholders and
// fixed column names are spliced in. The search columns are copies of body
// fields kept for indexes; results are answered from the body. With
// bounded (PostgreSQL), a time range also bounds seq (see timeBounds).
func (q Query) sql(bounded bool) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
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
	if q.PatientID != "" {
		// Every patient an event names, not only the one its patient_id
		// column holds, has a row in audit_event_patients, written with the
		// event; the search reads the patient's rows by key.
		conds = append(conds, patientEvents+" = "+arg(q.PatientID)+")")
	}
	if q.PatientIDs != nil {
		if len(q.PatientIDs) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			ph := make([]string, len(q.PatientIDs))
			for i, id := range q.PatientIDs {
				ph[i] = arg(id)
			}
			conds = append(conds, patientEvents+" IN ("+strings.Join(ph, ", ")+"))")
		}
	}
	if q.Actor != "" {
		conds = append(conds, "actor_subject = "+arg(q.Actor))
	}
	if q.Actors != nil {
		if len(q.Actors) == 0 {
			conds = append(conds, "1 = 0")
		} else {
			ph := make([]string, len(q.Actors))
			for i, w := range q.Actors {
				ph[i] = arg(w.Subject)
			}
			conds = append(conds, "actor_subject IN ("+strings.Join(ph, ", ")+")")
		}
	}
	if actions := q.actions(); len(actions) > 0 {
		ph := make([]string, len(actions))
		for i, a := range actions {
			ph[i] = arg(a)
		}
		conds = append(conds, "action IN ("+strings.Join(ph, ", ")+")")
	}
	for _, f := range []struct{ name, value string }{{"target_type", q.TargetType}, {"target_id", q.TargetID}, {"user_id", q.UserID}} {
		if f.value != "" {
			conds = append(conds, "body LIKE "+arg(likeField(f.name, f.value))+` ESCAPE '\'`)
		}
	}
	if q.Outcome != "" {
		conds = append(conds, "outcome = "+arg(q.Outcome))
	}
	if q.After > 0 {
		if q.OldestFirst {
			conds = append(conds, "seq > "+arg(q.After))
		} else {
			conds = append(conds, "seq < "+arg(q.After))
		}
	}
	var from, to string // the range's placeholders
	var walk []string   // the range's conditions for a walk of seq
	if !q.From.IsZero() {
		from = arg(audit.CanonicalTime(q.From))
		walk = append(walk, walkedAt+" >= "+from)
	}
	if !q.To.IsZero() {
		to = arg(audit.CanonicalTime(q.To))
		walk = append(walk, walkedAt+" < "+to)
	}
	others := slices.Clone(conds) // without the range
	if from != "" {
		conds = append(conds, "at >= "+from)
	}
	if to != "" {
		conds = append(conds, "at < "+to)
	}
	order := " ORDER BY seq DESC"
	if q.OldestFirst {
		order = " ORDER BY seq"
	}
	// With a filter on the body some rows may be dropped after reading, so
	// the limit is applied in Next instead.
	limit := ""
	if q.Limit > 0 && !q.checksBody() {
		limit = " LIMIT " + arg(q.Limit)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	if !bounded || (from == "" && to == "") {
		return selectEvents + where + order + limit, args
	}
	inRange, late := q.timeBounds(arg, from, to)
	walkWhere := " WHERE " + strings.Join(append(append(others, walk...), inRange), " AND ")
	return "SELECT seq, body FROM ((" + selectEvents + walkWhere + order + limit + ") UNION (" +
		selectEvents + where + " AND " + late + order + limit + ")) AS e" + order + limit, args
}

// walkedAt is the time column as the bounded part of a search by time
// compares it: an expression no index holds. Otherwise, knowing neither
// bound at planning time, PostgreSQL may read every event of the range
// through audit_events_at and sort them, a cost that grows with the
// range's events, where walking seq down from the upper bound stops at
// the page's last event.
const walkedAt = "(at + interval '0 seconds')"

// lateSlack is how far apart in time two events recorded on time can lie
// in the wrong order of seq: each is within five minutes of the database's
// clock when its insert ends (migration 0026), and the rest allows for how
// long an insert takes.
const lateSlack = 15 * time.Minute

// timeBounds returns the conditions that find a time range's events by
// seq: inRange bounds seq between two events recorded on time that lie
// lateSlack outside the range (none where the range reaches an end of the
// trail), found through audit_events_at, and late reads the events
// recorded late, which audit_events_late lists by time. An on-time event
// after the upper bound is no older than the bound's time less lateSlack,
// so not in the range, and likewise below; the search is the two together.
func (q Query) timeBounds(arg func(any) string, from, to string) (inRange, late string) {
	onTime := " AND NOT EXISTS (SELECT 1 FROM audit_events_late l WHERE l.seq = b.seq)"
	var seqs, lateConds []string
	if from != "" {
		seqs = append(seqs, "seq > COALESCE((SELECT b.seq FROM audit_events b WHERE b.at < "+
			arg(audit.CanonicalTime(q.From.Add(-lateSlack)))+onTime+" ORDER BY b.at DESC LIMIT 1), 0)")
		lateConds = append(lateConds, "l.at >= "+from)
	}
	if to != "" {
		seqs = append(seqs, "seq < COALESCE((SELECT b.seq FROM audit_events b WHERE b.at >= "+
			arg(audit.CanonicalTime(q.To.Add(lateSlack)))+onTime+" ORDER BY b.at LIMIT 1), 9223372036854775807)")
		lateConds = append(lateConds, "l.at < "+to)
	}
	return strings.Join(seqs, " AND "), "seq IN (SELECT l.seq FROM audit_events_late l WHERE " + strings.Join(lateConds, " AND ") + ")"
}

// actions is every action the query asks for, without repeats.
func (q Query) actions() []string {
	out := slices.Clone(q.Actions)
	if q.Action != "" {
		out = append(out, q.Action)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// checksBody reports whether rows the SQL returns may still be dropped
// after parsing.
func (q Query) checksBody() bool {
	return q.PatientID != "" || q.TargetType != "" || q.TargetID != "" || q.UserID != "" || len(q.Actors) > 0 || len(q.PatientIDs) > 0
}

// matches checks the filters that the SQL can only approximate against
// the parsed event.
func (q Query) matches(e audit.Event) bool {
	switch {
	case q.PatientID != "" && !slices.Contains(e.PatientIDs, q.PatientID):
		return false
	case q.TargetType != "" && e.TargetType != q.TargetType:
		return false
	case q.TargetID != "" && e.TargetID != q.TargetID:
		return false
	case q.UserID != "" && e.UserID != q.UserID:
		return false
	case len(q.PatientIDs) > 0 && !slices.ContainsFunc(e.PatientIDs, func(id string) bool { return slices.Contains(q.PatientIDs, id) }):
		return false
	case len(q.Actors) > 0 && !slices.Contains(q.Actors, Who{Issuer: e.Actor.Issuer, Subject: e.Actor.Subject}):
		return false // the same subject at another provider
	}
	return true
}

// likeField is a LIKE pattern for a top-level string field of the
// canonical body with exactly value. Inside a JSON string every quote is
// escaped, so the quoted name followed by a colon only occurs as a field.
func likeField(name, value string) string {
	b, _ := json.Marshal(value) // a string always marshals
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(`"`+name+`":`+string(b)) + "%"
}
