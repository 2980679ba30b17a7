package importstore_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/google/uuid"
)

var benchRows = envRows()

// balancesFile is a canonical balances export of n accounts; about a third
// of them are old enough to become work, as in a real aging report.
func balancesFile(prefix string, n int) string {
	var sb strings.Builder
	sb.WriteString("account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90\n")
	for i := 0; i < n; i++ {
		old := 0
		if i%3 == 0 {
			old = 7500
		}
		fmt.Fprintf(&sb, "%s-%d,BP%d,%d.%02d,%d.%02d,%d.%02d,0.00,0.00\n", prefix, i, i,
			(12000+old)/100, (12000+old)%100, 120, 0, old/100, old%100)
	}
	return sb.String()
}

// seedPatients inserts the patients the balances refer to, directly.
func seedPatients(b testing.TB, db *sqldb.DB, practiceID string, n int) {
	b.Helper()
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	now := time.Now().UTC()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < n; start += 500 {
			var q strings.Builder
			q.WriteString("INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at) VALUES ")
			var args []any
			for i := start; i < min(start+500, n); i++ {
				if i > start {
					q.WriteString(", ")
				}
				k := len(args)
				p := db.Dialect.Param
				fmt.Fprintf(&q, "(%s, %s, %s, %s, %s, %s, %s, %s)", p(k+1), p(k+2), p(k+3), p(k+4), p(k+5), p(k+6), p(k+7), p(k+8))
				args = append(args, uuid.NewString(), practiceID, "BP"+strconv.Itoa(i), "Bench", "Patient", "1980-01-01", now, now)
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

// BenchmarkImportBalances imports a 100,000-row balances file through the
// whole pipeline (parse, validate, look up patients, upsert, generate work
// items and their routing tasks, write the report, all in one transaction)
// against a baseline that parses the same file with encoding/csv and
// inserts the rows with plain multi-row INSERTs in one transaction.
func BenchmarkImportBalances(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			bb := setup(b, db)
			ctx := context.Background()
			pid := bb.practiceB(b, "1234567893")
			ctx = sqldb.WithPractice(ctx, pid) // as the upload route and the import task do
			seedPatients(b, db, pid, benchRows)
			iter := 0
			b.Run("import", func(b *testing.B) {
				before := db.Counts()
				for b.Loop() {
					b.StopTimer()
					iter++
					file := balancesFile(fmt.Sprintf("I%d", iter), benchRows)
					b.StartTimer()
					imp, err := bb.svc.Submit(ctx, imports.Upload{PracticeID: pid, Kind: "balances", Content: strings.NewReader(file)})
					if err != nil {
						b.Fatal(err)
					}
					if err := bb.svc.Run(ctx, imp.ID); err != nil {
						b.Fatal(err)
					}
					if got, _ := bb.svc.Get(ctx, imp.ID); got.RowsApplied != benchRows {
						b.Fatalf("applied %d rows: %+v", got.RowsApplied, got.Errors)
					}
				}
				b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(db.Counts().Sub(before).RoundTrips())/float64(benchRows*b.N), "roundtrips/row")
			})
			b.Run("baseline", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					iter++
					file := balancesFile(fmt.Sprintf("B%d", iter), benchRows)
					b.StartTimer()
					if err := baselineInsert(ctx, db, pid, file); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		})
	}
}

func baselineInsert(ctx context.Context, db *sqldb.DB, practiceID, file string) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		patients := map[string]string{}
		rows, err := tx.QueryContext(ctx, `SELECT external_id, id FROM patients WHERE practice_id = `+db.Dialect.Param(1), practiceID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e, id string
			if err := rows.Scan(&e, &id); err != nil {
				return err
			}
			patients[e] = id
		}
		rows.Close()
		r := csv.NewReader(strings.NewReader(file))
		if _, err := r.Read(); err != nil {
			return err
		}
		now := time.Now().UTC()
		var args []any
		flush := func() error {
			if len(args) == 0 {
				return nil
			}
			var q strings.Builder
			q.WriteString("INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, aged_0_30_cents, aged_31_60_cents, created_at, updated_at) VALUES ")
			for i := 0; i < len(args)/9; i++ {
				if i > 0 {
					q.WriteString(", ")
				}
				k := i * 9
				p := db.Dialect.Param
				fmt.Fprintf(&q, "(%s, %s, %s, %s, %s, %s, %s, %s, %s)", p(k+1), p(k+2), p(k+3), p(k+4), p(k+5), p(k+6), p(k+7), p(k+8), p(k+9))
			}
			_, err := tx.ExecContext(ctx, q.String(), args...)
			args = args[:0]
			return err
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			args = append(args, uuid.NewString(), practiceID, patients[rec[1]], rec[0], cents(rec[2]), cents(rec[3]), cents(rec[4]), now, now)
			if len(args) >= 200*9 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}

func cents(s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f
}

// envRows lets a profiling run use a smaller file (BACKDESK_BENCH_ROWS).
func envRows() int {
	if n, err := strconv.Atoi(os.Getenv("BACKDESK_BENCH_ROWS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}
