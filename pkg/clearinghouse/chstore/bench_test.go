package chstore_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x12write"
	"github.com/backdesk/backdesk/pkg/x12/x270"
	"github.com/backdesk/backdesk/pkg/x12/x271"
)

// exchangeChecks is how many verifications the benchmark asks about and
// answers: a large practice's month of visits, or a day of a large
// billing company's.
const exchangeChecks = 10000

// BenchmarkEligibilityExchange asks the clearinghouse about 10,000 checks
// (building, keeping, recording and auditing the 270 batch and making
// the checks wait) and applies a 271 answering all of them (keeping the
// file, storing the benefits, resolving the checks, auditing), beside a
// baseline that only decodes the same 270 and 271 bytes. It reports
// checks/s and round trips per check.
func BenchmarkEligibilityExchange(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var ask, answer []byte
			b.Run("exchange", func(b *testing.B) {
				var spent sqldb.Counts
				for range b.N {
					b.StopTimer()
					db, _ := testenv.NewDB(b, d)
					x := setupExchange(b, db)
					seedVisits(b, x, exchangeChecks)
					ctx := context.Background()
					before := db.Counts()
					b.StartTimer()
					rep, err := x.ch.AskEligibility(ctx, "ch-1")
					if err != nil || rep.Asked != exchangeChecks+2 {
						b.Fatalf("asked %d (%v)", rep.Asked, err)
					}
					b.StopTimer()
					asked := db.Counts().Sub(before)
					var all []string
					ask = nil
					for _, batch := range rep.Batches {
						f, err := x.store.FileBody(sqldb.AllPractices(ctx), batch.ID)
						if err != nil {
							b.Fatal(err)
						}
						ask = append(ask, f.Body...)
						all = append(all, traces(b, f.Body)...)
					}
					answer = answer271(b, all)
					before = db.Counts()
					b.StartTimer()
					got, err := x.ch.Receive(ctx, "ch-1", "271.x12", answer)
					b.StopTimer()
					applied := db.Counts().Sub(before)
					if err != nil || got.Verified != exchangeChecks+2 {
						b.Fatalf("verified %d of %d (%v): %s", got.Verified, exchangeChecks+2, err, got.File.Note)
					}
					for _, c := range []sqldb.Counts{asked, applied} {
						spent.Statements += c.Statements
						spent.Begins += c.Begins
						spent.Commits += c.Commits
						spent.Rollbacks += c.Rollbacks
					}
				}
				b.ReportMetric(float64(exchangeChecks*b.N)/b.Elapsed().Seconds(), "checks/s")
				b.ReportMetric(float64(spent.RoundTrips())/float64(exchangeChecks*b.N), "roundtrips/check")
			})
			b.Run("baseline", func(b *testing.B) {
				if ask == nil || answer == nil {
					b.Skip("the exchange did not run")
				}
				for range b.N {
					for _, body := range [][]byte{ask, answer} {
						for t, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
							if err != nil {
								b.Fatal(err)
							}
							if t.Code == "271" {
								if _, err := x271.Decode(t); err != nil {
									b.Fatal(err)
								}
							}
						}
					}
				}
				b.ReportMetric(float64(exchangeChecks*b.N)/b.Elapsed().Seconds(), "checks/s")
			})
		})
	}
}

// seedVisits gives the exchange's practice n more patients, each with a
// visit on Wednesday with the payer the connection reaches, through the
// imports a practice uploads: n more checks held for the clearinghouse.
func seedVisits(b testing.TB, x *exchange, n int) {
	var pat, apt strings.Builder
	pat.WriteString("patient_id,first_name,last_name,date_of_birth\n")
	apt.WriteString("appointment_id,patient_id,start,planned_procedures,payer_name,subscriber_id\n")
	for i := range n {
		fmt.Fprintf(&pat, "B%d,Bea,Ross,02/03/1981\n", i)
		fmt.Fprintf(&apt, "BA%d,B%d,12/09/2026 %02d:%02d,D0120 D1110,Delta Dental of Texas,BM%07d\n", i, i, 7+i%10, i%60, i)
	}
	x.load(b, "patients", pat.String())
	x.load(b, "appointments", apt.String())
}

// answer271 writes one 271 answering every trace with active coverage
// and nothing in the way of an exam and a cleaning.
func answer271(b testing.TB, traces []string) []byte {
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, x12write.Envelope{SenderQualifier: "ZZ", SenderID: "CLEARHOUSE", ReceiverQualifier: "ZZ",
		ReceiverID: "BACKDESK", FunctionalID: "HB", Version: x270.Version, InterchangeControl: 777, GroupControl: 777,
		At: time.Date(2026, 12, 7, 16, 30, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(w.Begin("271", "0001"))
	must(w.Segment("BHT", "0022", "11", "BENCH", "20261207", "1030"))
	must(w.Segment("HL", "1", "", "20", "1"))
	must(w.Segment("NM1", "PR", "2", "DELTA DENTAL OF TEXAS", "", "", "", "", "PI", "DDPA1"))
	must(w.Segment("HL", "2", "1", "21", "1"))
	must(w.Segment("NM1", "1P", "2", "RIVERSIDE DENTAL", "", "", "", "", "XX", "1234567893"))
	for i, tr := range traces {
		must(w.Segment("HL", fmt.Sprint(3+i), "2", "22", "0"))
		must(w.Segment("TRN", "2", tr, "9CLEARHOUS"))
		must(w.Segment("NM1", "IL", "1", "ROSS", "BEA", "", "", "", "MI", fmt.Sprintf("BM%07d", i)))
		must(w.Segment("EB", "1", "IND", "35", "", "PPO PLUS"))
		must(w.Segment("EB", "F", "IND", "35", "", "", "23", "1500"))
		must(w.Segment("EB", "F", "IND", "35", "", "", "29", "1150"))
	}
	must(w.End())
	must(w.Close())
	return buf.Bytes()
}
