package chstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The size the daily generation is measured at: a large billing
// company's practices, each with a busy schedule, over the working week
// the generation looks into.
const (
	companyPractices = 500
	visitsPerDay     = 60
	scheduleDays     = 5 // Monday to Friday; the window covers Monday to Thursday
)

// benchPractice starts the ids of the practices seedCompany makes.
const benchPractice = "00000000-0000-4000-8000-"

// seedCompany gives the exchange practices more active practices in
// Chicago linked to its connection, each with perDay visits on each of
// days days from the exchange's Monday, 10:00 on, with the payer the
// connection reaches: rows written set-wise, as a company already
// onboarded holds them. It returns the practices' ids.
func seedCompany(tb testing.TB, x *exchange, practices, perDay, days int) []string {
	tb.Helper()
	ctx := sqldb.AllPractices(context.Background())
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(tb, err)
	monday := time.Date(2026, 12, 7, 10, 0, 0, 0, chicago)
	ids := make([]string, practices)
	d := x.db.Dialect
	insert := func(tx *sql.Tx, head string, ncols int, args []any) {
		for start := 0; start < len(args); start += ncols * 500 {
			q, qargs, err := d.InsertRows(head, ncols, args[start:min(start+ncols*500, len(args))], "")
			require.NoError(tb, err)
			_, err = tx.ExecContext(ctx, q, qargs...)
			require.NoError(tb, err)
		}
	}
	require.NoError(tb, testenv.OwnerDB(tb, x.db).Tx(ctx, func(tx *sql.Tx) error {
		var prs, links []any
		for p := range practices {
			ids[p] = fmt.Sprintf(benchPractice+"%012d", p)
			prs = append(prs, ids[p], "Practice "+ids[p], fmt.Sprintf("9%09d", p), "America/Chicago", "active", x.now, x.now)
			links = append(links, ids[p], "ch-1", x.now)
		}
		insert(tx, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) `, 7, prs)
		insert(tx, `INSERT INTO clearinghouse_links (practice_id, connection_id, created_at) `, 3, links)
		for p, id := range ids {
			var pats, apts []any
			for day := range days {
				for v := range perDay {
					n := day*perDay + v
					pid := fmt.Sprintf("00000000-%04d-4000-9000-%012d", p, n)
					at := monday.AddDate(0, 0, day).Add(time.Duration(v*8) * time.Minute)
					pats = append(pats, pid, id, fmt.Sprintf("P%d", n), "Bea", "Ross", "1981-02-03", x.now, x.now)
					apts = append(apts, fmt.Sprintf("00000000-%04d-4000-a000-%012d", p, n), id, pid, fmt.Sprintf("A%d", n), at.UTC(), "scheduled", "Delta Dental of Texas",
						fmt.Sprintf("M%07d", n), "D0120 D1110", x.now, x.now)
				}
			}
			insert(tx, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at) `, 8, pats)
			insert(tx, `INSERT INTO appointments (id, practice_id, patient_id, external_id, starts_at, status, payer_name, subscriber_id,
planned_procedures, created_at, updated_at) `, 11, apts)
		}
		return nil
	}))
	return ids
}

// generateAll runs the daily generation of every practice in ids, one
// after another as the workers take them, and returns the checks made.
func generateAll(tb testing.TB, x *exchange, ids []string) int {
	tb.Helper()
	made := 0
	for _, id := range ids {
		n, err := x.imports.Generate(context.Background(), id)
		require.NoError(tb, err)
		made += n
	}
	return made
}

// TestTheDailyGenerationVerifiesEveryPracticesComingVisits is the
// benchmark's company at a small size: every visit of Monday to Thursday
// gets one check, held for the clearinghouse; Friday's wait for their
// turn, and a second run makes nothing.
func TestTheDailyGenerationVerifiesEveryPracticesComingVisits(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ids := seedCompany(t, x, 3, 4, scheduleDays)
		require.Equal(t, 3*4*4, generateAll(t, x, ids))
		require.Zero(t, generateAll(t, x, ids), "idempotent")
		var held, other int
		require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(context.Background(), `SELECT
SUM(CASE WHEN stage = $1 THEN 1 ELSE 0 END), SUM(CASE WHEN stage <> $1 THEN 1 ELSE 0 END)
FROM work_items WHERE kind = 'eligibility_check' AND practice_id LIKE '`+benchPractice+`%'`, clearinghouse.StageToAsk).Scan(&held, &other))
		require.Equal(t, 48, held)
		require.Zero(t, other)
	})
}

// BenchmarkDailyVerification runs the daily generation of 500 practices
// with 60 visits a day each (the checks of Monday to Thursday's
// visits, 120,000), held for the clearinghouse, beside a baseline that
// only reads each practice's visits in the window in a transaction of its
// own: the least the generation must do. It reports practices/s,
// checks/s and round trips per practice.
func BenchmarkDailyVerification(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, _ := testenv.NewDB(b, d)
			x := setupExchange(b, db)
			ids := seedCompany(b, x, companyPractices, visitsPerDay, scheduleDays)
			b.Run("generation", func(b *testing.B) {
				var made int
				var spent sqldb.Counts
				for i := range b.N {
					if i > 0 {
						b.StopTimer()
						_, err := testenv.OwnerDB(b, db).ExecContext(context.Background(),
							`DELETE FROM work_items WHERE kind = 'eligibility_check' AND practice_id LIKE '`+benchPractice+`%'`)
						require.NoError(b, err)
						b.StartTimer()
					}
					before := db.Counts()
					made = generateAll(b, x, ids)
					spent = db.Counts().Sub(before)
				}
				if want := companyPractices * visitsPerDay * 4; made != want {
					b.Fatalf("made %d checks, want %d", made, want)
				}
				b.ReportMetric(float64(companyPractices*b.N)/b.Elapsed().Seconds(), "practices/s")
				b.ReportMetric(float64(made*b.N)/b.Elapsed().Seconds(), "checks/s")
				b.ReportMetric(float64(spent.RoundTrips())/companyPractices, "roundtrips/practice")
			})
			b.Run("baseline", func(b *testing.B) {
				recs := records.NewService(recordstore.New(db))
				from, to := x.now, time.Date(2026, 12, 11, 6, 0, 0, 0, time.UTC) // to the end of Thursday in Chicago
				for range b.N {
					seen := 0
					for _, id := range ids {
						ctx := sqldb.WithPractice(context.Background(), id)
						require.NoError(b, db.Tx(ctx, func(tx *sql.Tx) error {
							v, err := recs.Upcoming(ctx, tx, id, from, to)
							seen += len(v)
							return err
						}))
					}
					if seen != companyPractices*visitsPerDay*4 {
						b.Fatalf("read %d visits", seen)
					}
				}
				b.ReportMetric(float64(companyPractices*b.N)/b.Elapsed().Seconds(), "practices/s")
			})
		})
	}
}
