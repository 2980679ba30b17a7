package importstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/stretchr/testify/require"
)

// The posting tests read payer files written for them from the 835
// (005010X221A1), 277CA (005010X214) and 277 (005010X212) implementation
// guides, in testdata/posting, and post them to a practice whose three
// claims (CLM-1 to CLM-3) have open claim follow-ups.

// postingPractice makes a practice with patients and three submitted
// claims old enough to have claim follow-ups.
func postingPractice(t *testing.T, b *bundle, npi ...string) string {
	t.Helper()
	p := b.practice(t, append(npi, "1234567893")[0])
	b.load(t, p, "patients", patientsCSV, false)
	claims := b.load(t, p, "claims", x12Claims, false)
	require.Equal(t, 3, claims.RowsApplied, "%+v", claims.Errors)
	require.Equal(t, 3, claims.ItemsCreated, "each claim is past the practice's unpaid threshold")
	return p
}

// post imports one of the posting files and checks it succeeded.
func (b *bundle) post(t *testing.T, practiceID, kind, name string) imports.Import {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "posting", name))
	require.NoError(t, err)
	imp := b.load(t, practiceID, kind, string(raw), false)
	require.Equal(t, imports.Succeeded, imp.State, "%s: %s", name, imp.ErrorMessage)
	require.Empty(t, imp.Errors, name)
	return imp
}

type postedClaim struct {
	Status         string
	Paid, Patient  int64
	ItemState      string
	Stage, Reason  string
	NextContact    *time.Time
	ItemID         string
	PatientBalance int // the patient's open balance follow-ups
}

// claimOf reads a claim, its claim follow-up (the latest) and its
// patient's balance follow-ups.
func claimOf(t *testing.T, db *sqldb.DB, practiceID, number string) postedClaim {
	t.Helper()
	var c postedClaim
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		var id, patient string
		if err := tx.QueryRowContext(ctx, `SELECT id, patient_id, status, paid_cents, patient_responsibility_cents FROM claims
WHERE practice_id = $1 AND external_id = $2`, practiceID, number).Scan(&id, &patient, &c.Status, &c.Paid, &c.Patient); err != nil {
			return err
		}
		var next sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT id, state, stage, stage_reason, next_contact_at FROM work_items
WHERE subject_type = 'claim' AND subject_id = $1 AND kind = 'claim_followup' ORDER BY created_at DESC LIMIT 1`, id).
			Scan(&c.ItemID, &c.ItemState, &c.Stage, &c.Reason, &next); err != nil {
			return err
		}
		if next.Valid {
			at := next.Time.UTC()
			c.NextContact = &at
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM work_items WHERE patient_id = $1 AND kind = 'balance_followup'
AND state NOT IN ('resolved', 'closed')`, patient).Scan(&c.PatientBalance)
	}))
	return c
}

// history reads what the payer said about a claim, newest first.
func history(t *testing.T, db *sqldb.DB, practiceID, number string) []payer.Response {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), practiceID)
	var id string
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT id FROM claims WHERE practice_id = $1 AND external_id = $2`, practiceID, number).Scan(&id)
	}))
	svc := payer.NewService(payerstore.New(db), work.NewDesk(workstore.New(db, auditstore.New(db)), nil, nil))
	h, err := svc.History(ctx, practiceID, id, 20)
	require.NoError(t, err)
	return h
}

// Behaviour 1: a reversal and its correction in one remittance net to
// the same result whatever their order, and the money already in the
// check sends nobody after it.
func TestReversalAndCorrectionNetInEitherOrder(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		var results []postedClaim
		npis := []string{"1234567893", "1245319599"}
		for i, file := range []string{"835-correction-first.edi", "835-reversal-first.edi"} {
			p := postingPractice(t, b, npis[i])
			b.post(t, p, "era835", "835-original.edi")
			first := claimOf(t, db, p, "CLM-1")
			require.Equal(t, "partially_paid", first.Status)
			require.Equal(t, int64(8500), first.Paid)
			require.Equal(t, "resolved", first.ItemState)

			imp := b.post(t, p, "era835", file)
			require.Equal(t, 2, imp.RowsApplied, file)
			require.Zero(t, imp.ItemsCreated, "%s: no follow-up for money already in the check", file)
			got := claimOf(t, db, p, "CLM-1")
			require.Equal(t, "partially_paid", got.Status, file)
			require.Equal(t, int64(9500), got.Paid, "%s: the correction's amount", file)
			require.Equal(t, int64(2500), got.Patient, file)
			require.Equal(t, "resolved", got.ItemState, "%s: the claim follow-up stays finished", file)
			require.Equal(t, 1, got.PatientBalance, "%s: the patient's share is followed up once", file)
			got.ItemID = ""
			results = append(results, got)
		}
		require.Equal(t, results[0], results[1], "the order of reversal and correction changes nothing")
	})
}

// Behaviour 2: a denial whose only adjustments are the patient's carries
// those reasons, and the patient's share is followed up. Behaviour 7: the
// remark codes are kept and said in words.
func TestDenialWithPatientResponsibilityOnly(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := postingPractice(t, b)
		require.Zero(t, claimOf(t, db, p, "CLM-2").PatientBalance)
		b.post(t, p, "era835", "835-denied-patient.edi")
		got := claimOf(t, db, p, "CLM-2")
		require.Equal(t, "denied", got.Status)
		require.Equal(t, int64(8000), got.Patient)
		require.Equal(t, "denied", got.Stage)
		require.Contains(t, got.Reason, "PR-96: ", "the reason names the patient's adjustment with its meaning")
		require.Equal(t, 1, got.PatientBalance, "the patient's share opens a balance follow-up")

		h := history(t, db, p, "CLM-2")
		require.Len(t, h, 1)
		require.Contains(t, h[0].Reasons, "PR-96: ")
		require.Contains(t, h[0].Remarks, "N130: ", "the claim's remark code (MOA)")
		require.Contains(t, h[0].Remarks, "N381: ", "the line's remark code (LQ*HE)")
		require.NotContains(t, h[0].Remarks, "remark code N130", "a known remark is said in words")
		require.Contains(t, h[0].Summary, "N130")
	})
}

// Behaviour 3: a rejection that leaves it to another code to say what is
// wrong takes the line's status into its reason, and the line's status is
// kept in the history. Behaviour 4: an accepted resubmission clears it.
func TestLineStatusesAndAcceptedResubmission(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := postingPractice(t, b)
		b.post(t, p, "claimstatus277", "277ca-line-rejection.edi")
		got := claimOf(t, db, p, "CLM-3")
		require.Equal(t, "rejected", got.Status)
		require.Equal(t, "rejected", got.Stage)
		require.True(t, strings.HasPrefix(got.Reason, "A3 "), "the primary status comes first: %s", got.Reason)
		require.Contains(t, got.Reason, "Line D2950 (line item CLM-3-L1, 2026-01-12): A3", "the line says what: %s", got.Reason)
		require.Contains(t, got.Reason, "454")
		h := history(t, db, p, "CLM-3")
		require.Len(t, h, 1)
		require.Len(t, h[0].LineStatuses, 1)
		require.Equal(t, "D2950", h[0].LineStatuses[0].Procedure)
		require.Equal(t, "CLM-3-L1", h[0].LineStatuses[0].LineControl)
		require.Equal(t, []payer.StatusCode{{Category: "A3", Code: "454"}}, h[0].LineStatuses[0].Statuses)

		b.now = b.now.Add(48 * time.Hour)
		b.post(t, p, "claimstatus277", "277ca-accepted.edi")
		got = claimOf(t, db, p, "CLM-3")
		require.Equal(t, "pending", got.Status, "the claim leaves rejected")
		require.Empty(t, got.Stage, "the rejection's stage is over")
		require.Equal(t, "waiting", got.ItemState, "back to waiting for the payer")
		require.NotNil(t, got.NextContact)
		require.Equal(t, b.now.Add(14*24*time.Hour), *got.NextContact, "the practice's usual wait before the next payer call")
		require.True(t, dueQueued(t, db, *got.NextContact), "a timer brings it back")
		h = history(t, db, p, "CLM-3")
		require.Len(t, h, 2, "the history shows the rejection and the acceptance")
		require.Equal(t, "A2", h[0].StatusCode)
		require.Equal(t, "A3", h[1].StatusCode)
	})
}

// dueQueued reports whether a timer task is queued for at.
func dueQueued(t *testing.T, db *sqldb.DB, at time.Time) bool {
	t.Helper()
	var n int
	require.NoError(t, testenv.OwnerDB(t, db).QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM outbox WHERE task_type = $1 AND process_at = $2`, work.TaskDue, at.UTC()).Scan(&n))
	return n > 0
}

// Behaviour 5: a finalized, paid claim status with its amount posts the
// payment and resolves the follow-up; without an amount the claim is paid
// and its follow-up waits a short while for the remittance.
func TestFinalizedPaidClaimStatus(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := postingPractice(t, b)
		b.post(t, p, "claimstatus277", "277-finalized-paid.edi")
		paid := claimOf(t, db, p, "CLM-1")
		require.Equal(t, "paid", paid.Status)
		require.Equal(t, int64(10000), paid.Paid, "STC05")
		require.Equal(t, "resolved", paid.ItemState)
		h := history(t, db, p, "CLM-1")
		require.Len(t, h, 1)
		require.Equal(t, "7788", h[0].CheckNumber)
		require.Equal(t, "2026-06-09", h[0].PaymentDate)
		require.NotNil(t, h[0].PaidCents)
		require.Equal(t, int64(10000), *h[0].PaidCents)

		noAmount := claimOf(t, db, p, "CLM-2")
		require.Equal(t, "paid", noAmount.Status)
		require.Zero(t, noAmount.Paid, "no amount is made up")
		require.Equal(t, "waiting", noAmount.ItemState, "never resolved on a payment of nothing")
		require.Equal(t, string(payer.StageAwaitingRemittance), noAmount.Stage)
		require.Equal(t, b.now.Add(7*24*time.Hour), *noAmount.NextContact)
	})
}

// Behaviour 6: with several statuses on one claim, the reason is the
// primary status first, then the others.
func TestPrimaryStatusLeadsTheReason(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := postingPractice(t, b)
		imp := b.post(t, p, "claimstatus277", "277ca-composites.edi")
		require.Equal(t, 1, imp.RowsRead, "one claim, one statement")
		got := claimOf(t, db, p, "CLM-2")
		require.Equal(t, "rejected", got.Stage)
		i128, i163, i187 := strings.Index(got.Reason, "128"), strings.Index(got.Reason, "163"), strings.Index(got.Reason, "187")
		require.True(t, strings.HasPrefix(got.Reason, "A7 "), got.Reason)
		require.True(t, i128 >= 0 && i128 < i163 && i163 < i187, "primary, then STC10, then STC11: %s", got.Reason)
		h := history(t, db, p, "CLM-2")
		require.Len(t, h, 1)
		require.Equal(t, []payer.StatusCode{{Category: "A7", Code: "128", Entity: "85"}, {Category: "A7", Code: "163"},
			{Category: "A7", Code: "187"}}, h[0].Statuses)
	})
}

// Behaviour 8: what applies to no one claim is listed in the report:
// provider-level adjustments and a provider rejected as a whole.
func TestReportListsWhatNoClaimTook(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := postingPractice(t, b)
		imp := b.post(t, p, "era835", "835-provider-adjustments.edi")
		require.Len(t, imp.Notices, 2)
		wo, l6 := imp.Notices[0], imp.Notices[1]
		require.Equal(t, payer.NoticeProviderAdjustment, wo.Kind)
		require.Equal(t, "WO", wo.Code)
		require.Equal(t, int64(4000), wo.AmountCents)
		require.Equal(t, "CDP-0999", wo.Reference)
		require.Contains(t, wo.Message, "$40.00 taken from this payment")
		require.Equal(t, "L6", l6.Code)
		require.Equal(t, int64(-250), l6.AmountCents)
		require.Contains(t, l6.Message, "$2.50 added to this payment")
		require.Greater(t, wo.Line, 10)

		again, err := b.svc.Get(sqldb.WithPractice(context.Background(), p), imp.ID)
		require.NoError(t, err)
		require.Equal(t, imp.Notices, again.Notices, "the notices are kept with the import")

		st := b.post(t, p, "claimstatus277", "277ca-provider-rejected.edi")
		require.Zero(t, st.RowsRead, "no claim is named")
		require.Len(t, st.Notices, 1, "the receiver's acceptance needs nothing; the provider's rejection is listed")
		require.Equal(t, payer.NoticeBatchStatus, st.Notices[0].Kind)
		require.Equal(t, "A3:24", st.Notices[0].Code)
		require.Contains(t, st.Notices[0].Message, "billing provider")
	})
}
