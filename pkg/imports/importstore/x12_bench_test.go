package importstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12test"
	"github.com/backdesk/backdesk/pkg/x12/x835"
	"github.com/google/uuid"
)

// eraClaims is the size of the remittance the benchmark applies.
const eraClaims = 20000

// eraPatients is how many patients the benchmark's claims belong to:
// four claims each, as a practice's recent claims spread over patients.
const eraPatients = eraClaims / 4

// seedClaims gives the practice the claims GEN-0000001 to GEN-<n> that
// x12test.Generate835 pays, four to a patient (eraPatients for the
// benchmark's file).
func seedClaims(b testing.TB, db *sqldb.DB, practiceID string, n int) {
	b.Helper()
	seedPatients(b, db, practiceID, max(1, min(n/4, eraPatients)))
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	now := time.Now().UTC()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var patients []string
		rows, err := tx.QueryContext(ctx, `SELECT id FROM patients WHERE practice_id = $1 ORDER BY id`, practiceID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			patients = append(patients, id)
		}
		rows.Close()
		p := db.Dialect.Param
		for start := 1; start <= n; start += 500 {
			var q strings.Builder
			q.WriteString(`INSERT INTO claims (id, practice_id, patient_id, external_id, payer_name, date_of_service, submitted_date, billed_cents, status, created_at, updated_at) VALUES `)
			var args []any
			for k := start; k < min(start+500, n+1); k++ {
				if k > start {
					q.WriteString(", ")
				}
				i := len(args)
				fmt.Fprintf(&q, "(%s, %s, %s, %s, 'Bench Payer', '2026-01-10', '2026-01-12', 10000, 'submitted', %s, %s)",
					p(i+1), p(i+2), p(i+3), p(i+4), p(i+5), p(i+6))
				args = append(args, uuid.NewString(), practiceID, patients[k%len(patients)], fmt.Sprintf("GEN-%07d", k), now, now)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkApply835 uploads and applies an 835 paying 20,000 claims
// (resolving, denying and creating follow-ups as it goes) and reports
// claims/s and the peak heap in use, beside a baseline that only decodes
// the same file in memory.
func BenchmarkApply835(b *testing.B) {
	var file bytes.Buffer
	if _, err := x12test.Generate835(&file, eraClaims, 1); err != nil {
		b.Fatal(err)
	}
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			b.Run("apply", func(b *testing.B) {
				var peak uint64
				var spent sqldb.Counts
				for range b.N {
					b.StopTimer()
					db, _ := testenv.NewDB(b, d)
					bb := setup(b, db)
					pid := bb.practiceB(b, "1234567893")
					seedClaims(b, db, pid, eraClaims)
					ctx := sqldb.WithPractice(context.Background(), pid)
					runtime.GC()
					stop := sampleHeap(&peak)
					before := db.Counts()
					b.StartTimer()
					imp, err := bb.svc.Submit(ctx, imports.Upload{PracticeID: pid, Kind: "era835", Filename: "era.edi", CreatedBy: "u",
						Content: bytes.NewReader(file.Bytes()), Size: int64(file.Len())})
					if err != nil {
						b.Fatal(err)
					}
					if err := bb.svc.Run(ctx, imp.ID); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					got := db.Counts().Sub(before)
					spent.Statements += got.Statements
					spent.Begins += got.Begins
					spent.Commits += got.Commits
					spent.Rollbacks += got.Rollbacks
					stop()
					imported, err := bb.svc.Get(ctx, imp.ID)
					if err != nil || imported.State != imports.Succeeded || imported.RowsApplied != eraClaims {
						b.Fatalf("import %s: applied %d of %d (%v) %s", imported.State, imported.RowsApplied, eraClaims, err, imported.ErrorMessage)
					}
				}
				b.ReportMetric(float64(eraClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(spent.Statements)/float64(eraClaims*b.N), "statements/claim")
				b.ReportMetric(float64(spent.RoundTrips())/float64(eraClaims*b.N), "roundtrips/claim")
			})
			b.Run("baseline", func(b *testing.B) {
				for range b.N {
					rd := x12.NewReader(bytes.NewReader(file.Bytes()))
					for t, err := range rd.Transactions() {
						if err != nil {
							b.Fatal(err)
						}
						if _, err := x835.Decode(t); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(eraClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
			})
		})
	}
}

// sampleHeap records the peak heap in use into peak until the returned
// function is called.
func sampleHeap(peak *uint64) (stop func()) {
	var p atomic.Uint64
	p.Store(*peak)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > p.Load() {
				p.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		*peak = p.Load()
	}
}
