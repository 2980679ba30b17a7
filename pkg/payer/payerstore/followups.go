package payerstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/platform/outbox"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/google/uuid"
)

// followup is an unfinished item the statement concerns.
type followup struct {
	id, state string
	owned     bool
}

// find returns the claim's unfinished follow-up of kind, if any.
func (a *Applier) find(ctx context.Context, kind policy.Kind, claimID string) (followup, bool, error) {
	var f followup
	var owner sql.NullString
	err := a.tx.QueryRowContext(ctx, `SELECT id, state, owner_id FROM work_items WHERE subject_type = 'claim' AND subject_id = $1
AND kind = $2 AND state NOT IN ('resolved', 'closed')`, claimID, string(kind)).Scan(&f.id, &f.state, &owner)
	if errors.Is(err, sql.ErrNoRows) {
		return f, false, nil
	}
	f.owned = owner.Valid
	return f, err == nil, err
}

// history appends the payer's statement to an item's history.
func (a *Applier) history(ctx context.Context, itemID, patientID string, outcome work.Outcome, note string) error {
	_, err := a.tx.ExecContext(ctx, `INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, note, at)
VALUES ($1, $2, $3, $4, $5, 'payer', $6, $7, $8)`, uuid.Must(uuid.NewV7()).String(), a.practice, itemID, patientID, PayerActor,
		string(outcome), note, a.now)
	return err
}

// resolveFollowup finishes the claim's follow-up: the payer has paid.
func (a *Applier) resolveFollowup(ctx context.Context, c claimRow, note string) error {
	f, ok, err := a.find(ctx, policy.ClaimFollowup, c.id)
	if err != nil || !ok {
		return err
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE work_items SET state = 'resolved', finished_at = $2, lease_until = NULL, next_contact_at = NULL,
stage = '', stage_reason = '', route_after = NULL, version = version + 1, updated_at = $2 WHERE id = $1`, f.id, a.now); err != nil {
		return err
	}
	a.Report.ItemsResolved++
	return a.history(ctx, f.id, c.patientID, work.PayerPaid, note)
}

// raiseFollowup brings the claim's follow-up back to work now, creating
// it if there is none, in the given stage and with the payer's reasons.
func (a *Applier) raiseFollowup(ctx context.Context, c claimRow, stage payer.Stage, reason, note string) error {
	outcome := map[payer.Stage]work.Outcome{payer.StageDenied: work.PayerDenied, payer.StageRejected: work.PayerRejected,
		payer.StageInfoRequested: work.PayerInfoRequested}[stage]
	if outcome == "" {
		outcome = work.PayerReversed
	}
	f, ok, err := a.find(ctx, policy.ClaimFollowup, c.id)
	if err != nil {
		return err
	}
	if !ok {
		id, err := a.create(ctx, policy.ClaimFollowup, c)
		if err != nil {
			return err
		}
		f = followup{id: id, state: string(work.Open)}
	} else {
		a.Report.ItemsRaised++
	}
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	if _, err := a.tx.ExecContext(ctx, `UPDATE work_items SET stage = $2, stage_reason = $3, updated_at = $4 WHERE id = $1`,
		f.id, string(stage), reason, a.now); err != nil {
		return err
	}
	if f.state == string(work.Waiting) {
		// Waiting for a date the payer has overtaken: back to the owner's
		// queue now, or to routing when nobody owns it.
		next := "assigned"
		if !f.owned {
			next = "open"
		}
		if _, err := a.tx.ExecContext(ctx, `UPDATE work_items SET state = $2, next_contact_at = NULL, version = version + 1, updated_at = $3
WHERE id = $1`, f.id, next, a.now); err != nil {
			return err
		}
		if next == "open" {
			if _, err := outbox.Enqueue(ctx, a.tx, a.now, work.RouteArgs{WorkItemID: f.id, ItemKind: policy.ClaimFollowup}, time.Time{}); err != nil {
				return err
			}
		}
	}
	return a.history(ctx, f.id, c.patientID, outcome, note)
}

// noteFollowup writes a statement that changes nothing into the claim
// follow-up's history, when there is one.
func (a *Applier) noteFollowup(ctx context.Context, c claimRow, note string) error {
	f, ok, err := a.find(ctx, policy.ClaimFollowup, c.id)
	if err != nil || !ok {
		return err
	}
	return a.history(ctx, f.id, c.patientID, work.PayerStatus, note)
}

// patientShare makes sure someone follows up the patient's share: a note
// on the patient's open balance follow-up, or a new one on the claim.
func (a *Applier) patientShare(ctx context.Context, c claimRow, r payer.Remittance) error {
	note := "Patient responsibility of " + payer.Money(r.PatientResponsibilityCents) + " from the payer's payment on a claim."
	var id string
	err := a.tx.QueryRowContext(ctx, `SELECT id FROM work_items WHERE patient_id = $1 AND kind = $2 AND state NOT IN ('resolved', 'closed')
ORDER BY created_at LIMIT 1`, c.patientID, string(policy.BalanceFollowup)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		share := c
		share.claim.BilledCents, share.claim.PaidCents = r.PatientResponsibilityCents, 0
		if id, err = a.create(ctx, policy.BalanceFollowup, share); err != nil || id == "" {
			return err
		}
	} else if err != nil {
		return err
	}
	return a.history(ctx, id, c.patientID, work.PayerPaid, note)
}
