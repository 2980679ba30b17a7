package auditstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
)

// benchBatch is how many events each benchmark op integrates.
const benchBatch = 2000

// BenchmarkIntegrate measures integrating new events into the Merkle log
// (read, hash, insert leaves, sign and store a checkpoint) against a
// baseline that reads the same events and inserts the same leaf rows with
// no hashing, no tree and no checkpoint: the ratio is the price of the
// tamper evidence.
func BenchmarkIntegrate(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			b.Run("integrate", func(b *testing.B) {
				db, _ := testenv.NewDB(b, d)
				tb := setup(b, db)
				ctx := context.Background()
				var spent time.Duration
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					tb.appendN(b, benchBatch)
					b.StartTimer()
					start := time.Now()
					if _, err := tb.store.Integrate(ctx, tb.signer); err != nil {
						b.Fatal(err)
					}
					spent += time.Since(start)
				}
				b.ReportMetric(float64(b.N*benchBatch)/spent.Seconds(), "events/s")
			})
			b.Run("baseline", func(b *testing.B) {
				db, _ := testenv.NewDB(b, d)
				tb := setup(b, db)
				ctx := context.Background()
				var spent time.Duration
				next := int64(0)
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					tb.appendN(b, benchBatch)
					b.StartTimer()
					start := time.Now()
					if err := db.Tx(ctx, func(tx *sql.Tx) error { return rawLeaves(ctx, db, tx, &next) }); err != nil {
						b.Fatal(err)
					}
					spent += time.Since(start)
				}
				b.ReportMetric(float64(b.N*benchBatch)/spent.Seconds(), "events/s")
			})
		})
	}
}

// rawLeaves reads the events after leaf next and inserts their leaf rows
// with a constant hash.
func rawLeaves(ctx context.Context, db *sqldb.DB, tx *sql.Tx, next *int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, body FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, *next, benchBatch)
	if err != nil {
		return err
	}
	var seqs []int64
	for rows.Next() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			return err
		}
		seqs = append(seqs, seq)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(`INSERT INTO audit_leaves (leaf_index, event_seq, leaf_hash) VALUES `)
	args := make([]any, 0, len(seqs)*3)
	for i, seq := range seqs {
		if i > 0 {
			sb.WriteString(", ")
		}
		p := db.Dialect.Param
		fmt.Fprintf(&sb, "(%s, %s, %s)", p(len(args)+1), p(len(args)+2), p(len(args)+3))
		args = append(args, seq-1, seq, "0000000000000000000000000000000000000000000000000000000000000000")
	}
	if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
		return err
	}
	*next = seqs[len(seqs)-1]
	return nil
}
