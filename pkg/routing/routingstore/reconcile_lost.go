package routingstore

import (
	"context"
	"strconv"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Overlap is how far back before the last pass each pass looks again:
// the changes and lapses of that span are judged once more. It covers an
// item assigned by a transaction that raced the change (a router read the
// grant before it was revoked and committed after the pass had looked)
// and service clocks a little apart.
const Overlap = 5 * time.Minute

const (
	// everyOwner is what the first pass judges: every agent's items.
	// Nothing is known of what changed before it.
	everyOwner = `SELECT 'agent', a.user_id FROM agents a`

	// changedSince is what a later pass judges, as (what, id): what the
	// marks name (migration 0025 writes them with each change) and what
	// lapsed by time since the last pass. 'agent' puts every owned item
	// of an agent in question: it was deactivated or taken off a team, or
	// a grant of its own or of one of its teams changed, ran out
	// ($1 < valid_until <= $2) or came due for review ($1 < review_due_at
	// <= $2). 'offline' puts an agent's items not waiting in question: it
	// went offline, or its grace ran out ($3 <= presence_at < $4).
	// 'practice' is a practice no longer active, 'item' an item that
	// reached an owner offline or inactive. It reads no big table.
	changedSince = `SELECT m.subject, m.subject_id FROM reconcile_marks m WHERE m.subject IN ('agent', 'offline', 'practice', 'item')
UNION SELECT 'agent', tm.user_id FROM reconcile_marks m JOIN team_members tm ON tm.team_id = m.subject_id WHERE m.subject = 'team'
UNION SELECT 'agent', g.grantee_id FROM grants g WHERE g.grantee_type = 'agent' AND g.revoked_at IS NULL
      AND ((g.valid_until > $1 AND g.valid_until <= $2) OR (g.review_due_at > $1 AND g.review_due_at <= $2))
UNION SELECT 'agent', tm.user_id FROM grants g JOIN team_members tm ON tm.team_id = g.grantee_id WHERE g.grantee_type = 'team' AND g.revoked_at IS NULL
      AND ((g.valid_until > $1 AND g.valid_until <= $2) OR (g.review_due_at > $1 AND g.review_due_at <= $2))
UNION SELECT 'offline', a.user_id FROM agents a WHERE a.presence = 'offline' AND a.presence_at >= $3 AND a.presence_at < $4`

	lastPass   = `SELECT passed_at FROM reconcile_passes WHERE id = 1`
	recordPass = `INSERT INTO reconcile_passes (id, passed_at) VALUES (1, $1)
ON CONFLICT (id) DO UPDATE SET passed_at = excluded.passed_at`
	// Marks a pass stamped more than Overlap ago have been judged by
	// every pass since. A mark no pass has stamped yet is stamped with
	// this one, which may not have judged it (it may have come in after
	// the judging): the next pass does, since every pass reads every
	// mark.
	dropSeenMarks = `DELETE FROM reconcile_marks WHERE seen_at < $1`
	stampMarks    = `UPDATE reconcile_marks SET seen_at = $1 WHERE seen_at IS NULL`
)

// inQuestion is what a pass judges: the owned items of owners (all of
// them), the items not waiting of offline owners, the owned items of
// practices, and items.
type inQuestion struct {
	owners, offline, practices, items []string
}

func (q *inQuestion) add(what, id string) {
	switch what {
	case "agent":
		q.owners = append(q.owners, id)
	case "offline":
		q.offline = append(q.offline, id)
	case "practice":
		q.practices = append(q.practices, id)
	case "item":
		q.items = append(q.items, id)
	}
}

func (q inQuestion) empty() bool {
	return len(q.owners)+len(q.offline)+len(q.practices)+len(q.items) == 0
}

// ownedColumns are what judging an owned item needs of it.
const ownedColumns = `SELECT i.id, i.practice_id, i.owner_id, i.state, i.kind FROM work_items i`

// lostStatement returns the statement that finds, among the items in
// question, those whose owner may no longer own them, in id order, at
// most batch: the practice is not active, the agent is not, the agent has
// been offline since before offlineSince and the item is not waiting, or
// no current grant of the practice names the owner or one of its teams
// for the kind. Each list is read through an index (the owner's, the
// practice's, the key), and each item's practice and grants through
// theirs: no join the planner could turn into a read of every practice
// per item. Skills are checked per item by Reroute.
func lostStatement(d sqldb.Dialect, q inQuestion, offlineSince, now time.Time, batch int) (string, []any) {
	args := []any{offlineSince, now}
	in := func(column string, values []string) string {
		// PostgreSQL: one array, the same statement whatever the counts.
		if d == sqldb.Postgres {
			args = append(args, values)
			return column + ` = ANY($` + strconv.Itoa(len(args)) + `::text[])`
		}
		if len(values) == 0 {
			return `1 = 0`
		}
		first := len(args) + 1
		for _, v := range values {
			args = append(args, v)
		}
		return column + ` IN (` + sqldb.Numbered(first, len(values)) + `)`
	}
	owned := ownedColumns + ` WHERE ` + in("i.owner_id", q.owners) + ` AND i.state IN ('assigned', 'in_progress', 'waiting')
UNION ` + ownedColumns + ` WHERE ` + in("i.owner_id", q.offline) + ` AND i.state IN ('assigned', 'in_progress')
UNION ` + ownedColumns + ` WHERE ` + in("i.practice_id", q.practices) + ` AND i.state IN ('assigned', 'in_progress', 'waiting')
UNION ` + ownedColumns + ` WHERE ` + in("i.id", q.items) + ` AND i.state IN ('assigned', 'in_progress', 'waiting')`
	args = append(args, batch)
	return `SELECT w.id FROM (
` + owned + `
) w JOIN agents a ON a.user_id = w.owner_id
WHERE EXISTS (SELECT 1 FROM practices p WHERE p.id = w.practice_id AND p.status <> 'active')
OR NOT a.active
OR (w.state <> 'waiting' AND a.presence = 'offline' AND (a.presence_at IS NULL OR a.presence_at < $1))
OR NOT EXISTS (SELECT 1 FROM grants g WHERE g.practice_id = w.practice_id AND g.revoked_at IS NULL
      AND g.valid_from <= $2 AND g.valid_until > $2 AND g.review_due_at > $2
      AND g.kinds LIKE '%"' || w.kind || '"%'
      AND ((g.grantee_type = 'agent' AND g.grantee_id = w.owner_id)
        OR (g.grantee_type = 'team' AND g.grantee_id IN (SELECT team_id FROM team_members WHERE user_id = w.owner_id))))
ORDER BY w.id LIMIT $` + strconv.Itoa(len(args)), args
}

// afterJudging, when set, runs between judging and recording a pass that
// found nothing, in its transaction: the window in which a change can
// commit unseen. Tests set it.
var afterJudging func(ctx context.Context)

// ownersLost finds owned items whose owner may no longer own them: at the
// first pass every owned item, afterwards only the items of what changed
// or lapsed since the last pass (changedSince), so that a pass with
// nothing to do costs the same however much work the company holds. A
// pass that finds nothing records itself in the same transaction; else
// the caller records it (passed) once the items are rerouted.
func (s *Store) ownersLost(ctx context.Context, now time.Time, batch int) ([]string, error) {
	var out []string
	offlineSince := now.Add(-s.cfg.OfflineAfter)
	err := s.db.Write(sqldb.AllPractices(ctx), func(w *sqldb.Writer) error {
		out = out[:0]
		var last time.Time
		found, err := w.One(ctx, lastPass, nil, &last)
		if err != nil {
			return err
		}
		which, args := everyOwner, []any(nil)
		if found {
			from := last.UTC().Add(-Overlap)
			which, args = changedSince, []any{from, now, from.Add(-s.cfg.OfflineAfter), offlineSince}
		}
		var q inQuestion
		if err := each(ctx, w, which, args, func(r sqldb.Scanner) error {
			var what, id string
			if err := r.Scan(&what, &id); err != nil {
				return err
			}
			q.add(what, id)
			return nil
		}); err != nil {
			return err
		}
		if !q.empty() {
			stmt, args := lostStatement(s.db.Dialect, q, offlineSince, now, batch)
			if err := each(ctx, w, stmt, args, func(r sqldb.Scanner) error {
				var id string
				if err := r.Scan(&id); err != nil {
					return err
				}
				out = append(out, id)
				return nil
			}); err != nil {
				return err
			}
		}
		if len(out) > 0 {
			return nil
		}
		if afterJudging != nil {
			afterJudging(ctx)
		}
		return holdPass(ctx, w, now)
	})
	return out, sqldb.MapError(err)
}

// each runs query through q and hands each row to row.
func each(ctx context.Context, q sqldb.Querier, query string, args []any, row func(sqldb.Scanner) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// passed records a pass whose rerouting is done and which judged all it
// had to (it found fewer items than its batch): the next pass judges what
// changed since now.
func (s *Store) passed(ctx context.Context, now time.Time) error {
	return sqldb.MapError(s.db.Write(sqldb.AllPractices(ctx), func(w *sqldb.Writer) error {
		return holdPass(ctx, w, now)
	}))
}

// holdPass holds the writes that record a pass at now, to go with w's
// commit.
func holdPass(ctx context.Context, w *sqldb.Writer, now time.Time) error {
	for _, st := range []struct {
		q   string
		arg time.Time
	}{{dropSeenMarks, now.Add(-Overlap)}, {stampMarks, now}, {recordPass, now}} {
		if err := sqldb.ExecLater(ctx, w, st.q, st.arg); err != nil {
			return err
		}
	}
	return nil
}
