package auditstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// ErrBusy means another integrator holds the lock; this run did nothing.
var ErrBusy = errors.New("another audit integrator is running")

var rangeFactory = compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

const (
	tryIntegratorLock = `SELECT pg_try_advisory_xact_lock($1)`
	holdAppends       = `SELECT pg_advisory_lock($1)`
	releaseAppends    = `SELECT pg_advisory_unlock($1)`
	selectMaxSeq      = `SELECT COALESCE(MAX(seq), 0) FROM audit_events`
	selectHead        = `SELECT c.size, c.range_hashes, COALESCE(l.event_seq, 0)
FROM audit_checkpoints c LEFT JOIN audit_leaves l ON l.leaf_index = c.size - 1
ORDER BY c.size DESC LIMIT 1`
	selectBatch      = `SELECT seq, body FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`
	insertLeaf       = `INSERT INTO audit_leaves (leaf_index, event_seq, leaf_hash) VALUES `
	insertCheckpoint = `INSERT INTO audit_checkpoints (size, root_hash, range_hashes, note, created_at)
VALUES ($1, $2, $3, $4, $5)`
)

// Integrate appends every event not yet in the Merkle log, in seq order,
// a batch per transaction, and stores a signed checkpoint after each
// batch. It returns the latest checkpoint (the zero Checkpoint when the log
// is empty) or ErrBusy when another integrator is running. The compact
// range stored with each checkpoint makes a batch cost O(batch + log size)
// hashes, never O(tree).
func (s *Store) Integrate(ctx context.Context, signer note.Signer) (audit.Checkpoint, error) {
	var last audit.Checkpoint
	for {
		var n int
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			n, err = s.integrateBatch(ctx, tx, signer, &last)
			return err
		})
		if err != nil {
			return audit.Checkpoint{}, err
		}
		if n < s.BatchSize {
			break
		}
	}
	if last.Note == nil {
		return s.LatestCheckpoint(ctx)
	}
	return last, nil
}

func (s *Store) integrateBatch(ctx context.Context, tx *sql.Tx, signer note.Signer, out *audit.Checkpoint) (int, error) {
	horizon, err := s.lockAndHorizon(ctx, tx)
	if err != nil {
		return 0, err
	}
	rng, lastSeq, err := loadHead(ctx, tx)
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, selectBatch, lastSeq, horizon, s.BatchSize)
	if err != nil {
		return 0, fmt.Errorf("select audit batch: %w", sqldb.MapError(err))
	}
	var seqs []int64
	var hashes [][]byte
	for rows.Next() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			_ = rows.Close()
			return 0, fmt.Errorf("scan audit batch: %w", err)
		}
		h := audit.LeafHash(body)
		seqs = append(seqs, seq)
		hashes = append(hashes, h[:])
	}
	if err := rows.Close(); err != nil {
		return 0, fmt.Errorf("read audit batch: %w", sqldb.MapError(err))
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read audit batch: %w", sqldb.MapError(err))
	}
	if len(seqs) == 0 {
		return 0, nil
	}
	first := rng.End()
	for _, h := range hashes {
		if err := rng.Append(h, nil); err != nil {
			return 0, fmt.Errorf("append leaf: %w", err)
		}
	}
	if err := s.insertLeaves(ctx, tx, first, seqs, hashes); err != nil {
		return 0, err
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		return 0, fmt.Errorf("root hash: %w", err)
	}
	cp, err := audit.SignCheckpoint(signer, rng.End(), root)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, insertCheckpoint, int64(cp.Size), hex.EncodeToString(root),
		encodeHashes(rng.Hashes()), string(cp.Note), time.Now().UTC()); err != nil {
		return 0, fmt.Errorf("insert audit checkpoint: %w", sqldb.MapError(err))
	}
	*out = cp
	return len(seqs), nil
}

// lockAndHorizon makes this transaction the only integrator and returns
// the highest seq below which no event can still commit. On PostgreSQL a
// sequence hands out numbers before commit, so an event with a lower seq
// may commit after one with a higher seq; integrating past it would leave
// it out of the log for good. Taking appendLock exclusively waits for the
// appenders in flight (who hold it shared), and the MAX read after that
// sees all of them. The lock is held for that one statement only.
// SQLite runs one writer at a time and its transactions here are
// immediate, so seq order is commit order already.
func (s *Store) lockAndHorizon(ctx context.Context, tx *sql.Tx) (int64, error) {
	var horizon int64
	if !s.db.Dialect.Concurrent() {
		if err := tx.QueryRowContext(ctx, selectMaxSeq).Scan(&horizon); err != nil {
			return 0, fmt.Errorf("audit horizon: %w", sqldb.MapError(err))
		}
		return horizon, nil
	}
	var ok bool
	if err := tx.QueryRowContext(ctx, tryIntegratorLock, integratorLock).Scan(&ok); err != nil {
		return 0, fmt.Errorf("lock audit integrator: %w", sqldb.MapError(err))
	}
	if !ok {
		return 0, ErrBusy
	}
	if _, err := tx.ExecContext(ctx, holdAppends, appendLock); err != nil {
		return 0, fmt.Errorf("wait for audit appenders: %w", sqldb.MapError(err))
	}
	err := tx.QueryRowContext(ctx, selectMaxSeq).Scan(&horizon)
	if _, uerr := tx.ExecContext(context.WithoutCancel(ctx), releaseAppends, appendLock); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		return 0, fmt.Errorf("audit horizon: %w", sqldb.MapError(err))
	}
	return horizon, nil
}

// loadHead returns the compact range of the latest checkpoint and the seq
// of its last leaf.
func loadHead(ctx context.Context, q sqldb.Querier) (*compact.Range, int64, error) {
	var size, lastSeq int64
	var enc string
	err := q.QueryRowContext(ctx, selectHead).Scan(&size, &enc, &lastSeq)
	if errors.Is(err, sql.ErrNoRows) {
		return rangeFactory.NewEmptyRange(0), 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("load audit head: %w", sqldb.MapError(err))
	}
	hashes, err := decodeHashes(enc)
	if err != nil {
		return nil, 0, err
	}
	rng, err := rangeFactory.NewRange(0, uint64(size), hashes)
	if err != nil {
		return nil, 0, fmt.Errorf("audit checkpoint %d range: %w", size, err)
	}
	return rng, lastSeq, nil
}

func (s *Store) insertLeaves(ctx context.Context, tx *sql.Tx, first uint64, seqs []int64, hashes [][]byte) error {
	const chunk = 2000
	for start := 0; start < len(seqs); start += chunk {
		end := min(start+chunk, len(seqs))
		var sb strings.Builder
		sb.WriteString(insertLeaf)
		args := make([]any, 0, (end-start)*3)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			d := s.db.Dialect
			fmt.Fprintf(&sb, "(%s, %s, %s)", d.Param(len(args)+1), d.Param(len(args)+2), d.Param(len(args)+3))
			args = append(args, int64(first)+int64(i), seqs[i], hex.EncodeToString(hashes[i]))
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert audit leaves: %w", sqldb.MapError(err))
		}
	}
	return nil
}

func encodeHashes(hs [][]byte) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = hex.EncodeToString(h)
	}
	return strings.Join(parts, ",")
}

func decodeHashes(s string) ([][]byte, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([][]byte, len(parts))
	for i, p := range parts {
		h, err := hex.DecodeString(p)
		if err != nil {
			return nil, fmt.Errorf("audit checkpoint range hash: %w", err)
		}
		out[i] = h
	}
	return out, nil
}
