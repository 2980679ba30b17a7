package auditstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"golang.org/x/mod/sumdb/note"
)

const (
	selectCheckpoints = `SELECT size, root_hash, note FROM audit_checkpoints ORDER BY size`
	selectLog         = `SELECT l.leaf_index, l.event_seq, l.leaf_hash, e.id, e.at, e.practice_id, e.patient_id,
e.actor_subject, e.action, e.outcome, e.body
FROM audit_leaves l LEFT JOIN audit_events e ON e.seq = l.event_seq ORDER BY l.leaf_index`
	selectStray = `SELECT e.seq, e.id FROM audit_events e
WHERE e.seq < $1 AND NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_seq = e.seq)
ORDER BY e.seq LIMIT 1`
	countPending = `SELECT COUNT(*) FROM audit_events WHERE seq > $1`
)

// Verify recomputes the log from the stored events and nothing else: each
// leaf hash from its event's body, each checkpoint's root at its size, each
// signature with verifier, and, when saved is not nil, the root at the
// saved checkpoint's size (a checkpoint kept outside the platform, already
// opened with audit.OpenCheckpoint). It also checks that the search
// columns agree with the body. The first problem found comes back as an
// *audit.Problem naming the event and leaf; other errors mean the database
// could not be read. It streams the log once: O(n) time, O(log n) memory
// besides the checkpoints.
//
// Every read runs in one snapshot (sqldb.Snapshot), so an integration
// that commits new leaves and their checkpoint while Verify reads is
// either wholly seen or not at all, never as leaves past the checkpoint.
func (s *Store) Verify(ctx context.Context, verifier note.Verifier, saved *audit.Checkpoint) (audit.Report, error) {
	var rep audit.Report
	err := s.db.Snapshot(ctx, func(q sqldb.Querier) error {
		var err error
		rep, err = verifyIn(ctx, q, verifier, saved)
		return err
	})
	return rep, err
}

// verifyIn is Verify's work over q, one consistent view of the log.
func verifyIn(ctx context.Context, q sqldb.Querier, verifier note.Verifier, saved *audit.Checkpoint) (audit.Report, error) {
	var rep audit.Report
	roots, sizes, err := checkpoints(ctx, q, verifier)
	if err != nil {
		return rep, err
	}
	rep.Checkpoints = len(sizes)
	if len(sizes) > 0 {
		rep.Size = sizes[len(sizes)-1]
		rep.Root = roots[rep.Size]
	}
	if saved != nil && saved.Size > 0 {
		if saved.Size > rep.Size {
			return rep, &audit.Problem{Kind: audit.ProblemMissing, LeafIndex: int64(rep.Size),
				Detail: fmt.Sprintf("the saved checkpoint has %d events but the log's latest has %d: the log was cut back", saved.Size, rep.Size)}
		}
		if want, ok := roots[saved.Size]; ok && !bytes.Equal(want, saved.Root) {
			return rep, &audit.Problem{Kind: audit.ProblemCheckpoint, LeafIndex: int64(saved.Size) - 1,
				Detail: fmt.Sprintf("the stored checkpoint at size %d differs from the saved one: the log was rewritten", saved.Size)}
		}
		rep.SavedSize = saved.Size
	}
	w := walker{roots: roots, latest: rep.Size, saved: saved}
	if err := walk(ctx, q, &w); err != nil {
		return rep, err
	}
	rep.Leaves = w.next
	if w.next < rep.Size {
		return rep, &audit.Problem{Kind: audit.ProblemMissing, LeafIndex: int64(w.next),
			Detail: fmt.Sprintf("the log ends at leaf %d but its latest checkpoint covers %d (last event %s)", w.next, rep.Size, w.prevID)}
	}
	var seq int64
	var id string
	err = q.QueryRowContext(ctx, selectStray, w.prevSeq).Scan(&seq, &id)
	if err == nil {
		return rep, &audit.Problem{Kind: audit.ProblemInserted, LeafIndex: -1, EventID: id,
			Detail: fmt.Sprintf("event at seq %d sits among integrated events but is not in the log", seq)}
	}
	if err != sql.ErrNoRows {
		return rep, fmt.Errorf("look for stray audit events: %w", sqldb.MapError(err))
	}
	var pending int64
	if err := q.QueryRowContext(ctx, countPending, w.prevSeq).Scan(&pending); err != nil {
		return rep, fmt.Errorf("count pending audit events: %w", sqldb.MapError(err))
	}
	rep.Pending = uint64(pending)
	return rep, nil
}

// checkpoints opens every stored checkpoint and returns its root by size.
func checkpoints(ctx context.Context, q sqldb.Querier, verifier note.Verifier) (map[uint64][]byte, []uint64, error) {
	rows, err := q.QueryContext(ctx, selectCheckpoints)
	if err != nil {
		return nil, nil, fmt.Errorf("read audit checkpoints: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	roots := map[uint64][]byte{}
	var sizes []uint64
	for rows.Next() {
		var size int64
		var rootHex, msg string
		if err := rows.Scan(&size, &rootHex, &msg); err != nil {
			return nil, nil, fmt.Errorf("scan audit checkpoint: %w", err)
		}
		cp, err := audit.OpenCheckpoint([]byte(msg), verifier)
		if err != nil {
			return nil, nil, &audit.Problem{Kind: audit.ProblemCheckpoint, LeafIndex: size - 1,
				Detail: fmt.Sprintf("checkpoint at size %d: %v", size, err)}
		}
		if cp.Size != uint64(size) || hex.EncodeToString(cp.Root) != rootHex {
			return nil, nil, &audit.Problem{Kind: audit.ProblemCheckpoint, LeafIndex: size - 1,
				Detail: fmt.Sprintf("checkpoint row at size %d does not match its signed note (size %d)", size, cp.Size)}
		}
		roots[cp.Size] = cp.Root
		sizes = append(sizes, cp.Size)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read audit checkpoints: %w", sqldb.MapError(err))
	}
	return roots, sizes, nil
}

// logRow is one leaf with its event; the event columns are NULL when the
// event row is gone.
type logRow struct {
	index, seq                   int64
	leafHash                     string
	id, practice, patient        sql.NullString
	actor, action, outcome, body sql.NullString
	at                           sql.NullTime
}

func walk(ctx context.Context, q sqldb.Querier, w *walker) error {
	rows, err := q.QueryContext(ctx, selectLog)
	if err != nil {
		return fmt.Errorf("read audit log: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	w.rng = rangeFactory.NewEmptyRange(0)
	for rows.Next() {
		var r logRow
		if err := rows.Scan(&r.index, &r.seq, &r.leafHash, &r.id, &r.at, &r.practice, &r.patient,
			&r.actor, &r.action, &r.outcome, &r.body); err != nil {
			return fmt.Errorf("scan audit log: %w", err)
		}
		if err := w.step(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit log: %w", sqldb.MapError(err))
	}
	return nil
}

// timeEqual compares the search column with the body's time; SQLite hands
// back its text in the local zone, so compare instants.
func timeEqual(a, b time.Time) bool { return a.Equal(b) }
