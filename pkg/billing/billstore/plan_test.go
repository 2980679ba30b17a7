package billstore_test

import (
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/billing/billstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/stretchr/testify/require"
)

// A payment plan is checked whole, every problem by installment and
// field; a good one is the outcome "promised payment" of its first
// installment, with the next contact on its date, and shows on the
// account's ledger.
func TestPaymentPlan(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		by := audit.Event{Actor: audit.Actor{Issuer: "iss", Subject: agent, Role: "agent"}}
		bad := billing.PlanInput{Channel: work.ByCall, Version: 2, Schedule: []billing.Installment{
			{DueDate: "2026-03-01", AmountCents: 5000}, {DueDate: "2026-04-01", AmountCents: 50}, {DueDate: "March", AmountCents: 5000}}}
		_, _, err := w.svc.AgreePlan(ctx, w.desk, w.item, itemID, agent, bad, by)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Contains(t, ae.Fields, "schedule[0].due_date", "in the past")
		require.Contains(t, ae.Fields, "schedule[1].amount_cents", "under a dollar")
		require.Contains(t, ae.Fields, "schedule[2].due_date", "not a date")
		over := billing.PlanInput{Channel: work.ByCall, Version: 2, Schedule: []billing.Installment{{DueDate: "2026-03-20", AmountCents: 30000}}}
		_, _, err = w.svc.AgreePlan(ctx, w.desk, w.item, itemID, agent, over, by)
		require.ErrorAs(t, err, &ae)
		require.Contains(t, ae.Fields, "schedule", "more than the balance")

		good := billing.PlanInput{Channel: work.ByCall, Version: 2, Schedule: []billing.Installment{
			{DueDate: "2026-03-20", AmountCents: 12000}, {DueDate: "2026-04-20", AmountCents: 12000}}}
		plan, version, err := w.svc.AgreePlan(ctx, w.desk, w.item, itemID, agent, good, by)
		require.NoError(t, err)
		require.Equal(t, 3, version)
		l, err := billstore.New(db, auditstore.New(db)).Ledger(ctx, practiceID, itemID, w.now)
		require.NoError(t, err)
		require.NotNil(t, l.Plan)
		require.Equal(t, plan.ID, l.Plan.ID)
		require.Equal(t, good.Schedule, l.Plan.Schedule)
		require.Equal(t, "2026-04-01", l.NextStatement)
		var outcome string
		var promised int64
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT outcome, promised_cents FROM activities
WHERE work_item_id = $1 ORDER BY at DESC, id DESC LIMIT 1`, Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&outcome, &promised) }}))
		require.Equal(t, "promised_payment", outcome)
		require.Equal(t, int64(12000), promised)
	})
}
