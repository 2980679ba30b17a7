package audit

import (
	"context"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"golang.org/x/mod/sumdb/note"
)

// Appender writes events inside a transaction someone else opened. A
// store that changes who can see PHI, or a patient's account, receives
// one in its constructor and appends the change's event on the change's
// own transaction, so the two commit or roll back together; it never
// imports auditstore to do so. auditstore.Store is the Appender every
// process passes.
type Appender interface {
	// Append stores events inside the caller's transaction q.
	Append(ctx context.Context, q sqldb.Querier, events []Event) error
}

// Storer is what the recorder, the integrator, the compliance API and the
// verifier need from storage; auditstore implements it.
type Storer interface {
	// Appender stores events inside the caller's transaction, so the
	// recorder can commit a group of events before answering any of them.
	Appender
	// Integrate adds every pending event to the Merkle log and signs a
	// checkpoint; only one integrator runs at a time.
	Integrate(ctx context.Context, signer note.Signer) (Checkpoint, error)
	LatestCheckpoint(ctx context.Context) (Checkpoint, error)
	LeafIndex(ctx context.Context, eventID string) (uint64, error)
	InclusionProof(ctx context.Context, leafIndex, size uint64) ([][]byte, error)
	ConsistencyProof(ctx context.Context, m, n uint64) ([][]byte, error)
	Verify(ctx context.Context, verifier note.Verifier, saved *Checkpoint) (Report, error)
}
