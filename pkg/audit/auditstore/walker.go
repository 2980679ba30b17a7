package auditstore

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/transparency-dev/merkle/compact"
)

// walker checks the log leaf by leaf, rebuilding the tree from the event
// bodies as it goes, and stops at the first problem.
type walker struct {
	roots   map[uint64][]byte // signed root by size
	latest  uint64            // size of the latest checkpoint
	saved   *audit.Checkpoint
	rng     *compact.Range
	next    uint64 // the leaf index expected next
	prevSeq int64
	prevID  string
}

func (w *walker) step(r logRow) error {
	at := func(kind audit.ProblemKind, id, format string, args ...any) error {
		return &audit.Problem{Kind: kind, LeafIndex: r.index, EventID: id, Detail: fmt.Sprintf(format, args...)}
	}
	if r.index != int64(w.next) {
		return &audit.Problem{Kind: audit.ProblemMissing, LeafIndex: int64(w.next), EventID: "",
			Detail: fmt.Sprintf("leaf %d is gone: the log jumps from leaf %d (event %s) to leaf %d", w.next, int64(w.next)-1, w.prevID, r.index)}
	}
	if uint64(r.index) >= w.latest {
		return at(audit.ProblemInserted, r.id.String, "leaf is beyond the latest signed checkpoint (size %d)", w.latest)
	}
	if !r.body.Valid {
		return at(audit.ProblemMissing, "", "the event row (seq %d) of this leaf is gone; the event before it is %s", r.seq, w.prevID)
	}
	if r.seq <= w.prevSeq {
		return at(audit.ProblemReordered, r.id.String, "seq %d follows seq %d", r.seq, w.prevSeq)
	}
	h := audit.LeafHash([]byte(r.body.String))
	ev, perr := audit.Parse([]byte(r.body.String))
	if hex.EncodeToString(h[:]) != r.leafHash {
		detail := "the body no longer hashes to the leaf"
		if perr == nil && ev.ID != r.id.String {
			detail += fmt.Sprintf(" and holds the body of event %s", ev.ID)
		}
		return at(audit.ProblemAltered, r.id.String, "%s", detail)
	}
	if perr != nil {
		return at(audit.ProblemAltered, r.id.String, "body does not parse: %v", perr)
	}
	if col := mismatch(ev, r); col != "" {
		return at(audit.ProblemAltered, r.id.String, "column %s disagrees with the event body", col)
	}
	if err := w.rng.Append(h[:], nil); err != nil {
		return err
	}
	w.next++
	w.prevSeq, w.prevID = r.seq, r.id.String
	if want, ok := w.roots[w.next]; ok {
		got, err := w.rng.GetRootHash(nil)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return at(audit.ProblemCheckpoint, r.id.String,
				"the tree rebuilt from the event bodies does not match the signed checkpoint at size %d: an event up to here was changed together with its leaf hash", w.next)
		}
	}
	if w.saved != nil && w.saved.Size == w.next {
		got, err := w.rng.GetRootHash(nil)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, w.saved.Root) {
			return at(audit.ProblemCheckpoint, r.id.String,
				"the tree rebuilt from the event bodies does not match the saved checkpoint at size %d", w.next)
		}
	}
	return nil
}

// mismatch names the first search column that no longer says what the
// body says; searches would otherwise find or hide events falsely.
func mismatch(ev audit.Event, r logRow) string {
	first := ""
	for _, p := range ev.PatientIDs {
		if first == "" || p < first {
			first = p
		}
	}
	switch {
	case ev.ID != r.id.String:
		return "id"
	case !r.at.Valid || !timeEqual(r.at.Time, ev.Time):
		return "at"
	case ev.PracticeID != r.practice.String:
		return "practice_id"
	case first != r.patient.String:
		return "patient_id"
	case ev.Actor.Subject != r.actor.String:
		return "actor_subject"
	case string(ev.Action) != r.action.String:
		return "action"
	case string(ev.Outcome) != r.outcome.String:
		return "outcome"
	}
	return ""
}
