package importstore_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/imports/importstore"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/practice/practicestore"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/stretchr/testify/require"
)

type memProgress struct{ last map[string]int }

func (m *memProgress) Set(_ context.Context, id string, p int) { m.last[id] = p }
func (m *memProgress) Get(_ context.Context, id string) (int, bool) {
	p, ok := m.last[id]
	return p, ok
}

type bundle struct {
	db        *sqldb.DB
	svc       *imports.Service
	practices *practice.Service
	now       time.Time
}

func setup(t testing.TB, db *sqldb.DB) *bundle {
	t.Helper()
	b := &bundle{db: db, now: time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return b.now }
	b.practices = practice.NewService(practicestore.New(db, auditstore.New(db)), clock, nil)
	desk := work.NewDesk(workstore.New(db, auditstore.New(db)), b.practices, clock)
	b.svc = imports.NewService(imports.Deps{DB: db, Store: importstore.New(db, auditstore.New(db)), Practices: b.practices, Records: records.NewService(recordstore.New(db)), Work: desk,
		Payers: payer.NewService(payerstore.New(db), desk), Progress: &memProgress{last: map[string]int{}},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock})
	return b
}

func (b *bundle) practice(t *testing.T, npi string) string {
	t.Helper()
	return b.practiceB(t, npi)
}

func (b *bundle) practiceB(t testing.TB, npi string) string {
	t.Helper()
	p, err := b.practices.Create(context.Background(), practice.NewPractice{Name: "P " + npi, NPI: npi, Timezone: "America/Chicago"})
	require.NoError(t, err)
	return p.ID
}

// load submits and runs an import, as the upload route and the worker
// would: the upload and the report are read within the practice's scope.
func (b *bundle) load(t *testing.T, practiceID, kind, csv string, dry bool) imports.Import {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	imp, err := b.svc.Submit(ctx, imports.Upload{PracticeID: practiceID, Kind: kind, Filename: kind + ".csv", DryRun: dry, CreatedBy: "u", Content: strings.NewReader(csv)})
	require.NoError(t, err)
	require.NoError(t, b.svc.Run(ctx, imp.ID))
	got, err := b.svc.Get(ctx, imp.ID)
	require.NoError(t, err)
	return got
}

// fingerprint summarises everything an import can write, per practice,
// read as the owner, who sees every practice.
func fingerprint(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	db = testenv.OwnerDB(t, db)
	var sb strings.Builder
	for _, q := range []string{
		`SELECT practice_id || ':' || external_id || ':' || first_name || ':' || last_name || ':' || phone || ':' || updated_at FROM patients ORDER BY 1`,
		`SELECT practice_id || ':' || external_id || ':' || total_cents || ':' || updated_at FROM balances ORDER BY 1`,
		`SELECT practice_id || ':' || kind || ':' || subject_id FROM work_items ORDER BY 1`,
		`SELECT task_type FROM outbox WHERE task_type <> 'import:run' AND task_type <> 'practice:provision' ORDER BY id`,
	} {
		rows, err := db.QueryContext(context.Background(), q)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			sb.WriteString(s + "\n")
		}
		require.NoError(t, rows.Close())
		sb.WriteString("--\n")
	}
	return sb.String()
}

const patientsCSV = "patient_id,first_name,last_name,date_of_birth,phone,email,text_consent\r\n" +
	"P1,Maya,Okafor,04/12/1985,(512) 555-0101,maya@example.com,Y\r\n" +
	"P2,Luis,Navarro,1979-11-02,512.555.0102,,N\r\n" +
	"P3,Ana,,02/30/1990,4x4x4,bad@@,Y\r\n" + // no last name, impossible date, bad phone
	"\r\n" +
	"P4,Eli,Brandt,7/4/2001,,eli@example.com,\r\n"

const balancesCSV = "account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90\n" +
	"A1,P1,$250.00,50.00,200.00,0,0\n" + // past 30 days: work
	"A2,P2,40.00,0,40.00,0,0\n" + // under $50: no work
	"A3,P9,300.00,0,0,0,300.00\n" + // unknown patient
	"A4,P4,-12.50,,,,\n" // a credit, no aging
func TestImportAppliesValidRowsAndReportsTheRest(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		other := b.practice(t, "1245319599")
		otherBefore := fingerprint(t, db)

		pat := b.load(t, p, "patients", patientsCSV, false)
		require.Equal(t, imports.Succeeded, pat.State)
		require.Equal(t, 4, pat.RowsRead)
		require.Equal(t, 3, pat.RowsApplied)
		require.Equal(t, 1, pat.RowsRejected)
		require.Equal(t, 100, pat.Progress)
		require.NotEmpty(t, pat.Errors)
		for _, e := range pat.Errors {
			require.Equal(t, 4, e.Line, "the bad row is on line 4")
			for _, v := range []string{"02/30/1990", "4x4x4", "bad@@", "Ana"} {
				require.NotContains(t, e.Message, v, "row errors never quote values")
			}
		}

		bal := b.load(t, p, "balances", balancesCSV, false)
		require.Equal(t, imports.Succeeded, bal.State)
		require.Equal(t, 3, bal.RowsApplied, "%+v", bal.Errors)
		require.Equal(t, 1, bal.RowsRejected)
		require.Equal(t, "unknown_patient", bal.Errors[0].Rule)
		require.Equal(t, 4, bal.Errors[0].Line)
		require.Equal(t, 1, bal.ItemsCreated, "only A1 is at least $50 and past 30 days")

		after := fingerprint(t, db)
		require.NotEqual(t, otherBefore, after)
		var n int
		require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM patients WHERE practice_id = $1`, other).Scan(&n))
		require.Zero(t, n, "an import never touches another practice")

		// Re-importing the same files changes nothing at all.
		b.now = b.now.Add(time.Hour)
		again := b.load(t, p, "patients", patientsCSV, false)
		require.Equal(t, 3, again.RowsApplied)
		bal2 := b.load(t, p, "balances", balancesCSV, false)
		require.Zero(t, bal2.ItemsCreated)
		require.Equal(t, after, fingerprint(t, db))

		var files int
		require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(context.Background(), `SELECT COUNT(*) FROM import_files`).Scan(&files))
		require.Zero(t, files, "uploaded files are dropped once imported")
	})
}

func TestDryRunWritesNothingButTheReport(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		before := fingerprint(t, db)
		imp := b.load(t, p, "patients", patientsCSV, true)
		require.Equal(t, imports.Succeeded, imp.State)
		require.True(t, imp.DryRun)
		require.Equal(t, 4, imp.RowsRead)
		require.Zero(t, imp.RowsApplied)
		require.Equal(t, 1, imp.RowsRejected)
		require.Equal(t, before, fingerprint(t, db))
	})
}

func TestFileProblemsAreRefusedUpFront(t *testing.T) {
	t.Parallel()
	db, _ := testenv.NewDB(t, sqldb.SQLite)
	b := setup(t, db)
	p := b.practice(t, "1234567893")
	tests := []struct {
		name, kind, preset, content, field string
	}{
		{"unknown kind", "xrays", "", patientsCSV, "kind"},
		{"unknown preset", "patients", "softdent", patientsCSV, "preset"},
		{"empty", "patients", "", "", "file"},
		{"missing columns", "patients", "", "patient_id,first_name\nP1,Maya\n", "file"},
		{"utf-16", "patients", "", "\xff\xfep\x00a\x00", "file"},
	}
	for _, tc := range tests {
		_, err := b.svc.Submit(context.Background(), imports.Upload{PracticeID: p, Kind: tc.kind, Preset: tc.preset, Content: strings.NewReader(tc.content)})
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae, tc.name)
		require.Equal(t, tc.field, ae.Field, tc.name)
	}
	big := io.MultiReader(strings.NewReader(patientsCSV), io.LimitReader(repeat("P9,Ann,Lee,01/01/1990\r\n"), imports.MaxFileBytes))
	_, err := b.svc.Submit(context.Background(), imports.Upload{PracticeID: p, Kind: "patients", Content: big})
	require.ErrorIs(t, err, imports.ErrTooLarge, "a file larger than it claimed is stopped at the limit")
	var n int
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM imports`).Scan(&n))
	require.Zero(t, n, "and nothing of it is kept")
	require.Empty(t, testenv.AuditActions(t, db, auditstore.Query{Action: string(audit.ActionImportSubmit)}), "nor recorded as uploaded")
}

func TestFailedImportLeavesTheDatabaseAsItWas(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		b.load(t, p, "patients", patientsCSV, false)
		before := fingerprint(t, db)

		// A file whose rows fail half-way through applying: the second
		// batch breaks a database constraint after the first was written.
		var sb strings.Builder
		sb.WriteString("patient_id,first_name,last_name,date_of_birth\n")
		for i := 0; i < 450; i++ {
			name := "New"
			if i == 300 || i == 301 {
				name = "Boom"
			}
			sb.WriteString("N" + itoa(1000+i) + "," + name + ",Person,01/01/1990\n")
		}
		ctx := sqldb.WithPractice(context.Background(), p)
		imp, err := b.svc.Submit(ctx, imports.Upload{PracticeID: p, Kind: "patients", Content: strings.NewReader(sb.String())})
		require.NoError(t, err)
		_, err = testenv.OwnerDB(t, db).ExecContext(ctx, `CREATE UNIQUE INDEX break_on_second_batch ON patients (practice_id, first_name) WHERE first_name = 'Boom'`)
		require.NoError(t, err)
		require.NoError(t, b.svc.Run(ctx, imp.ID))
		got, err := b.svc.Get(ctx, imp.ID)
		require.NoError(t, err)
		require.Equal(t, imports.Failed, got.State)
		require.Equal(t, "apply_failed", got.ErrorCode)
		require.Equal(t, before, fingerprint(t, db), "nothing of the failed import remains")
		require.Equal(t, []audit.Action{audit.ActionImportSubmit}, testenv.AuditActions(t, db, auditstore.Query{TargetID: imp.ID}),
			"the upload is recorded; the import that failed is not recorded as finished")

		// Running the task again (a redelivery) does nothing more.
		require.NoError(t, b.svc.Run(ctx, imp.ID))
	})
}

func itoa(i int) string {
	s := ""
	for {
		s = string(rune('0'+i%10)) + s
		i /= 10
		if i == 0 {
			return s
		}
	}
}

// repeat is an endless reader of one line, for files too big to build.
type repeat string

func (r repeat) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

// TestOnlyTheLatestRunCommits: a redelivered task starts a second run of
// an import while the first still runs; the first must not commit.
func TestOnlyTheLatestRunCommits(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		ctx := sqldb.WithPractice(context.Background(), p)
		imp, err := b.svc.Submit(ctx, imports.Upload{PracticeID: p, Kind: "patients", Content: strings.NewReader(patientsCSV)})
		require.NoError(t, err)
		st := importstore.New(db, auditstore.New(db))
		t1 := time.Date(2026, 6, 15, 15, 0, 0, 0, time.UTC)
		first, ok, err := st.Start(ctx, imp.ID, t1)
		require.NoError(t, err)
		require.True(t, ok)
		second, ok, err := st.Start(ctx, imp.ID, t1.Add(time.Second))
		require.NoError(t, err)
		require.True(t, ok)

		first.State, second.State = imports.Succeeded, imports.Succeeded
		finished := func(run string) audit.Event {
			ev := audit.Change(audit.Event{}, t1, audit.ActionImportFinish, p, audit.TargetImport, imp.ID)
			ev.Reason = run
			return ev
		}
		require.ErrorIs(t, st.Finish(ctx, nil, first, finished("first")), imports.ErrSuperseded)
		require.NoError(t, st.Fail(ctx, first, "x", "y", t1), "a superseded run's failure changes nothing")
		require.NoError(t, st.Finish(ctx, nil, second, finished("second")))
		evs := testenv.AuditEvents(t, db, auditstore.Query{TargetID: imp.ID, Action: string(audit.ActionImportFinish)})
		require.Len(t, evs, 1, "only the run that committed is recorded")
		require.Equal(t, "second", evs[0].Event.Reason)
		got, err := b.svc.Get(ctx, imp.ID)
		require.NoError(t, err)
		require.Equal(t, imports.Succeeded, got.State)
		require.Empty(t, got.ErrorCode)
	})
}

// Items carry a priority with reasons from their records, recomputed when
// a later import changes the record.
func TestPriorityFollowsTheRecords(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		b.load(t, p, "patients", patientsCSV, false)
		b.load(t, p, "balances", balancesCSV, false)
		read := func() (int, string) {
			var prio int
			var reasons string
			require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(context.Background(),
				`SELECT priority, priority_reasons FROM work_items WHERE kind = 'balance_followup'`).Scan(&prio, &reasons))
			return prio, reasons
		}
		before, reasons := read()
		require.Positive(t, before)
		require.Contains(t, reasons, `"code":"amount_at_stake"`)
		require.NotContains(t, reasons, "Maya", "reasons carry amounts, never patient data")

		b.load(t, p, "balances", "account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90\nA1,P1,$6250.00,50.00,200.00,0,6000.00\n", false)
		after, reasons := read()
		require.Greater(t, after, before, "more money, older: a higher priority")
		require.Contains(t, reasons, `"code":"aging"`)
	})
}

// Daily generation finds work the passing days made: a claim too recent
// for follow-up at import becomes overdue, and the practice's records make
// the item without another import. Running it again creates nothing more.
func TestGenerateFromStoredRecords(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		_, err := b.practices.RecordBAA(sqldb.WithPractice(ctx, p), p, practice.BAA{SignerName: "D", SignedOn: records.Date{Year: 2026, Month: 1, Day: 2},
			DocumentSHA256: strings.Repeat("ab", 32), RecordedBy: "u", RecordedAt: b.now})
		require.NoError(t, err)
		_, err = testenv.OwnerDB(t, db).ExecContext(ctx, `UPDATE practices SET status = 'active' WHERE id = $1`, p)
		require.NoError(t, err)
		b.load(t, p, "patients", patientsCSV, false)
		imp := b.load(t, p, "claims", "claim_number,patient_id,payer_name,date_of_service,submitted_date,billed_amount,paid_amount,claim_status\n"+
			"C1,P1,Delta Dental,06/01/2026,06/05/2026,420.00,0,submitted\n", false)
		require.Zero(t, imp.ItemsCreated, "ten days after submission is too soon")

		b.now = b.now.AddDate(0, 0, 30)
		n, err := b.svc.Generate(ctx, p)
		require.NoError(t, err)
		require.Equal(t, 1, n, "now the claim is past its threshold")
		n, err = b.svc.Generate(ctx, p)
		require.NoError(t, err)
		require.Zero(t, n)

		queued, err := b.svc.QueueDailyGeneration(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, queued, "one task per active practice")
	})
}

// An import whose stored column mapping cannot be read back is an error,
// not an import that seems to have had no mapping.
func TestUnreadableMappingIsAnError(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		imp := b.load(t, p, "patients", patientsCSV, true)
		_, err := testenv.OwnerDB(t, db).ExecContext(context.Background(), `UPDATE imports SET mapping = '{"patient_id":' WHERE id = $1`, imp.ID)
		require.NoError(t, err)
		ctx := sqldb.WithPractice(context.Background(), p)
		_, err = b.svc.Get(ctx, imp.ID)
		require.Error(t, err)
		_, err = b.svc.List(ctx, p, 10)
		require.Error(t, err)
	})
}
