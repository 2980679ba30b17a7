package auditstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

const (
	selectLatest    = `SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`
	selectLeafRange = `SELECT leaf_hash FROM audit_leaves WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index`
	selectLeafByID  = `SELECT l.leaf_index FROM audit_leaves l JOIN audit_events e ON e.seq = l.event_seq WHERE e.id = $1`
	selectLeafCount = `SELECT COUNT(*) FROM audit_leaves`
)

// LatestCheckpoint returns the newest signed checkpoint, or the zero
// Checkpoint when nothing has been integrated yet. The note is returned as
// stored; open it with audit.OpenCheckpoint to check it.
func (s *Store) LatestCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	var size int64
	var msg string
	err := s.db.QueryRowContext(ctx, selectLatest).Scan(&size, &msg)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Checkpoint{}, nil
	}
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("latest audit checkpoint: %w", sqldb.MapError(err))
	}
	return audit.Checkpoint{Size: uint64(size), Note: []byte(msg)}, nil
}

// LeafIndex returns the leaf index of the event with id; apperr not found
// when the event does not exist or is not integrated yet.
func (s *Store) LeafIndex(ctx context.Context, eventID string) (uint64, error) {
	var i int64
	if err := s.db.QueryRowContext(ctx, selectLeafByID, eventID).Scan(&i); err != nil {
		return 0, fmt.Errorf("audit leaf of %s: %w", eventID, sqldb.MapError(err))
	}
	return uint64(i), nil
}

// InclusionProof returns the RFC 6962 audit path for leafIndex in the tree
// of the given size. Node hashes are recomputed from the stored leaf
// hashes, so a proof reads O(size) leaf rows in the worst case (at most
// each leaf once) and does O(size) hashing; storing interior nodes would
// make it O(log size) and is the next step if proofs get hot.
func (s *Store) InclusionProof(ctx context.Context, leafIndex, size uint64) ([][]byte, error) {
	if err := s.checkSize(ctx, size); err != nil {
		return nil, err
	}
	nodes, err := proof.Inclusion(leafIndex, size)
	if err != nil {
		return nil, fmt.Errorf("inclusion proof: %w", err)
	}
	return s.rehash(ctx, nodes)
}

// ConsistencyProof returns the RFC 6962 proof that the tree of size m is a
// prefix of the tree of size n. Same cost as InclusionProof.
func (s *Store) ConsistencyProof(ctx context.Context, m, n uint64) ([][]byte, error) {
	if err := s.checkSize(ctx, n); err != nil {
		return nil, err
	}
	nodes, err := proof.Consistency(m, n)
	if err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return s.rehash(ctx, nodes)
}

func (s *Store) checkSize(ctx context.Context, size uint64) error {
	var n int64
	if err := s.db.QueryRowContext(ctx, selectLeafCount).Scan(&n); err != nil {
		return fmt.Errorf("count audit leaves: %w", sqldb.MapError(err))
	}
	if size > uint64(n) {
		return fmt.Errorf("tree size %d is beyond the log's %d leaves", size, n)
	}
	return nil
}

func (s *Store) rehash(ctx context.Context, nodes proof.Nodes) ([][]byte, error) {
	hashes := make([][]byte, len(nodes.IDs))
	for i, id := range nodes.IDs {
		begin, end := id.Coverage()
		h, err := s.subtreeHash(ctx, begin, end)
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	out, err := nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("rehash proof: %w", err)
	}
	return out, nil
}

// subtreeHash is the hash of the perfect subtree over leaves [begin, end).
func (s *Store) subtreeHash(ctx context.Context, begin, end uint64) ([]byte, error) {
	rows, err := s.db.QueryContext(ctx, selectLeafRange, int64(begin), int64(end))
	if err != nil {
		return nil, fmt.Errorf("read audit leaves: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	rng := rangeFactory.NewEmptyRange(begin)
	for rows.Next() {
		var enc string
		if err := rows.Scan(&enc); err != nil {
			return nil, fmt.Errorf("scan audit leaf: %w", err)
		}
		h, err := hex.DecodeString(enc)
		if err != nil {
			return nil, fmt.Errorf("audit leaf hash: %w", err)
		}
		if err := rng.Append(h, nil); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit leaves: %w", sqldb.MapError(err))
	}
	if rng.End() != end {
		return nil, fmt.Errorf("audit leaves %d..%d: found %d", begin, end, rng.End()-begin)
	}
	// A proof node covers a perfect, aligned subtree, whose compact range
	// is that one node.
	if hs := rng.Hashes(); len(hs) == 1 {
		return hs[0], nil
	}
	return nil, fmt.Errorf("audit leaves %d..%d are not one subtree", begin, end)
}
