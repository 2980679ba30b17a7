package payer_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// seedRemittance adds to seed's practice what one remittance's claims
// can meet: a second patient whose claim follow-up waits with nobody
// owning it, and a third with an open balance follow-up already.
func seedRemittance(t *testing.T, db *sqldb.DB) {
	seed(t, db)
	for _, p := range []string{"pt-2", "pt-3"} {
		exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, $1, 'A', 'B', '1980-01-01', $3, $3)`, p, pr, now)
	}
	for c, patient := range map[string]string{"C4": "pt-2", "C5": "pt-2", "C6": "pt-3", "C7": "pt-3", "C8": "pt-3"} {
		exec(t, db, `INSERT INTO claims (id, practice_id, patient_id, external_id, payer_name, date_of_service, submitted_date, billed_cents, status, created_at, updated_at)
VALUES ($1, $2, $3, $4, 'Delta', '2026-01-10', '2026-01-12', 12000, 'submitted', $5, $5)`, "cl-"+c, pr, patient, c, now)
	}
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, next_contact_at, due_at, created_at, updated_at)
VALUES ('wi-c4', $1, 'pt-2', 'claim_followup', 'claim', 'cl-C4', 'waiting', NULL, $3, $2, $2, $2)`, pr, now, now.AddDate(0, 0, 20))
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, created_at, updated_at)
VALUES ('wi-c8', $1, 'pt-3', 'claim_followup', 'claim', 'cl-C8', 'open', NULL, $2, $2, $2)`, pr, now)
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, created_at, updated_at)
VALUES ('wi-b3', $1, 'pt-3', 'balance_followup', 'balance', 'bal-3', 'open', NULL, $2, $2, $2)`, pr, now)
}

// remittance pays seedRemittance's claims every way one remittance can,
// grouped by claim.
func remittance() [][]payer.Remittance {
	pay := func(claim, status string, paid, patient int64, adjs ...payer.Adjustment) payer.Remittance {
		return payer.Remittance{ClaimNumber: claim, Segment: 10 + len(claim), PayerName: "Delta", CheckNumber: "CHK9", StatusCode: status,
			ChargeCents: 12000, PaidCents: paid, PatientResponsibilityCents: patient, Adjustments: adjs}
	}
	co45, pr2 := payer.Adjustment{Group: "CO", Reason: "45", AmountCents: 1000}, payer.Adjustment{Group: "PR", Reason: "2", AmountCents: 2000}
	return [][]payer.Remittance{
		{pay("C1", "1", 9000, 2000, co45, pr2)},                                                    // pt-1's first share: a balance follow-up on C1
		{pay("C2", "4", 0, 3000, payer.Adjustment{Group: "PR", Reason: "96", AmountCents: 12000})}, // denied; its owner gets it back
		{pay("C3", "1", 8000, 1000, pr2), pay("C3", "1", 8000, 1000, pr2)},                         // the same payment twice
		{pay("C4", "4", 0, 0, payer.Adjustment{Group: "CO", Reason: "29", AmountCents: 12000})},    // denied; back to routing
		{pay("C5", "22", -5000, 0), pay("C5", "1", 6000, 1500, pr2)},                               // reversal and correction
		{pay("C6", "22", -4000, 0)},                                                                // a reversal alone: a follow-up is created
		{pay("C7", "2", 7000, 500, pr2)},                                                           // pt-3's open balance follow-up takes the note
		{pay("C8", "25", 0, 0)},                                                                    // noted only
		{pay("NOPE", "1", 100, 0)},                                                                 // nobody's claim
		{},                                                                                         // an empty group is skipped
		{pay("C9", "22", -100, 0)},                                                                 // nobody's claim either
	}
}

// snapshot reads what applying a remittance changes, without the ids
// it makes up.
func snapshot(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	var b strings.Builder
	ctx := sqldb.WithPractice(context.Background(), pr)
	dump := func(tx *sql.Tx, q string, cols int) error {
		rows, err := tx.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]any, cols)
			ptrs := make([]any, cols)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			fmt.Fprintln(&b, vals...)
		}
		return rows.Err()
	}
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			cols int
		}{
			{`SELECT external_id, status, paid_cents, patient_responsibility_cents FROM claims ORDER BY external_id`, 4},
			{`SELECT subject_id, kind, state, stage, stage_reason, COALESCE(owner_id, ''), CASE WHEN next_contact_at IS NULL THEN 0 ELSE 1 END,
CASE WHEN finished_at IS NULL THEN 0 ELSE 1 END, version, priority, priority_reasons FROM work_items ORDER BY subject_id, kind`, 11},
			{`SELECT w.subject_id, w.kind, a.actor_id, a.channel, a.outcome, a.note FROM activities a JOIN work_items w ON w.id = a.work_item_id
ORDER BY w.subject_id, w.kind, a.id`, 6},
			{`SELECT c.external_id, r.status_code, r.paid_cents FROM claim_remittances r JOIN claims c ON c.id = r.claim_id ORDER BY c.external_id, r.status_code`, 3},
		} {
			if err := dump(tx, q.sql, q.cols); err != nil {
				return err
			}
		}
		return nil
	}))
	rows, err := testenv.OwnerDB(t, db).QueryContext(ctx, `SELECT task_type, queue, COUNT(*) FROM outbox GROUP BY task_type, queue ORDER BY task_type, queue`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var typ, queue string
		var n int
		require.NoError(t, rows.Scan(&typ, &queue, &n))
		fmt.Fprintln(&b, typ, queue, n)
	}
	require.NoError(t, rows.Err())
	return b.String()
}

// applyEach applies groups in one transaction: as one remittance, or
// claim by claim.
func applyEach(t *testing.T, db *sqldb.DB, groups [][]payer.Remittance, together bool) payer.Report {
	t.Helper()
	var a *payer.Applier
	ctx := sqldb.WithPractice(context.Background(), pr)
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		a = service(db).Applier(tx, pr, "imp-1", pols(), time.UTC, now, false)
		if together {
			return a.Payments(ctx, groups)
		}
		for _, g := range groups {
			if err := a.Payments(ctx, [][]payer.Remittance{g}); err != nil {
				return err
			}
		}
		return nil
	}))
	return a.Report
}

// A remittance's claims applied together change claims and follow-up
// work as applying them one after another does, patients' shares across
// claims included.
func TestPaymentsTogetherAsClaimByClaim(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			together, _ := testenv.NewDB(t, d)
			alone, _ := testenv.NewDB(t, d)
			seedRemittance(t, together)
			seedRemittance(t, alone)

			rep := applyEach(t, together, remittance(), true)
			require.Equal(t, payer.Report{Read: 12, Applied: 9, Duplicates: 1,
				Unmatched:    []payer.Unmatched{{Segment: 14, Kind: "remittance"}, {Segment: 12, Kind: "remittance"}},
				ItemsCreated: 3, ItemsResolved: 1, ItemsRaised: 2}, rep)
			require.Equal(t, rep, applyEach(t, alone, remittance(), false))
			got := snapshot(t, together)
			require.Equal(t, snapshot(t, alone), got)

			require.Equal(t, 1, one[int](t, together, `SELECT count(*) FROM work_items WHERE patient_id = 'pt-1' AND kind = 'balance_followup'`),
				"one balance follow-up for the patient's three shares")
			require.Equal(t, 3, one[int](t, together, `SELECT count(*) FROM activities a JOIN work_items w ON w.id = a.work_item_id
WHERE w.patient_id = 'pt-1' AND w.kind = 'balance_followup'`))
			require.Equal(t, 1, one[int](t, together, `SELECT count(*) FROM activities WHERE work_item_id = 'wi-b3'`), "the open one takes pt-3's share")
			require.Equal(t, "assigned", one[string](t, together, `SELECT state FROM work_items WHERE id = 'wi-c2'`))
			require.Equal(t, "open", one[string](t, together, `SELECT state FROM work_items WHERE id = 'wi-c4'`))
			require.Equal(t, "resolved", one[string](t, together, `SELECT state FROM work_items WHERE id = 'wi-c1'`))
			require.Equal(t, int64(-4000), one[int64](t, together, `SELECT paid_cents FROM claims WHERE id = 'cl-C6'`))
			require.Equal(t, int64(6000), one[int64](t, together, `SELECT paid_cents FROM claims WHERE id = 'cl-C5'`))
			require.Contains(t, got, "workitem:route", "the recalled item nobody owns is routed")

			again := applyEach(t, together, remittance(), true)
			require.Equal(t, 10, again.Duplicates)
			require.Zero(t, again.Applied+again.ItemsCreated+again.ItemsRaised+again.ItemsResolved)
			require.Equal(t, got, snapshot(t, together), "the same remittance again changes nothing")
		})
	}
}
