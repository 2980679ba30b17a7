package audit

import (
	"errors"
	"fmt"
)

// ErrTampered matches every Problem with errors.Is, so callers can tell a
// log that fails verification from a database they could not read.
var ErrTampered = errors.New("audit log failed verification")

// ProblemKind classifies what verification found wrong.
type ProblemKind string

// The kinds of tampering verification tells apart.
const (
	ProblemAltered    ProblemKind = "altered"    // body no longer hashes to its leaf, or columns disagree with it
	ProblemMissing    ProblemKind = "missing"    // a leaf or its event is gone
	ProblemReordered  ProblemKind = "reordered"  // leaves no longer follow the events' order
	ProblemInserted   ProblemKind = "inserted"   // an event or leaf that the signed log never held
	ProblemCheckpoint ProblemKind = "checkpoint" // a signature or root that does not hold
)

// Problem is the first thing verification found wrong. LeafIndex is -1
// when the problem has no place in the tree (an event never integrated).
type Problem struct {
	Kind      ProblemKind
	LeafIndex int64
	EventID   string
	Detail    string
}

func (p *Problem) Error() string {
	s := string(p.Kind)
	if p.EventID != "" {
		s += fmt.Sprintf(" event %s", p.EventID)
	}
	if p.LeafIndex >= 0 {
		s += fmt.Sprintf(" at leaf %d", p.LeafIndex)
	}
	return s + ": " + p.Detail
}

// Is makes errors.Is(p, ErrTampered) true.
func (p *Problem) Is(target error) bool { return target == ErrTampered }

// Report summarises a verification that found nothing wrong.
type Report struct {
	Leaves      uint64 // events in the Merkle log
	Pending     uint64 // events stored but not yet integrated
	Checkpoints int    // signed checkpoints checked
	Size        uint64 // size of the latest checkpoint
	Root        []byte // its root hash
	SavedSize   uint64 // size of the saved checkpoint checked for consistency, 0 if none
}
