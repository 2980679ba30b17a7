package audit

import (
	"context"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"golang.org/x/mod/sumdb/note"
)

// Appender writes audit events inside a transaction someone else runs:
// every store that changes who can see PHI, or a patient's account, takes
// one and appends the change's event in the change's own transaction.
// auditstore.Store is the one implementation; stores of other domains
// depend on this interface, never on auditstore.
type Appender interface {
	Append(ctx context.Context, q sqldb.Querier, events []Event) error
}

// Storer is what the recorder, the integrator, the compliance API and the
// verifier need from storage; auditstore implements it.
type Storer interface {
	// Append stores events inside the caller's transaction q, so the
	// recorder can commit a group of events before answering any of them.
	Append(ctx context.Context, q sqldb.Querier, events []Event) error
	// Integrate adds every pending event to the Merkle log and signs a
	// checkpoint; only one integrator runs at a time.
	Integrate(ctx context.Context, signer note.Signer) (Checkpoint, error)
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
	LeafIndex(ctx context.Context, eventID string) (uint64, error)
	InclusionProof(ctx context.Context, leafIndex, size uint64) ([][]byte, error)
	ConsistencyProof(ctx context.Context, m, n uint64) ([][]byte, error)
	Verify(ctx context.Context, verifier note.Verifier, saved *Checkpoint) (Report, error)
}
