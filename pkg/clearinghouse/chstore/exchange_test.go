package chstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/chstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/imports/importstore"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/stretchr/testify/require"
)

// exchange is a practice linked to a clearinghouse, with the services
// that generate its checks, ask about them and apply the answers.
type exchange struct {
	db        *sqldb.DB
	now       time.Time
	practices *practice.Service
	imports   *imports.Service
	ch        *clearinghouse.Service
	store     *chstore.Store
	deps      clearinghouse.Deps
	practice  string
	npi       string
}

type noProgress struct{}

func (noProgress) Set(context.Context, string, int)        {}
func (noProgress) Get(context.Context, string) (int, bool) { return 0, false }
func (noProgress) Clear(context.Context, string)           {}

// setupExchange makes an active practice in Chicago with four patients,
// linked to a manual connection that reaches one payer, on Monday
// 2026-12-07 at 9:00 in Chicago.
func setupExchange(t testing.TB, db *sqldb.DB) *exchange {
	t.Helper()
	ctx := context.Background()
	x := &exchange{db: db, now: time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC), npi: "1234567893"}
	clock := func() time.Time { return x.now }
	trail := auditstore.New(db)
	x.practices = practice.NewService(practicestore.New(db, trail), clock, nil)
	desk := work.NewDesk(workstore.New(db, trail), x.practices, clock)
	x.store = chstore.New(db)
	payers := payerstore.New(db)
	x.deps = clearinghouse.Deps{DB: db, Store: x.store, Work: payers, Trail: trail, Now: clock}
	x.ch = clearinghouse.New(x.deps)
	x.imports = imports.NewService(imports.Deps{DB: db, Store: importstore.New(db, trail), Practices: x.practices,
		Records: records.NewService(recordstore.New(db)), Work: desk, Payers: payer.NewService(payers, desk),
		Progress: noProgress{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock, Hold: x.ch})

	p, err := x.practices.Create(ctx, practice.NewPractice{Name: "Riverside Dental", NPI: x.npi, Timezone: "America/Chicago"})
	require.NoError(t, err)
	x.practice = p.ID
	_, err = x.practices.RecordBAA(sqldb.WithPractice(ctx, p.ID), p.ID, practice.BAA{SignerName: "D",
		SignedOn: records.Date{Year: 2026, Month: 1, Day: 2}, DocumentSHA256: strings.Repeat("ab", 32), RecordedBy: "u", RecordedAt: x.now})
	require.NoError(t, err)
	_, err = testenv.OwnerDB(t, db).ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p.ID)
	require.NoError(t, err)
	x.load(t, "patients", "patient_id,first_name,last_name,date_of_birth\n"+
		"E1,Ann,Lee,01/02/1980\nE2,Joon,Park,03/04/1975\nE3,Rosa,Diaz,05/06/1990\nE4,Sam,Cole,07/08/1985\n")
	conn := clearinghouse.Connection{ID: "ch-1", Name: "Acme Clearinghouse", Mode: clearinghouse.ModeManual,
		SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE"}
	_, err = x.ch.SaveConnection(ctx, audit.Event{}, conn)
	require.NoError(t, err)
	require.NoError(t, x.ch.SavePayers(ctx, audit.Event{}, conn.ID, []clearinghouse.Payer{{Name: "Delta Dental of Texas", ID: "DDPA1", Eligibility: true}}))
	require.NoError(t, x.ch.Link(ctx, audit.Event{}, x.practice, conn.ID))
	// Wednesday's visits: E1 and E2 with the payer the connection reaches,
	// E3 with no member id, E4 with a payer it does not reach.
	x.load(t, "appointments", "appointment_id,patient_id,start,planned_procedures,payer_name,subscriber_id\n"+
		"A1,E1,12/09/2026 09:00,D0120 D1110,Delta Dental of Texas,M1001\n"+
		"A2,E2,12/09/2026 10:00,D2740,Delta Dental of Texas,M2002\n"+
		"A3,E3,12/09/2026 11:00,D1110,Delta Dental of Texas,\n"+
		"A4,E4,12/09/2026 13:00,D1110,Small Mutual,S4004\n")

	return x
}

func (x *exchange) load(t testing.TB, kind, csv string) {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), x.practice)
	imp, err := x.imports.Submit(ctx, imports.Upload{PracticeID: x.practice, Kind: kind, Filename: kind + ".csv", CreatedBy: "u",
		Content: strings.NewReader(csv)})
	require.NoError(t, err)
	require.NoError(t, x.imports.Run(ctx, imp.ID))
	got, err := x.imports.Get(ctx, imp.ID)
	require.NoError(t, err)
	require.Equal(t, imports.Succeeded, got.State, got.ErrorMessage)
	require.Zero(t, got.RowsRejected, "%+v", got.Errors)
}

// item is an eligibility check as stored, by the patient's id in the
// practice's system.
type item struct{ state, stage, reason string }

func (x *exchange) checks(t *testing.T) map[string]item {
	t.Helper()
	rows, err := testenv.OwnerDB(t, x.db).QueryContext(context.Background(), `SELECT p.external_id, w.state, w.stage, w.stage_reason
FROM work_items w JOIN patients p ON p.id = w.patient_id WHERE w.practice_id = $1 AND w.kind = 'eligibility_check'`, x.practice)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]item{}
	for rows.Next() {
		var id string
		var it item
		require.NoError(t, rows.Scan(&id, &it.state, &it.stage, &it.reason))
		out[id] = it
	}
	require.NoError(t, rows.Err())
	return out
}

// traces reads the trace number each patient's question went out with,
// from the 270 itself: TRN02 at the subscriber level, in the batch's order
// (the visits' order: E1 then E2).
func traces(t testing.TB, body []byte) []string {
	t.Helper()
	var out []string
	r := x12.NewReader(bytes.NewReader(body))
	for {
		seg, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		if seg.ID == "TRN" && seg.Element(1) == "1" {
			out = append(out, seg.Element(2))
		}
	}
}

func TestAnEligibilityCheckIsAskedAndAnsweredWithoutAPerson(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		// The appointments import made the checks; the daily generation
		// finds nothing more to make.
		made, err := x.imports.Generate(ctx, x.practice)
		require.NoError(t, err)
		require.Zero(t, made)
		require.Len(t, x.checks(t), 4)
		for id, it := range x.checks(t) {
			require.Equal(t, "waiting", it.state, "%s is held for the clearinghouse, not routed", id)
			require.Equal(t, clearinghouse.StageToAsk, it.stage, id)
		}

		rep, err := x.ch.AskEligibility(ctx, "ch-1")
		require.NoError(t, err)
		require.Equal(t, 2, rep.Asked)
		require.Equal(t, 2, rep.ToAgents)
		require.Len(t, rep.Batches, 1)
		checks := x.checks(t)
		require.Equal(t, "open", checks["E3"].state, "no member id: to an agent now")
		require.Contains(t, checks["E3"].reason, "No member id on file")
		require.Equal(t, "open", checks["E4"].state)
		require.Contains(t, checks["E4"].reason, "does not list the payer Small Mutual")
		for _, id := range []string{"E1", "E2"} {
			require.Equal(t, "waiting", checks[id].state)
			require.Equal(t, clearinghouse.StageAsked, checks[id].stage)
			require.Contains(t, checks[id].reason, "Asked Acme Clearinghouse about coverage on Dec 7 at 9:00 AM CST")
		}

		batch, err := x.store.FileBody(sqldb.AllPractices(ctx), rep.Batches[0].ID)
		require.NoError(t, err)
		require.Equal(t, "000000001", batch.InterchangeControl)
		tr := traces(t, batch.Body)
		require.Len(t, tr, 2)
		require.Contains(t, string(batch.Body), "EQ*35^23^41~", "E1's exam and cleaning: dental care, diagnostic, preventive")
		sent := testenv.AuditEvents(t, db, auditstore.Query{Action: string(audit.ActionClearinghouseSend)})
		require.Len(t, sent, 1)
		require.Len(t, sent[0].Event.PatientIDs, 2, "the disclosure names the two patients in the batch")

		raw, err := os.ReadFile("testdata/271-two-answers.edi")
		require.NoError(t, err)
		answer := strings.NewReplacer("{TRACE1}", tr[0], "{TRACE2}", tr[1], "{NPI}", x.npi).Replace(string(raw))
		x.now = x.now.Add(40 * time.Minute)
		got, err := x.ch.Receive(ctx, "ch-1", "271-0451.x12", []byte(answer))
		require.NoError(t, err)
		require.Equal(t, clearinghouse.ApplyReport{File: got.File, Answers: 3, Verified: 1, ToAgents: 1, Unmatched: 1}, got)
		checks = x.checks(t)
		require.Equal(t, "resolved", checks["E1"].state, "active coverage, nothing in the way: no person needed")
		require.Equal(t, "open", checks["E2"].state, "inactive coverage goes to an agent")
		require.Equal(t, clearinghouse.StageNeedsAgent, checks["E2"].stage)
		require.Contains(t, strings.ToLower(checks["E2"].reason), "inactive")

		var pids []string
		for _, ext := range []string{"E1", "E2"} {
			var id string
			require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(ctx, `SELECT id FROM patients WHERE external_id = $1`, ext).Scan(&id))
			pids = append(pids, id)
		}
		var benefits map[string]clearinghouse.Benefits
		require.NoError(t, db.Scoped(sqldb.WithPractice(ctx, x.practice), func(q sqldb.Querier) error {
			benefits, err = x.store.LatestBenefits(ctx, q, pids)
			return err
		}))
		require.Equal(t, "active", benefits[pids[0]].Coverage)
		require.Contains(t, strings.Join(benefits[pids[0]].Lines, "\n"), "$1,150")
		require.Equal(t, "inactive", benefits[pids[1]].Coverage)

		// The year-end push: E1's plan has $1,150 left for a calendar year
		// that ends in 24 days, so E1's unscheduled crown rises with it at
		// the next generation.
		x.load(t, "treatments", "plan_id,patient_id,summary,estimated_patient_portion,presented_date,scheduled\n"+
			"T1,E1,crown,640.00,09/01/2026,no\n")
		_, err = x.imports.Generate(ctx, x.practice)
		require.NoError(t, err)
		var reasons string
		require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(ctx, `SELECT w.priority_reasons FROM work_items w
JOIN patients p ON p.id = w.patient_id WHERE p.external_id = 'E1' AND w.kind = 'treatment_followup'`).Scan(&reasons))
		require.Contains(t, reasons, "$1,150.00 of benefits expire 2026-12-31")

		// The same file again (a download retried) is kept and applied once.
		again, err := x.ch.Receive(ctx, "ch-1", "271-0451-copy.x12", []byte(answer))
		require.NoError(t, err)
		require.True(t, again.Duplicate)
		received := testenv.AuditEvents(t, db, auditstore.Query{Action: string(audit.ActionClearinghouseReceive)})
		require.Len(t, received, 1)
		require.ElementsMatch(t, pids, received[0].Event.PatientIDs)
		for _, e := range append(sent, received...) {
			body := fmt.Sprintf("%+v", e.Event)
			for _, phi := range []string{"Lee", "Park", "M1001", "M2002", "1980"} {
				require.NotContains(t, body, phi, "no patient data in the audit event")
			}
		}
	})
}

// TestAPayersNotNowIsAskedAgainThenLeftToAnAgent: AAA 42 with R (unable
// to respond now, send again) puts the check back in the next batch, up
// to clearinghouse.MaxAsks askings; a subscriber not found (75, C) goes
// to an agent at once.
func TestAPayersNotNowIsAskedAgainThenLeftToAnAgent(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		raw, err := os.ReadFile("testdata/271-not-now.edi")
		require.NoError(t, err)
		ask := func() []string {
			t.Helper()
			rep, err := x.ch.AskEligibility(ctx, "ch-1")
			require.NoError(t, err)
			require.Len(t, rep.Batches, 1)
			batch, err := x.store.FileBody(sqldb.AllPractices(ctx), rep.Batches[0].ID)
			require.NoError(t, err)
			return traces(t, batch.Body)
		}
		answer := func(name string, tr ...string) clearinghouse.ApplyReport {
			t.Helper()
			second := "NOT-ASKED"
			if len(tr) > 1 {
				second = tr[1]
			}
			x.now = x.now.Add(30 * time.Minute)
			got, err := x.ch.Receive(ctx, "ch-1", name, []byte(strings.NewReplacer("{TRACE1}", tr[0], "{TRACE2}", second,
				"{NPI}", x.npi, "000000452", "000000"+name[4:7]).Replace(string(raw))))
			require.NoError(t, err)
			require.Equal(t, clearinghouse.Applied, got.File.State, got.File.Note)
			return got
		}

		got := answer("271-101.x12", ask()...)
		require.Equal(t, 1, got.AskedAgain)
		require.Equal(t, 1, got.ToAgents)
		checks := x.checks(t)
		require.Equal(t, "waiting", checks["E1"].state, "not now: not an agent's yet")
		require.Equal(t, clearinghouse.StageToAsk, checks["E1"].stage)
		require.Contains(t, checks["E1"].reason, "could not answer for now")
		require.Equal(t, "open", checks["E2"].state)
		require.Contains(t, checks["E2"].reason, "AAA 75")

		tr := ask()
		require.Len(t, tr, 1, "only the check asked again")
		require.Equal(t, 1, answer("271-102.x12", tr...).AskedAgain)
		tr = ask()
		last := answer("271-103.x12", tr...)
		require.Zero(t, last.AskedAgain, "asked three times: enough")
		require.Equal(t, 1, last.ToAgents)
		checks = x.checks(t)
		require.Equal(t, "open", checks["E1"].state)
		require.Equal(t, clearinghouse.StageNeedsAgent, checks["E1"].stage)
		require.Contains(t, checks["E1"].reason, "AAA 42")

		var outcomes []string
		rows, err := testenv.OwnerDB(t, db).QueryContext(ctx, `SELECT q.outcome FROM clearinghouse_inquiries q
JOIN patients p ON p.id = q.patient_id WHERE p.external_id = 'E1' ORDER BY q.asked_at`)
		require.NoError(t, err)
		for rows.Next() {
			var o string
			require.NoError(t, rows.Scan(&o))
			outcomes = append(outcomes, o)
		}
		require.NoError(t, rows.Close())
		require.Equal(t, []string{clearinghouse.OutcomeAskAgain, clearinghouse.OutcomeAskAgain, clearinghouse.OutcomeNeedsAgent}, outcomes)
	})
}

// TestACancelledVisitIsNotAskedAbout: the practice's next schedule marks
// a visit cancelled and another missed; their checks, waiting for the
// clearinghouse, are closed with the reason and never go in a batch,
// while a check an agent has taken stays the agent's.
func TestACancelledVisitIsNotAskedAbout(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		owner := testenv.OwnerDB(t, db)
		_, err := owner.ExecContext(ctx, `INSERT INTO users (id, issuer, subject, name, email, created_at, last_seen_at)
VALUES ('u-agent', 'iss', 'u-agent', 'Agent', '', $1, $1)`, x.now)
		require.NoError(t, err)
		_, err = owner.ExecContext(ctx, `UPDATE work_items SET owner_id = 'u-agent', state = 'waiting'
WHERE subject_id = (SELECT id FROM appointments WHERE external_id = 'A4')`)
		require.NoError(t, err)
		x.load(t, "appointments", "appointment_id,patient_id,start,planned_procedures,payer_name,subscriber_id,status\n"+
			"A1,E1,12/09/2026 09:00,D0120 D1110,Delta Dental of Texas,M1001,cancelled\n"+
			"A2,E2,12/09/2026 10:00,D2740,Delta Dental of Texas,M2002,broken\n"+
			"A4,E4,12/09/2026 13:00,D1110,Small Mutual,S4004,cancelled\n")
		checks := x.checks(t)
		require.Equal(t, "closed", checks["E1"].state)
		require.Equal(t, "closed", checks["E2"].state)
		require.Equal(t, "waiting", checks["E3"].state, "E3's visit still stands")
		require.Equal(t, "waiting", checks["E4"].state, "an agent's check is left to the agent")

		var notes []string
		rows, err := testenv.OwnerDB(t, db).QueryContext(ctx, `SELECT a.note FROM activities a JOIN patients p ON p.id = a.patient_id
WHERE a.outcome = 'visit_gone' ORDER BY p.external_id`)
		require.NoError(t, err)
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			notes = append(notes, n)
		}
		require.NoError(t, rows.Close())
		require.Equal(t, []string{"The visit was cancelled; the check was closed without asking the payer.",
			"The patient missed the visit; the check was closed without asking the payer."}, notes)

		rep, err := x.ch.AskEligibility(ctx, "ch-1")
		require.NoError(t, err)
		require.Zero(t, rep.Asked, "nothing left to ask: E3 has no member id and goes to an agent")
		require.Empty(t, rep.Batches)

		// The daily generation closes checks whose visit passed unworked.
		x.now = time.Date(2026, 12, 9, 19, 0, 0, 0, time.UTC)
		_, err = x.imports.Generate(ctx, x.practice)
		require.NoError(t, err)
		require.Equal(t, "closed", x.checks(t)["E3"].state)
	})
}
