package practicestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/google/uuid"
)

// npi returns the n-th valid NPI, so benchmarks never collide on the
// unique index.
func npi(n int64) string {
	base := fmt.Sprintf("1%08d", n%100000000)
	for d := 0; d < 10; d++ {
		if s := fmt.Sprintf("%s%d", base, d); practice.ValidNPI(s) {
			return s
		}
	}
	panic("no check digit")
}

// BenchmarkInsert compares creating a practice through the store (with its
// outbox row, in one transaction) against raw database/sql running the same
// two INSERTs in a transaction.
func BenchmarkInsert(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			var seq atomic.Int64
			b.Run("store", func(b *testing.B) {
				svc := practice.NewService(practicestore.New(db, auditstore.New(db)), nil, nil)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := svc.Create(ctx, practice.NewPractice{Name: "Bench Dental", NPI: npi(seq.Add(1)), Timezone: "America/Chicago"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("baseline", func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					rawInsert(b, ctx, db, npi(seq.Add(1)))
				}
			})
		})
	}
}

func rawInsert(b *testing.B, ctx context.Context, db *sqldb.DB, n string) {
	now := time.Now().UTC()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	id := uuid.Must(uuid.NewV7()).String()
	setScope(b, ctx, db, tx, id)
	if _, err := tx.ExecContext(ctx, `INSERT INTO practices (id, name, npi, timezone, status, version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, "Bench Dental", n, "America/Chicago", "draft", 1, now, now); err != nil {
		b.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, task_type, queue, payload, headers, process_at, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`, uuid.Must(uuid.NewV7()).String(), practice.ProvisionArgs{}.Kind(), "system", []byte(`{"practice_id":"`+id+`"}`), "{}", nil, now); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// setScope names the practice for row-level security, as the store does
// on PostgreSQL.
func setScope(b *testing.B, ctx context.Context, db *sqldb.DB, tx *sql.Tx, practiceID string) {
	if db.Dialect != sqldb.Postgres {
		return
	}
	if _, err := tx.ExecContext(ctx, `SELECT set_config('`+sqldb.PracticeSetting+`', $1, true)`, practiceID); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLookup compares Get through the store against a raw QueryRow
// and Scan of the same columns (on PostgreSQL, in a transaction naming the
// practice, which row-level security needs and the store does too).
func BenchmarkLookup(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			ctx := context.Background()
			svc := practice.NewService(practicestore.New(db, auditstore.New(db)), nil, nil)
			var ids []string
			for i := int64(1); i <= 200; i++ {
				p, err := svc.Create(ctx, practice.NewPractice{Name: "Bench Dental", NPI: npi(i), Timezone: "UTC"})
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, p.ID)
			}
			b.Run("store", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					id := ids[i%len(ids)]
					if _, err := svc.Get(sqldb.WithPractice(ctx, id), id); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
			b.Run("baseline", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					var id, name, n, tz, status string
					var version int
					var created, updated time.Time
					var prov sql.NullTime
					var q sqldb.Querier = db
					var tx *sql.Tx
					if db.Dialect == sqldb.Postgres {
						var err error
						if tx, err = db.BeginTx(ctx, nil); err != nil {
							b.Fatal(err)
						}
						setScope(b, ctx, db, tx, ids[i%len(ids)])
						q = tx
					}
					err := q.QueryRowContext(ctx, `SELECT id, name, npi, timezone, status, version, created_at, updated_at, provisioned_at
FROM practices WHERE id = $1`, ids[i%len(ids)]).Scan(&id, &name, &n, &tz, &status, &version, &created, &updated, &prov)
					if err != nil {
						b.Fatal(err)
					}
					if tx != nil {
						if err := tx.Commit(); err != nil {
							b.Fatal(err)
						}
					}
					i++
				}
			})
		})
	}
}
