package recorder_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
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
			db = testenv.OwnerDB(b, db) // seeds and reads practice rows with no practice scope
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
			b.Run("audited", func(b *testing.B) { testenv.Clients(b, 64, func() error { return read(true) }) })
			b.Run("baseline", func(b *testing.B) { testenv.Clients(b, 64, func() error { return read(false) }) })
		})
	}
}
