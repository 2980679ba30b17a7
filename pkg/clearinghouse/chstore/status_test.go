package chstore_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/backdesk/backdesk/pkg/report/reportstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/stretchr/testify/require"
)

// setupClaims is setupExchange with claim status inquiries on: Delta
// Dental of Texas answers 276s through the connection, Small Mutual is
// listed but answers nothing electronically. claims is the practice's
// claims file, loaded last.
func setupClaims(t *testing.T, db *sqldb.DB, claims string) *exchange {
	t.Helper()
	x := setupExchange(t, db)
	x.enableClaimStatus(t)
	x.load(t, "claims", "claim_number,patient_id,payer_name,subscriber_id,date_of_service,submitted_date,billed_amount,claim_status\n"+claims)
	return x
}

// enableClaimStatus turns claim status inquiries on and lists the payers.
func (x *exchange) enableClaimStatus(t testing.TB) {
	t.Helper()
	trail := auditstore.New(x.db)
	desk := work.NewDesk(workstore.New(x.db, trail), x.practices, func() time.Time { return x.now })
	x.ch.SetClaimStatus(payer.NewService(payerstore.New(x.db), desk), x.practices)
	require.NoError(t, x.ch.SavePayers(context.Background(), audit.Event{}, "ch-1", []clearinghouse.Payer{
		{Name: "Delta Dental of Texas", ID: "DDPA1", Eligibility: true, ClaimStatus: true},
		{Name: "Small Mutual", ID: "SMM01"},
	}))
}

// claimItem is a claim follow-up as stored.
type claimItem struct {
	id, state, stage, reason string
	next                     time.Time
}

// claimItems reads the practice's claim follow-ups by claim number.
func (x *exchange) claimItems(t *testing.T) map[string]claimItem {
	t.Helper()
	rows, err := testenv.OwnerDB(t, x.db).QueryContext(context.Background(), `SELECT c.external_id, w.id, w.state, w.stage, w.stage_reason,
w.next_contact_at FROM work_items w JOIN claims c ON c.id = w.subject_id WHERE w.practice_id = $1 AND w.kind = 'claim_followup'`, x.practice)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]claimItem{}
	for rows.Next() {
		var id string
		var it claimItem
		var next *time.Time
		require.NoError(t, rows.Scan(&id, &it.id, &it.state, &it.stage, &it.reason, &next))
		if next != nil {
			it.next = next.UTC()
		}
		out[id] = it
	}
	require.NoError(t, rows.Err())
	return out
}

// segments reads every segment of an interchange, by id, in order.
func segments(t *testing.T, body []byte) map[string][]x12.Segment {
	t.Helper()
	out := map[string][]x12.Segment{}
	for tr, err := range x12.NewReader(bytes.NewReader(body)).Transactions() {
		require.NoError(t, err)
		for _, s := range tr.Segments {
			out[s.ID] = append(out[s.ID], s)
		}
	}
	return out
}

// tally is what applying a file counted, without the file.
func tally(r clearinghouse.ApplyReport) clearinghouse.ApplyReport {
	r.File = clearinghouse.File{}
	return r
}

// The claims of the main test, submitted in October and unpaid on Dec 7.
const octoberClaims = "C-1001,E1,Delta Dental of Texas,M1001,10/01/2026,10/02/2026,245.00,submitted\n" +
	"C-1002,E2,Delta Dental of Texas,M2002,10/05/2026,10/06/2026,860.00,submitted\n" +
	"C-1003,E3,Delta Dental of Texas,M3003,10/08/2026,10/09/2026,1200.50,submitted\n" +
	"C-1004,E4,Small Mutual,S4004,10/08/2026,10/09/2026,310.00,submitted\n" +
	"C-1005,E1,Delta Dental of Texas,,10/10/2026,10/11/2026,95.00,submitted\n" +
	"C-1006,E2,Delta Dental of Texas,M2002,10/12/2026,10/13/2026,150.00,submitted\n" +
	"C-1007,E3,Delta Dental of Texas,M3003,10/15/2026,10/16/2026,75.00,submitted\n"

func TestClaimFollowupsAreAskedAboutAndMostNeedNoCall(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupClaims(t, db, octoberClaims)
		ctx := context.Background()
		start := x.now

		// The claims import made the follow-ups: those of the payer that
		// answers 276s wait for the clearinghouse, Small Mutual's go to
		// agents at once.
		items := x.claimItems(t)
		require.Len(t, items, 7)
		for _, id := range []string{"C-1001", "C-1002", "C-1003", "C-1005", "C-1006", "C-1007"} {
			require.Equal(t, "waiting", items[id].state, id)
			require.Equal(t, clearinghouse.StageToAsk, items[id].stage, id)
			require.Contains(t, items[id].reason, "To be asked of Acme Clearinghouse about the claim's status", id)
		}
		require.Equal(t, "open", items["C-1004"].state, "Small Mutual answers no 276: to an agent as before")
		require.Empty(t, items["C-1004"].stage)
		made, err := x.imports.Generate(ctx, x.practice)
		require.NoError(t, err)
		require.Zero(t, made)

		rep, err := x.ch.AskClaimStatus(ctx, "ch-1")
		require.NoError(t, err)
		require.Equal(t, 5, rep.Asked)
		require.Equal(t, 1, rep.ToAgents)
		require.Len(t, rep.Batches, 1)
		items = x.claimItems(t)
		require.Equal(t, "open", items["C-1005"].state, "no subscriber id: to an agent now")
		require.Empty(t, items["C-1005"].stage)
		require.Contains(t, items["C-1005"].reason, "No subscriber id on the claim")
		for _, id := range []string{"C-1001", "C-1002", "C-1003", "C-1006", "C-1007"} {
			require.Equal(t, "waiting", items[id].state, id)
			require.Equal(t, clearinghouse.StageAsked, items[id].stage, id)
			require.Contains(t, items[id].reason, "Asked Acme Clearinghouse about the claim's status on Dec 7 at 9:00 AM CST", id)
		}

		// The batch reads back as a 276 of the 005010X212 guide: one set
		// for the payer, the submitter as information receiver by its
		// ETIN, each claim traced by its number.
		batch, err := x.store.FileBody(sqldb.AllPractices(ctx), rep.Batches[0].ID)
		require.NoError(t, err)
		require.Equal(t, "276", batch.Kind)
		var sets int
		for tr, err := range x12.NewReader(bytes.NewReader(batch.Body)).Transactions() {
			require.NoError(t, err)
			sets++
			require.Equal(t, "276", tr.Code)
			require.Equal(t, "005010X212", tr.ImplementationRef)
			require.Equal(t, "HR", tr.Group.FunctionalID)
			require.Equal(t, batch.InterchangeControl, tr.Interchange.ControlNumber)
		}
		require.Equal(t, 1, sets)
		seg := segments(t, batch.Body)
		var trns, ejs []string
		for _, s := range seg["TRN"] {
			require.Equal(t, "1", s.Element(1))
			trns = append(trns, s.Element(2))
		}
		for _, s := range seg["REF"] {
			if s.Element(1) == "EJ" {
				ejs = append(ejs, s.Element(2))
			}
		}
		claimNumbers := []string{"C-1001", "C-1002", "C-1003", "C-1006", "C-1007"}
		require.Equal(t, claimNumbers, trns, "the trace is the claim number, which the 277 echoes")
		require.Equal(t, claimNumbers, ejs)
		parties := map[string][]string{}
		for _, s := range seg["NM1"] {
			parties[s.Element(1)] = append(parties[s.Element(1)], s.Element(8)+"*"+s.Element(9))
		}
		require.Equal(t, []string{"PI*DDPA1"}, parties["PR"])
		require.Equal(t, []string{"46*BACKDESK"}, parties["41"])
		require.Equal(t, []string{"XX*" + x.npi}, parties["1P"])
		require.Len(t, parties["IL"], 5)
		require.Equal(t, "245", seg["AMT"][0].Element(2))
		require.Equal(t, []string{"472", "D8", "20261001"}, []string{seg["DTP"][0].Element(1), seg["DTP"][0].Element(2), seg["DTP"][0].Element(3)})
		bht03 := seg["BHT"][0].Element(3)

		sent := testenv.AuditEvents(t, db, auditstore.Query{Action: string(audit.ActionClearinghouseSend)})
		require.Len(t, sent, 1)
		require.Equal(t, batch.ID, sent[0].Event.TargetID)
		require.Len(t, sent[0].Event.PatientIDs, 3, "E1, E2 and E3 are named")

		raw, err := os.ReadFile("testdata/277-claim-status.edi")
		require.NoError(t, err)
		answer := strings.NewReplacer("{BHT03}", bht03, "{NPI}", x.npi).Replace(string(raw))
		x.now = x.now.Add(40 * time.Minute)

		// A malformed answer (a status date that is no date) is kept,
		// marked failed, and changes nothing.
		broken, err := x.ch.Receive(ctx, "ch-1", "277-0612-broken.x12", []byte(strings.Replace(answer, "*20261204**860~", "*2026120X**860~", 1)))
		require.NoError(t, err)
		require.Equal(t, clearinghouse.Failed, broken.File.State)
		require.Contains(t, broken.File.Note, "STC")
		require.Equal(t, items, x.claimItems(t))

		got, err := x.ch.Receive(ctx, "ch-1", "277-0612.x12", []byte(answer))
		require.NoError(t, err)
		require.Equal(t, clearinghouse.Applied, got.File.State, got.File.Note)
		require.Equal(t, clearinghouse.ApplyReport{Answers: 5, Statuses: 4, Verified: 2, ToAgents: 2, Unmatched: 1}, tally(got))
		items = x.claimItems(t)
		require.Equal(t, "resolved", items["C-1001"].state, "paid in full per the 277: nobody calls")
		require.Equal(t, "waiting", items["C-1002"].state, "pending with the payer: left to it for the usual wait")
		require.Empty(t, items["C-1002"].stage)
		require.Equal(t, x.now.AddDate(0, 0, 14), items["C-1002"].next)
		require.Contains(t, items["C-1002"].reason, "Waiting until Dec 21, 2026 before following up")
		require.Equal(t, "open", items["C-1003"].state, "rejected: to an agent now")
		require.Equal(t, "rejected", items["C-1003"].stage)
		require.Contains(t, items["C-1003"].reason, "187: Date or dates of service")
		require.Equal(t, "open", items["C-1006"].state, "the payer found no claim: to an agent now")
		require.Equal(t, clearinghouse.StageNeedsAgent, items["C-1006"].stage)
		require.Contains(t, items["C-1006"].reason, "Acme Clearinghouse could not get the claim's status from the payer: D0")
		require.Equal(t, "waiting", items["C-1007"].state, "no answer yet: its timer brings it to an agent")
		require.Equal(t, clearinghouse.StageAsked, items["C-1007"].stage)

		// The item view tells the agent what was asked and what came of it.
		detail := func(claim string) *work.Inquiry {
			d, err := workstore.New(x.db, nil).Detail(ctx, x.practice, items[claim].id)
			require.NoError(t, err)
			return d.LastInquiry
		}
		rejected := detail("C-1003")
		require.NotNil(t, rejected)
		require.Equal(t, "276", rejected.Set)
		require.Equal(t, "Acme Clearinghouse", rejected.Clearinghouse)
		require.Equal(t, clearinghouse.OutcomeNeedsAgent, rejected.Outcome)
		require.NotNil(t, rejected.AnsweredAt)
		require.Contains(t, rejected.Reason, "187")
		waiting := detail("C-1007")
		require.NotNil(t, waiting)
		require.Nil(t, waiting.AnsweredAt, "asked, not answered yet")
		require.Empty(t, waiting.Outcome)
		require.Equal(t, clearinghouse.OutcomeResolved, detail("C-1001").Outcome, "paid: settled without a call")

		statuses := map[string]string{}
		rows, err := testenv.OwnerDB(t, db).QueryContext(ctx, `SELECT external_id, status FROM claims WHERE practice_id = $1`, x.practice)
		require.NoError(t, err)
		for rows.Next() {
			var id, st string
			require.NoError(t, rows.Scan(&id, &st))
			statuses[id] = st
		}
		require.NoError(t, rows.Close())
		require.Equal(t, "paid", statuses["C-1001"])
		require.Equal(t, "pending", statuses["C-1002"])
		require.Equal(t, "rejected", statuses["C-1003"])

		// The practice summary and the board count what was asked and how
		// the answers ended.
		want := report.Inquiries{PracticeID: x.practice, PracticeName: "Riverside Dental", Kind: policy.ClaimFollowup,
			Asked: 5, Answered: 4, WithoutCall: 2, ToAgents: 2}
		require.Equal(t, []report.Inquiries{want}, x.inquiries(t, x.practice, start.Add(24*time.Hour)))
		require.Equal(t, []report.Inquiries{want}, x.inquiries(t, "", start.Add(24*time.Hour)))
		require.Empty(t, x.inquiries(t, x.practice, start.AddDate(0, 0, 40)), "a summary counts the last 30 days")

		// The same file again is kept and applied once; the same answers
		// in another interchange find their questions answered already.
		again, err := x.ch.Receive(ctx, "ch-1", "277-0612-copy.x12", []byte(answer))
		require.NoError(t, err)
		require.True(t, again.Duplicate)
		resent := strings.NewReplacer("000000612", "000000613", "*612*X*", "*613*X*", "GE*1*612~", "GE*1*613~").Replace(answer)
		other, err := x.ch.Receive(ctx, "ch-1", "277-0613.x12", []byte(resent))
		require.NoError(t, err)
		require.Equal(t, clearinghouse.Applied, other.File.State, other.File.Note)
		require.Equal(t, clearinghouse.ApplyReport{Answers: 5, Unmatched: 5}, tally(other))
		require.Equal(t, items, x.claimItems(t))

		received := testenv.AuditEvents(t, db, auditstore.Query{Action: string(audit.ActionClearinghouseReceive)})
		require.Len(t, received, 3, "the broken file, the answer and its resending")
		var named []string
		for _, e := range received {
			named = append(named, e.Event.PatientIDs...)
		}
		require.Len(t, named, 3, "the answer names E1, E2 and E3; the others name no one")

		var reasons []string
		for _, it := range items {
			reasons = append(reasons, it.reason)
		}
		rows, err = testenv.OwnerDB(t, db).QueryContext(ctx, `SELECT reason FROM clearinghouse_inquiries WHERE kind = '276'`)
		require.NoError(t, err)
		for rows.Next() {
			var r string
			require.NoError(t, rows.Scan(&r))
			reasons = append(reasons, r)
		}
		require.NoError(t, rows.Close())
		names := []string{"Lee", "LEE", "Park", "PARK", "Diaz", "DIAZ", "M1001", "M2002", "M3003"}
		for _, r := range reasons {
			for _, phi := range append(names, "1980", "1975", "2026-10", "20261") {
				require.NotContains(t, r, phi, "no patient data in the reasons")
			}
		}
		for _, e := range append(sent, received...) {
			for _, phi := range names {
				require.NotContains(t, fmt.Sprintf("%+v", e.Event), phi, "no patient data in the audit events")
			}
		}
	})
}

// Claim follow-ups the daily generation makes wait for the clearinghouse
// like those of an import; without claim status inquiries turned on, they
// go to agents.
func TestTheGenerationHoldsClaimFollowupsForTheClearinghouse(t *testing.T) {
	claims := "C-2001,E1,Delta Dental of Texas,M1001,11/19/2026,11/20/2026,245.00,submitted\n" +
		"C-2002,E4,Small Mutual,S4004,11/19/2026,11/20/2026,310.00,submitted\n"
	t.Run("on", func(t *testing.T) {
		testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
			x := setupClaims(t, db, claims)
			ctx := context.Background()
			require.Empty(t, x.claimItems(t), "17 days after sending: not yet due")
			x.now = x.now.AddDate(0, 0, 14)
			made, err := x.imports.Generate(ctx, x.practice)
			require.NoError(t, err)
			require.Equal(t, 2, made)
			items := x.claimItems(t)
			require.Equal(t, claimItem{id: items["C-2001"].id, state: "waiting", stage: clearinghouse.StageToAsk, next: x.now.Add(clearinghouse.DefaultAnswerWithin),
				reason: "To be asked of Acme Clearinghouse about the claim's status (276) in its next batch."}, items["C-2001"])
			require.Equal(t, "open", items["C-2002"].state)
			require.Empty(t, items["C-2002"].stage)
		})
	})
	t.Run("off", func(t *testing.T) {
		testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
			x := setupExchange(t, db)
			require.NoError(t, x.ch.SavePayers(context.Background(), audit.Event{}, "ch-1", []clearinghouse.Payer{
				{Name: "Delta Dental of Texas", ID: "DDPA1", Eligibility: true, ClaimStatus: true}}))
			x.load(t, "claims", "claim_number,patient_id,payer_name,subscriber_id,date_of_service,submitted_date,billed_amount\n"+
				"C-3001,E1,Delta Dental of Texas,M1001,10/01/2026,10/02/2026,245.00\n")
			require.Equal(t, "open", x.claimItems(t)["C-3001"].state, "claim status inquiries are off: to an agent")
			rep, err := x.ch.AskClaimStatus(context.Background(), "ch-1")
			require.NoError(t, err)
			require.Zero(t, rep)
		})
	})
}

// Two practices linked to one connection may both have a claim C-1001:
// the answer's provider NPI says whose each status is.
func TestPracticesSharingAConnectionGetTheirOwnAnswers(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupClaims(t, db, "C-1001,E1,Delta Dental of Texas,M1001,10/01/2026,10/02/2026,245.00,submitted\n")
		ctx := context.Background()
		riverside := x.practice
		p, err := x.practices.Create(ctx, practice.NewPractice{Name: "Lakeview Dental", NPI: "1234567802", Timezone: "America/New_York"})
		require.NoError(t, err)
		_, err = x.practices.RecordBAA(sqldb.WithPractice(ctx, p.ID), p.ID, practice.BAA{SignerName: "D",
			SignedOn: records.Date{Year: 2026, Month: 1, Day: 2}, DocumentSHA256: strings.Repeat("cd", 32), RecordedBy: "u", RecordedAt: x.now})
		require.NoError(t, err)
		_, err = testenv.OwnerDB(t, db).ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p.ID)
		require.NoError(t, err)
		require.NoError(t, x.ch.Link(ctx, audit.Event{}, p.ID, "ch-1"))
		x.practice = p.ID
		x.load(t, "patients", "patient_id,first_name,last_name,date_of_birth\nE1,Mia,Stone,02/03/1970\n")
		x.load(t, "claims", "claim_number,patient_id,payer_name,subscriber_id,date_of_service,submitted_date,billed_amount\n"+
			"C-1001,E1,Delta Dental of Texas,L5005,10/01/2026,10/02/2026,500.00\n")

		rep, err := x.ch.AskClaimStatus(ctx, "ch-1")
		require.NoError(t, err)
		require.Equal(t, 2, rep.Asked)
		require.Len(t, rep.Batches, 2, "a batch per practice")

		raw, err := os.ReadFile("testdata/277-two-practices.edi")
		require.NoError(t, err)
		answer := strings.NewReplacer("{NPI1}", x.npi, "{NPI2}", "1234567802").Replace(string(raw))
		x.now = x.now.Add(time.Hour)
		got, err := x.ch.Receive(ctx, "ch-1", "277-0620.x12", []byte(answer))
		require.NoError(t, err)
		require.Equal(t, clearinghouse.Applied, got.File.State, got.File.Note)
		require.Equal(t, clearinghouse.ApplyReport{Answers: 2, Statuses: 2, Verified: 2}, tally(got))
		lakeview := x.claimItems(t)["C-1001"]
		require.Equal(t, "waiting", lakeview.state, "under payer review: left to the payer")
		require.Contains(t, lakeview.reason, "P2 Pending: under payer review")
		x.practice = riverside
		require.Equal(t, "resolved", x.claimItems(t)["C-1001"].state, "Riverside's claim was paid")

		lv := report.Inquiries{PracticeID: p.ID, PracticeName: p.Name, Kind: policy.ClaimFollowup, Asked: 1, Answered: 1, WithoutCall: 1}
		rs := report.Inquiries{PracticeID: riverside, PracticeName: "Riverside Dental", Kind: policy.ClaimFollowup, Asked: 1, Answered: 1, WithoutCall: 1}
		require.ElementsMatch(t, []report.Inquiries{lv, rs}, x.inquiries(t, "", x.now.Add(time.Hour)))
		require.Equal(t, []report.Inquiries{lv}, x.inquiries(t, p.ID, x.now.Add(time.Hour)))
	})
}

// inquiries reads what the clearinghouse was asked, as of now: from the
// summary of practiceID, or from the board when practiceID is empty.
func (x *exchange) inquiries(t *testing.T, practiceID string, now time.Time) []report.Inquiries {
	t.Helper()
	reports := report.NewService(reportstore.New(x.db))
	if practiceID == "" {
		b, err := reports.ManagerBoard(context.Background(), now, 1)
		require.NoError(t, err)
		return b.Clearinghouse
	}
	s, err := reports.Practice(context.Background(), practiceID, now, 0)
	require.NoError(t, err)
	return s.Clearinghouse
}
