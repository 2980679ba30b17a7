package payer_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/payer/payerstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC)

const pr = "pr-pay"

func pols() practice.Policies {
	p := practice.Policies{Kinds: map[policy.Kind]policy.Policy{}, Contact: policy.DefaultContactRules()}
	for _, k := range policy.Kinds {
		p.Kinds[k] = policy.Default(k)
	}
	return p
}

func exec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), pr), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

// seed makes a practice with a patient and three submitted claims; C2
// has an open claim follow-up waiting for its next contact date.
func seed(t *testing.T, db *sqldb.DB) {
	exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'P', '1', 'UTC', 'active', $2, $2)`, pr, now)
	exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ('pt-1', $1, 'E1', 'A', 'B', '1980-01-01', $2, $2)`, pr, now)
	for _, c := range []string{"C1", "C2", "C3"} {
		exec(t, db, `INSERT INTO claims (id, practice_id, patient_id, external_id, payer_name, date_of_service, submitted_date, billed_cents, status, created_at, updated_at)
VALUES ($1, $2, 'pt-1', $3, 'Delta', '2026-01-10', '2026-01-12', 12000, 'submitted', $4, $4)`, "cl-"+c, pr, c, now)
	}
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, next_contact_at, due_at, created_at, updated_at)
VALUES ('wi-c1', $1, 'pt-1', 'claim_followup', 'claim', 'cl-C1', 'assigned', 'agent-a', NULL, $2, $2, $2)`, pr, now)
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, next_contact_at, due_at, created_at, updated_at)
VALUES ('wi-c2', $1, 'pt-1', 'claim_followup', 'claim', 'cl-C2', 'waiting', 'agent-a', $3, $2, $2, $2)`, pr, now, now.AddDate(0, 0, 20))
}

// service applies statements with the real stores of payers and work.
func service(db *sqldb.DB) *payer.Service {
	return payer.NewService(payerstore.New(db), work.NewDesk(workstore.New(db, auditstore.New(db)), nil, nil))
}

func apply(t *testing.T, db *sqldb.DB, dry bool, rems []payer.Remittance, stats []payer.StatusLine) payer.Report {
	t.Helper()
	var a *payer.Applier
	ctx := sqldb.WithPractice(context.Background(), pr)
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		a = service(db).Applier(tx, pr, "imp-1", pols(), time.UTC, now, dry)
		for _, r := range rems {
			if err := a.Remittance(ctx, r); err != nil {
				return err
			}
		}
		for _, s := range stats {
			if err := a.Status(ctx, s); err != nil {
				return err
			}
		}
		return nil
	}))
	return a.Report
}

func one[T any](t *testing.T, db *sqldb.DB, q string, args ...any) T {
	t.Helper()
	var v T
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), pr), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), q, args...).Scan(&v)
	}))
	return v
}

var remits = []payer.Remittance{
	// C1 paid with a patient share: its follow-up resolves and a balance follow-up appears.
	{ClaimNumber: "C1", Segment: 12, PayerName: "Delta", CheckNumber: "CHK1", StatusCode: "1", ChargeCents: 12000, PaidCents: 8000,
		PatientResponsibilityCents: 2000, Adjustments: []payer.Adjustment{{Group: "CO", Reason: "45", AmountCents: 2000}, {Group: "PR", Reason: "2", AmountCents: 2000}}},
	// C2 denied: its waiting follow-up comes back now, staged as denied with the reason.
	{ClaimNumber: "C2", Segment: 30, PayerName: "Delta", CheckNumber: "CHK1", StatusCode: "4", ChargeCents: 12000,
		Adjustments: []payer.Adjustment{{Group: "CO", Reason: "29", AmountCents: 12000}}},
	// Nobody's claim: reported, not dropped.
	{ClaimNumber: "NOPE", Segment: 44, StatusCode: "1", ChargeCents: 100, PaidCents: 100},
}

func TestRemittancesDriveClaimsAndFollowups(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seed(t, db)
		dry := apply(t, db, true, remits, nil)
		require.Equal(t, 3, dry.Read)
		require.Equal(t, 2, dry.Applied)
		require.Equal(t, []payer.Unmatched{{Segment: 44, Kind: "remittance"}}, dry.Unmatched)
		require.Equal(t, 0, one[int](t, db, `SELECT count(*) FROM claim_remittances`), "a dry run writes nothing")

		rep := apply(t, db, false, remits, nil)
		require.Equal(t, payer.Report{Read: 3, Applied: 2, Unmatched: []payer.Unmatched{{Segment: 44, Kind: "remittance"}},
			ItemsCreated: 1, ItemsResolved: 1, ItemsRaised: 1}, rep)
		require.Equal(t, "partially_paid", one[string](t, db, `SELECT status FROM claims WHERE id = 'cl-C1'`))
		require.Equal(t, int64(8000), one[int64](t, db, `SELECT paid_cents FROM claims WHERE id = 'cl-C1'`))
		require.Equal(t, "resolved", one[string](t, db, `SELECT state FROM work_items WHERE id = 'wi-c1'`))
		require.Equal(t, 1, one[int](t, db, `SELECT count(*) FROM work_items WHERE kind = 'balance_followup' AND subject_id = 'cl-C1' AND state = 'open'`))
		require.Equal(t, "denied", one[string](t, db, `SELECT status FROM claims WHERE id = 'cl-C2'`))
		require.Equal(t, "assigned", one[string](t, db, `SELECT state FROM work_items WHERE id = 'wi-c2'`), "back in the owner's queue now")
		require.Equal(t, "denied", one[string](t, db, `SELECT stage FROM work_items WHERE id = 'wi-c2'`))
		require.Contains(t, one[string](t, db, `SELECT stage_reason FROM work_items WHERE id = 'wi-c2'`), "CO-29")

		// The same file again changes nothing.
		counts := func() [3]int {
			return [3]int{one[int](t, db, `SELECT count(*) FROM activities`), one[int](t, db, `SELECT count(*) FROM work_items`),
				one[int](t, db, `SELECT count(*) FROM claim_remittances`)}
		}
		before := counts()
		again := apply(t, db, false, remits, nil)
		require.Equal(t, 2, again.Duplicates)
		require.Zero(t, again.Applied+again.ItemsCreated+again.ItemsRaised+again.ItemsResolved)
		require.Equal(t, before, counts())

		h, err := service(db).History(context.Background(), pr, "cl-C2", 10)
		require.NoError(t, err)
		require.Len(t, h, 1)
		require.Contains(t, h[0].Summary, "denied")
		require.Contains(t, h[0].Reasons, "CO-29")
	})
}

func TestStatusLines(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seed(t, db)
		rep := apply(t, db, false, nil, []payer.StatusLine{
			{ClaimNumber: "C3", Segment: 20, Category: "A7", Code: "21"}, // rejected, no follow-up yet: one is made
			{ClaimNumber: "C1", Segment: 40, Category: "A2", Code: "20"}, // accepted: pending, noted
			{ClaimNumber: "C2", Segment: 60, Category: "R4", Code: "294"},
			{ClaimNumber: "ZZ", Segment: 80, Category: "F1", Code: "65"},
		})
		require.Equal(t, 4, rep.Read)
		require.Equal(t, 3, rep.Applied)
		require.Equal(t, []payer.Unmatched{{Segment: 80, Kind: "status"}}, rep.Unmatched)
		require.Equal(t, 1, rep.ItemsCreated)
		require.Equal(t, 1, rep.ItemsRaised)
		require.Equal(t, "rejected", one[string](t, db, `SELECT status FROM claims WHERE id = 'cl-C3'`))
		require.Equal(t, "rejected", one[string](t, db, `SELECT stage FROM work_items WHERE subject_id = 'cl-C3' AND kind = 'claim_followup'`))
		require.Equal(t, "pending", one[string](t, db, `SELECT status FROM claims WHERE id = 'cl-C1'`))
		require.Equal(t, "info_requested", one[string](t, db, `SELECT stage FROM work_items WHERE id = 'wi-c2'`))
		require.Equal(t, 1, one[int](t, db, `SELECT count(*) FROM activities WHERE work_item_id = 'wi-c1' AND outcome = 'payer_status'`))
	})
}
