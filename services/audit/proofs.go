package audit

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// errNoCheckpoint answers before the integrator has signed anything.
var errNoCheckpoint = &apperr.Error{Kind: apperr.KindNotFound, Code: "no_checkpoint", Message: "no audit checkpoint has been signed yet"}

var (
	checkpointFields  = []string{"size", "root_hash", "note"}
	consistencyFields = []string{"from", "to", "proof", "checkpoint"}
)

// checkpoint serves the latest signed checkpoint, after checking its
// signature: Backdesk never hands out a checkpoint it cannot vouch for.
func (a *API) checkpoint(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, checkpointFields)
	cp, err := a.latest(c)
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, checkpointResponseFrom(cp))
}

// consistency proves that the log of size from is a prefix of the log of
// size to (by default the latest checkpoint's size).
func (a *API) consistency(c *gin.Context) {
	ev := newEvent(c, audit.ActionRead, consistencyFields)
	out, err := a.proveConsistency(c)
	if !a.record(c, ev, err) {
		return
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) proveConsistency(c *gin.Context) (api.Consistency, error) {
	from, err := strconv.ParseUint(c.Query("from"), 10, 64)
	if err != nil || from < 1 {
		return api.Consistency{}, apperr.Invalid("from", "invalid_size", "must be a tree size of at least 1")
	}
	cp, err := a.latest(c)
	if err != nil {
		return api.Consistency{}, err
	}
	to := cp.Size
	if v := c.Query("to"); v != "" {
		if to, err = strconv.ParseUint(v, 10, 64); err != nil {
			return api.Consistency{}, apperr.Invalid("to", "invalid_size", "must be a tree size")
		}
	}
	if to < from || to > cp.Size {
		return api.Consistency{}, apperr.Invalid("to", "invalid_size", "must be between from and the latest checkpoint's size (%d)", cp.Size)
	}
	hashes, err := a.store.ConsistencyProof(c.Request.Context(), from, to)
	if err != nil {
		return api.Consistency{}, err
	}
	return api.Consistency{From: from, To: to, Proof: base64All(hashes), Checkpoint: checkpointResponseFrom(cp)}, nil
}

// latest returns the newest checkpoint with its signature checked, or
// errNoCheckpoint. A checkpoint that fails the check is an internal error:
// the log or its key has been tampered with, which verification explains.
func (a *API) latest(c *gin.Context) (audit.Checkpoint, error) {
	stored, err := a.store.LatestCheckpoint(c.Request.Context())
	if err != nil {
		return audit.Checkpoint{}, err
	}
	if len(stored.Note) == 0 {
		return audit.Checkpoint{}, errNoCheckpoint
	}
	cp, err := audit.OpenCheckpoint(stored.Note, a.verifier)
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("latest audit checkpoint: %w", err)
	}
	if cp.Size != stored.Size {
		return audit.Checkpoint{}, fmt.Errorf("latest audit checkpoint: %w: signed size %d, stored as %d", audit.ErrCheckpoint, cp.Size, stored.Size)
	}
	return cp, nil
}
