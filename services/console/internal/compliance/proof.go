package compliance

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// The states of an event's inclusion proof.
const (
	proofVerified = "verified"
	proofPending  = "pending"
	proofFailed   = "failed"
)

// proofStatus is what the console found when it checked an event's
// inclusion proof.
type proofStatus struct {
	State   string
	Size    uint64 // the checkpoint's tree size
	Index   uint64 // the event's leaf
	Problem string // why it failed
}

// Verified, Pending and Failed name the state for templates.
func (s proofStatus) Verified() bool { return s.State == proofVerified }

// Pending reports an event no signed checkpoint covers yet.
func (s proofStatus) Pending() bool { return s.State == proofPending }

// Failed reports a proof that does not hold.
func (s proofStatus) Failed() bool { return s.State == proofFailed }

// checkInclusion checks, as any auditor could, that the event's stored
// canonical body is a leaf of the Merkle tree whose root the checkpoint
// gives: the leaf hash is RFC 6962's hash of the canonical bytes, and the
// audit path from it must lead to that root. The checkpoint's signature
// is the API's to check (it serves none it cannot vouch for) and the
// integrity panel's; this shows that the event is under it.
//
// The event shown must be the one hashed, so the canonical body has to
// hold the event asked for.
func checkInclusion(id string, d api.EventDetail) proofStatus {
	var body api.Event
	if err := json.Unmarshal([]byte(d.Canonical), &body); err != nil || body.ID != id || d.Event.ID != id {
		return proofStatus{State: proofFailed, Problem: "the stored canonical body is not this event"}
	}
	if d.LeafIndex == nil || d.Checkpoint == nil {
		return proofStatus{State: proofPending}
	}
	s := proofStatus{State: proofFailed, Size: d.Checkpoint.Size, Index: *d.LeafIndex}
	root, err := base64.StdEncoding.DecodeString(d.Checkpoint.RootHash)
	if err != nil {
		s.Problem = "the checkpoint's root hash is not base64"
		return s
	}
	hashes := make([][]byte, len(d.InclusionProof))
	for i, h := range d.InclusionProof {
		if hashes[i], err = base64.StdEncoding.DecodeString(h); err != nil {
			s.Problem = fmt.Sprintf("hash %d of the proof is not base64", i+1)
			return s
		}
	}
	leaf := rfc6962.DefaultHasher.HashLeaf([]byte(d.Canonical))
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, s.Index, s.Size, leaf, hashes, root); err != nil {
		s.Problem = err.Error()
		return s
	}
	s.State = proofVerified
	return s
}
