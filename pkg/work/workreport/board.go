// Package workreport answers the reporting questions about follow-up
// work: the billing managers' board (queue depth, overdue, escalations,
// agent load) and a practice's summary (items by state, resolved this
// week, money promised and paid, last contact per patient). Reports hold
// counts, amounts and opaque ids, never patient data. They are figures,
// not answers: the API's JSON form of them is services/internal/api's.
package workreport

import (
	"context"
	"database/sql"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/routing"
)

// Depth counts one practice's unfinished items of one kind.
type Depth struct {
	PracticeID string // empty in totals
	Kind       policy.Kind
	Open       int // waiting for an owner
	Assigned   int
	InProgress int
	Waiting    int // until the next contact date
	Overdue    int // next contact (or first-contact due date) passed
	Escalated  int
	Breached   int // past the first-contact due date with no contact yet
}

// AgentLoad is one agent's load and output.
type AgentLoad struct {
	UserID         string
	DisplayName    string
	Presence       string
	OnShift        bool
	Capacity       int
	Open           int
	Overdue        int
	ContactsToday  int
	CompletedToday int
	Completed7d    int
}

// DayDepth is how many items of a kind were unfinished at the end of a
// day (UTC).
type DayDepth struct {
	Day  string
	Kind policy.Kind
	Open int
}

// Breach is an item past its first-contact due date with no contact.
type Breach struct {
	ItemID      string
	PracticeID  string
	Kind        policy.Kind
	OwnerID     string
	DueAt       time.Time
	EscalatedAt *time.Time
}

// Board is the billing managers' view of all the work.
type Board struct {
	At       time.Time
	Depth    []Depth
	Agents   []AgentLoad
	OnShift  int
	History  []DayDepth
	Breaches []Breach // the oldest first, at most BreachLimit
	Totals   Depth
}

// BreachLimit bounds the breaches a board lists; Totals counts them all.
const BreachLimit = 50

const unfinished = `('open', 'assigned', 'in_progress', 'waiting')`

// ManagerBoard reads the board at now with days of depth history.
func ManagerBoard(ctx context.Context, db *sqldb.DB, now time.Time, days int) (Board, error) {
	now = now.UTC()
	b := Board{At: now, Depth: []Depth{}, Agents: []AgentLoad{}, History: []DayDepth{}, Breaches: []Breach{}}
	err := db.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		var err error
		if b.Depth, err = depth(ctx, tx, now); err != nil {
			return err
		}
		if b.Agents, err = agentLoads(ctx, tx, now); err != nil {
			return err
		}
		if b.History, err = history(ctx, tx, now, days); err != nil {
			return err
		}
		b.Breaches, err = breaches(ctx, tx, now)
		return err
	})
	if err != nil {
		return Board{}, sqldb.MapError(err)
	}
	for _, d := range b.Depth {
		t := &b.Totals
		t.Open, t.Assigned, t.InProgress, t.Waiting = t.Open+d.Open, t.Assigned+d.Assigned, t.InProgress+d.InProgress, t.Waiting+d.Waiting
		t.Overdue, t.Escalated, t.Breached = t.Overdue+d.Overdue, t.Escalated+d.Escalated, t.Breached+d.Breached
	}
	for _, a := range b.Agents {
		if a.OnShift {
			b.OnShift++
		}
	}
	return b, nil
}

func depth(ctx context.Context, tx *sql.Tx, now time.Time) ([]Depth, error) {
	rows, err := tx.QueryContext(ctx, `SELECT practice_id, kind,
SUM(CASE WHEN state = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'assigned' THEN 1 ELSE 0 END),
SUM(CASE WHEN state = 'in_progress' THEN 1 ELSE 0 END), SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END),
SUM(CASE WHEN COALESCE(next_contact_at, due_at) < $1 THEN 1 ELSE 0 END),
SUM(CASE WHEN state = 'open' AND escalated_at IS NOT NULL THEN 1 ELSE 0 END),
SUM(CASE WHEN attempts = 0 AND due_at < $1 THEN 1 ELSE 0 END)
FROM work_items WHERE state IN `+unfinished+` GROUP BY practice_id, kind ORDER BY practice_id, kind`, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Depth{}
	for rows.Next() {
		var d Depth
		if err := rows.Scan(&d.PracticeID, &d.Kind, &d.Open, &d.Assigned, &d.InProgress, &d.Waiting, &d.Overdue, &d.Escalated, &d.Breached); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func agentLoads(ctx context.Context, tx *sql.Tx, now time.Time) ([]AgentLoad, error) {
	day := now.Truncate(24 * time.Hour)
	rows, err := tx.QueryContext(ctx, `SELECT a.user_id, a.display_name, a.presence, a.capacity, a.timezone, a.hours,
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN `+unfinished+`),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.state IN `+unfinished+` AND COALESCE(w.next_contact_at, w.due_at) < $1),
(SELECT count(*) FROM activities x WHERE x.actor_id = a.user_id AND x.at >= $2 AND x.outcome NOT IN ('note', 'handed_off', 'released')),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $2),
(SELECT count(*) FROM work_items w WHERE w.owner_id = a.user_id AND w.finished_at >= $3)
FROM agents a WHERE a.active ORDER BY a.display_name, a.user_id`, now, day, day.AddDate(0, 0, -6))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AgentLoad{}
	for rows.Next() {
		var l AgentLoad
		var tz, hours string
		if err := rows.Scan(&l.UserID, &l.DisplayName, &l.Presence, &l.Capacity, &tz, &hours, &l.Open, &l.Overdue,
			&l.ContactsToday, &l.CompletedToday, &l.Completed7d); err != nil {
			return nil, err
		}
		sched, _ := routing.ParseSchedule(hours) // validated when stored
		loc, err := time.LoadLocation(tz)
		if err != nil {
			loc = time.UTC
		}
		l.OnShift = routing.OnShift(routing.Agent{Presence: routing.Presence(l.Presence), Hours: sched, Location: loc}, now)
		out = append(out, l)
	}
	return out, rows.Err()
}

// history counts, for each of the last days (today included), the items
// of each kind created by the end of that day and not finished by then.
func history(ctx context.Context, tx *sql.Tx, now time.Time, days int) ([]DayDepth, error) {
	out := []DayDepth{}
	today := now.Truncate(24 * time.Hour)
	for i := days - 1; i >= 0; i-- {
		start := today.AddDate(0, 0, -i)
		end := start.AddDate(0, 0, 1)
		if end.After(now) {
			end = now
		}
		rows, err := tx.QueryContext(ctx, `SELECT kind, count(*) FROM work_items
WHERE created_at <= $1 AND (finished_at IS NULL OR finished_at > $1) GROUP BY kind ORDER BY kind`, end)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			d := DayDepth{Day: start.Format(time.DateOnly)}
			if err := rows.Scan(&d.Kind, &d.Open); err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func breaches(ctx context.Context, tx *sql.Tx, now time.Time) ([]Breach, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, practice_id, kind, COALESCE(owner_id, ''), due_at, escalated_at FROM work_items
WHERE state IN `+unfinished+` AND attempts = 0 AND due_at < $1 ORDER BY due_at, id LIMIT $2`, now, BreachLimit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Breach{}
	for rows.Next() {
		var b Breach
		var esc sql.NullTime
		if err := rows.Scan(&b.ItemID, &b.PracticeID, &b.Kind, &b.OwnerID, &b.DueAt, &esc); err != nil {
			return nil, err
		}
		b.DueAt = b.DueAt.UTC()
		if esc.Valid {
			t := esc.Time.UTC()
			b.EscalatedAt = &t
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
