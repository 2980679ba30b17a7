package payerstore

import (
	"context"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Status applies one claim status line.
func (a *Applier) Status(ctx context.Context, s payer.StatusLine) error {
	a.Report.Read++
	c, ok, err := a.claim(ctx, s.ClaimNumber)
	if err != nil || !ok {
		if err == nil {
			a.Report.Unmatched = append(a.Report.Unmatched, Unmatched{Segment: s.Segment, Kind: "status"})
		}
		return err
	}
	if a.dry {
		a.Report.Applied++
		return nil
	}
	fresh, err := a.record(ctx, `INSERT INTO claim_status_events (id, practice_id, claim_id, import_id, fingerprint, category, code, entity,
effective_date, payer_claim_control, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, newID(), a.practice, c.id,
		a.importID, s.Fingerprint(), s.Category, s.Code, s.Entity, s.EffectiveDate, s.PayerClaimControl, a.now)
	if err != nil || !fresh {
		if err == nil {
			a.Report.Duplicates++
		}
		return err
	}
	a.Report.Applied++
	note := "Claim status from the payer: " + s.Meaning() + "."
	if stage := payer.StageOf(s); stage != payer.StageNone {
		if stage == payer.StageDenied {
			if err := a.claimStatus(ctx, c, records.ClaimDenied); err != nil {
				return err
			}
		}
		if stage == payer.StageRejected {
			if err := a.claimStatus(ctx, c, records.ClaimRejected); err != nil {
				return err
			}
		}
		return a.raiseFollowup(ctx, c, stage, s.Meaning(), note)
	}
	switch {
	case s.Category == "F1":
		if err := a.claimStatus(ctx, c, records.ClaimPaid); err != nil {
			return err
		}
	case s.Category == "F4":
		if err := a.claimStatus(ctx, c, records.ClaimClosed); err != nil {
			return err
		}
	case s.Class() == codes.Acknowledged || s.Class() == codes.Pending:
		if c.status == string(records.ClaimSubmitted) {
			if err := a.claimStatus(ctx, c, records.ClaimPending); err != nil {
				return err
			}
		}
	}
	return a.noteFollowup(ctx, c, note)
}

// claimStatus sets the claim's status; a payment recorded from a
// remittance is never downgraded by a later status line.
func (a *Applier) claimStatus(ctx context.Context, c claimRow, status records.ClaimStatus) error {
	_, err := a.tx.ExecContext(ctx, `UPDATE claims SET status = $2, updated_at = $3 WHERE id = $1 AND (status NOT IN ('paid', 'partially_paid') OR $2 = 'paid')`,
		c.id, string(status), a.now)
	return err
}
