package recorder_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
)

// BenchmarkAuditedRead compares a PHI read (one indexed select) preceded
// by a durably committed audit event against the same read unaudited, with
// 64 concurrent clients, and reports each variant's p99 latency. Group
// commit is what keeps the audited variant close to the baseline.
func BenchmarkAuditedRead(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			ctx := context.Background()
			if _, err := db.ExecContext(ctx, `INSERT INTO practices (id, name, npi, timezone, status, version, created_at, updated_at) VALUES ('p1', 'P', '1234567893', 'UTC', 'active', 1, $1, $1)`, time.Now().UTC()); err != nil {
				b.Fatal(err)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at) VALUES ('pat-1', 'p1', 'E1', 'Ana', 'Lee', '1980-01-01', $1, $1)`, time.Now().UTC()); err != nil {
				b.Fatal(err)
			}
			rec := recorder.New(db, auditstore.New(db), recorder.Config{})
			rctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go rec.Run(rctx)
			read := func(audited bool) error {
				if audited {
					if err := rec.Record(ctx, event(0)); err != nil {
						return err
					}
				}
				var name string
				return db.QueryRowContext(ctx, `SELECT first_name FROM patients WHERE practice_id = $1 AND id = $2`, "p1", "pat-1").Scan(&name)
			}
			b.Run("audited", func(b *testing.B) { runClients(b, db, func() error { return read(true) }) })
			b.Run("baseline", func(b *testing.B) { runClients(b, db, func() error { return read(false) }) })
		})
	}
}

// runClients runs op from 64 goroutines and reports the p99 latency.
func runClients(b *testing.B, _ *sqldb.DB, op func() error) {
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(32) // 32 × GOMAXPROCS(2) = 64 clients
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			if err := op(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}
