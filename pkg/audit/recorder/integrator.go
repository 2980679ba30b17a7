package recorder

import (
	"context"
	"log/slog"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"golang.org/x/mod/sumdb/note"
)

// Integrator is the storage side of integration (auditstore.Store has it).
type Integrator interface {
	Integrate(ctx context.Context, signer note.Signer) (audit.Checkpoint, error)
}

// IntegrateEvery adds pending events to the Merkle log and signs a
// checkpoint every interval until ctx ends. Several replicas may run it;
// the store lets one integrate at a time. busy tells the store's "another
// integrator holds the lock" error apart from real failures.
func IntegrateEvery(ctx context.Context, in Integrator, signer note.Signer, interval time.Duration, busy func(error) bool, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var last uint64
	for {
		cp, err := in.Integrate(ctx, signer)
		switch {
		case err == nil && cp.Size != last:
			last = cp.Size
			log.DebugContext(ctx, "audit log integrated", "size", cp.Size)
		case err != nil && !busy(err) && ctx.Err() == nil:
			log.WarnContext(ctx, "audit integration failed; will retry", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
