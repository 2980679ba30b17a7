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
	"github.com/backdesk/backdesk/pkg/x12/x276"
	"github.com/backdesk/backdesk/pkg/x12/x277"
)

// statusClaims is how many claim follow-ups the benchmark asks about and
// answers: a large practice's claims due in a week.
const statusClaims = 1000

// BenchmarkClaimStatusExchange asks the clearinghouse about 1,000 claim
// follow-ups (building, keeping, recording and auditing the 276 batch and
// making the items wait) and applies a 277 answering all of them, half
// paid (resolved) and half pending (waiting for the payer), through the
// payer's applier, beside a baseline that only decodes the same 276 and
// 277 bytes. It reports claims/s and round trips per claim, asking and
// answering apart: the asking is set-wise, the answering posts each
// claim's status as the claim status import does, a few statements a
// claim.
func BenchmarkClaimStatusExchange(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var ask, answer []byte
			b.Run("exchange", func(b *testing.B) {
				var asking, answering int
				for range b.N {
					b.StopTimer()
					db, _ := testenv.NewDB(b, d)
					x := setupExchange(b, db)
					x.enableClaimStatus(b)
					seedClaims(b, x, statusClaims)
					ctx := context.Background()
					before := db.Counts()
					b.StartTimer()
					rep, err := x.ch.AskClaimStatus(ctx, "ch-1")
					b.StopTimer()
					if err != nil || rep.Asked != statusClaims {
						b.Fatalf("asked %d (%v)", rep.Asked, err)
					}
					asked := db.Counts().Sub(before)
					f, err := x.store.FileBody(sqldb.AllPractices(ctx), rep.Batches[0].ID)
					if err != nil {
						b.Fatal(err)
					}
					ask = f.Body
					answer = answer277(b, x.npi, statusClaims)
					before = db.Counts()
					b.StartTimer()
					got, err := x.ch.Receive(ctx, "ch-1", "277.x12", answer)
					b.StopTimer()
					applied := db.Counts().Sub(before)
					if err != nil || got.Verified != statusClaims {
						b.Fatalf("answered without a call %d of %d (%v): %s", got.Verified, statusClaims, err, got.File.Note)
					}
					asking += int(asked.RoundTrips())
					answering += int(applied.RoundTrips())
				}
				b.ReportMetric(float64(statusClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
				b.ReportMetric(float64(asking)/float64(statusClaims*b.N), "ask-roundtrips/claim")
				b.ReportMetric(float64(answering)/float64(statusClaims*b.N), "answer-roundtrips/claim")
			})
			b.Run("baseline", func(b *testing.B) {
				if ask == nil {
					b.Skip("the exchange did not run")
				}
				for range b.N {
					for _, body := range [][]byte{ask, answer} {
						for t, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
							if err != nil {
								b.Fatal(err)
							}
							if t.Code == "277" {
								if _, err := x277.Decode(t); err != nil {
									b.Fatal(err)
								}
							}
						}
					}
				}
				b.ReportMetric(float64(statusClaims*b.N)/b.Elapsed().Seconds(), "claims/s")
			})
		})
	}
}

// seedClaims loads n claims of the practice's four patients, sent in
// October and unpaid: n claim follow-ups held for the clearinghouse.
func seedClaims(b testing.TB, x *exchange, n int) {
	var c strings.Builder
	c.WriteString("claim_number,patient_id,payer_name,subscriber_id,date_of_service,submitted_date,billed_amount\n")
	for i := range n {
		fmt.Fprintf(&c, "BC-%05d,E%d,Delta Dental of Texas,BM%07d,10/01/2026,10/02/2026,%d.00\n", i, 1+i%4, i, 100+i%500)
	}
	x.load(b, "claims", c.String())
}

// answer277 writes one 277 answering the seeded claims: the even ones
// paid in full, the odd ones pending.
func answer277(b testing.TB, npi string, n int) []byte {
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, x12write.Envelope{SenderQualifier: "ZZ", SenderID: "CLEARHOUSE", ReceiverQualifier: "ZZ",
		ReceiverID: "BACKDESK", FunctionalID: "HN", Version: x276.Version, InterchangeControl: 778, GroupControl: 778,
		At: time.Date(2026, 12, 7, 16, 30, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(w.Begin("277", "0001"))
	must(w.Segment("BHT", "0010", "08", "BENCH", "20261207", "1030", "DG"))
	must(w.Segment("HL", "1", "", "20", "1"))
	must(w.Segment("NM1", "PR", "2", "DELTA DENTAL OF TEXAS", "", "", "", "", "PI", "DDPA1"))
	must(w.Segment("HL", "2", "1", "21", "1"))
	must(w.Segment("NM1", "41", "2", "BACKDESK", "", "", "", "", "46", "BACKDESK"))
	must(w.Segment("HL", "3", "2", "19", "1"))
	must(w.Segment("NM1", "1P", "2", "RIVERSIDE DENTAL", "", "", "", "", "XX", npi))
	for i := range n {
		must(w.Segment("HL", fmt.Sprint(4+i), "3", "22", "0"))
		must(w.Segment("NM1", "IL", "1", "ROSS", "BEA", "", "", "", "MI", fmt.Sprintf("BM%07d", i)))
		must(w.Segment("TRN", "2", fmt.Sprintf("BC-%05d", i)))
		charge := fmt.Sprintf("%d", 100+i%500)
		if i%2 == 0 {
			must(w.Segment("STC", x12write.Composite("F1", "65"), "20261203", "", charge, charge, "20261201", "ACH", "20261203", "EFT0000001"))
		} else {
			must(w.Segment("STC", x12write.Composite("P1", "20"), "20261204", "", charge))
		}
		must(w.Segment("REF", "EJ", fmt.Sprintf("BC-%05d", i)))
		must(w.Segment("DTP", "472", "D8", "20261001"))
	}
	must(w.End())
	must(w.Close())
	return buf.Bytes()
}
