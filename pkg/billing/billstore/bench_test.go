package billstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/billing/billstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
)

// runAccounts is the size of the benchmark's statement run.
const runAccounts = 5000

// BenchmarkStatementRun runs a practice's statements for 5,000
// guarantors, each with a paid and a pending claim: read a page at a
// time, rendered, kept with its payment link and audit event. It reports
// the PDF bytes made per second and the peak heap, which a run keeps
// independent of its size. The baseline reads the same accounts, page by
// page, and does nothing else.
func BenchmarkStatementRun(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			owner := testenv.OwnerDB(b, db)
			st := billstore.New(db, auditstore.New(db))
			svc := billing.New(billing.Deps{Store: st, Profiles: rules{}, PublicURL: public, Now: func() time.Time { return t0 }})
			ctx := context.Background()
			by := audit.Event{Actor: audit.Actor{Issuer: "iss", Subject: "pat", Role: "practice_admin"}}
			n := 0
			b.Run("run", func(b *testing.B) {
				var bytes int64
				var peak uint64
				for range b.N {
					b.StopTimer()
					n++
					practice := fmt.Sprintf("pr-s%02d", n)
					seedGuarantors(b, owner, practice, runAccounts)
					runtime.GC()
					stop := sampleHeap(&peak)
					b.StartTimer()
					run, err := svc.RunStatements(ctx, st, practice, billing.RunInput{Cycle: "2026-03", Hours: "Mon–Fri 8am–5pm"}, by)
					b.StopTimer()
					stop()
					if err != nil || run.Made != runAccounts {
						b.Fatalf("run: made %d of %d: %v", run.Made, runAccounts, err)
					}
					var size int64
					if err := db.ReadAll(sqldb.WithPractice(ctx, practice), sqldb.Read{Query: `SELECT COALESCE(SUM(LENGTH(pdf)), 0) FROM statements WHERE run_id = $1`,
						Args: []any{run.ID}, Row: func(r sqldb.Scanner) error { return r.Scan(&size) }}); err != nil {
						b.Fatal(err)
					}
					bytes += size
					b.StartTimer()
				}
				b.ReportMetric(float64(bytes)/b.Elapsed().Seconds()/1e6, "PDF-MB/s")
				b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
				b.ReportMetric(float64(b.N*runAccounts)/b.Elapsed().Seconds(), "statements/s")
			})
			b.Run("baseline", func(b *testing.B) {
				for range b.N {
					after, read := "", 0
					for {
						accts, err := st.Accounts(ctx, "pr-s01", after, billing.RunPage)
						if err != nil {
							b.Fatal(err)
						}
						if len(accts) == 0 {
							break
						}
						read += len(accts)
						after = accts[len(accts)-1].BalanceID
					}
					if read != runAccounts {
						b.Fatalf("read %d accounts", read)
					}
				}
			})
		})
	}
}

// sampleHeap keeps the largest heap in use in *peak until stopped.
func sampleHeap(peak *uint64) (stop func()) {
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for !done.Load() {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > *peak {
				*peak = m.HeapInuse
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	return func() { done.Store(true); wg.Wait() }
}

// seedGuarantors writes a practice with an office and n guarantors, each
// owing $180.00 with a paid claim and one pending, with multi-row inserts.
func seedGuarantors(b *testing.B, db *sqldb.DB, practiceID string, n int) {
	b.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'Maple Dental', $1, 'America/Denver', 'active', $2, $2)`,
			`INSERT INTO locations (id, practice_id, name, address_line1, city, state, postal_code, phone, created_at) VALUES ($1 || '-loc', $1, 'Main', '100 Pine St', 'Denver', 'CO', '80202', '+13035550100', $2)`,
		} {
			if _, err := tx.ExecContext(ctx, q, practiceID, t0); err != nil {
				return err
			}
		}
		for start := 0; start < n; start += 250 {
			var pats, bals, claims []any
			for i := start; i < min(start+250, n); i++ {
				pt := fmt.Sprintf("%s-pt%05d", practiceID, i)
				pats = append(pats, pt, practiceID, pt, "Sam", "Lee", "1980-01-01", "12 Elm St", "Denver", "CO", "80203", t0, t0)
				bals = append(bals, pt+"-bal", practiceID, pt, fmt.Sprintf("A-%05d", i), int64(18000), int64(18000), t0, t0)
				claims = append(claims, pt+"-c1", practiceID, pt, pt+"-c1", "Delta Dental", "2026-02-10", int64(30000), int64(20000), int64(6000), "paid", t0, t0,
					pt+"-c2", practiceID, pt, pt+"-c2", "Delta Dental", "2026-02-24", int64(9000), int64(0), int64(0), "submitted", t0, t0)
			}
			for _, ins := range []struct {
				head string
				n    int
				rows []any
			}{
				{`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, address_line1, city, state, postal_code, created_at, updated_at) `, 12, pats},
				{`INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, aged_0_30_cents, created_at, updated_at) `, 8, bals},
				{`INSERT INTO claims (id, practice_id, patient_id, external_id, payer_name, date_of_service, billed_cents, paid_cents, patient_responsibility_cents, status, created_at, updated_at) `, 12, claims},
			} {
				q, args, err := db.Dialect.InsertRows(ins.head, ins.n, ins.rows, "")
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
