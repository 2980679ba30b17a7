package imports

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"time"

	"github.com/backdesk/backdesk/pkg/payer"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/x277"
	"github.com/backdesk/backdesk/pkg/x12/x835"
)

// runX12 reads an X12 import's transaction sets and applies what the
// payer said, claim by claim, in one transaction: all of it or, on a
// malformed file, nothing. A dry run matches and counts without writing.
func (s *Service) runX12(ctx context.Context, imp Import, p practice.Practice, pols practice.Policies) error {
	loc, err := time.LoadLocation(p.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC().Truncate(time.Microsecond)
		a := s.payers.Applier(tx, imp.PracticeID, imp.ID, pols, loc, now, imp.DryRun)
		rd := x12.NewReader(s.store.Open(ctx, imp.ID))
		lastPct := 0
		for {
			t, err := rd.NextTransaction()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if want := transactionCode[imp.Kind]; t.Code != want {
				return &x12.SyntaxError{Pos: t.Pos(), SegmentID: "ST", Element: 1, Msg: "this transaction set is not a " + want + "; import it as its own kind"}
			}
			if err := applyTransaction(ctx, a, t); err != nil {
				return err
			}
			if pct := percent(t, imp.SizeBytes); pct >= lastPct+2 {
				lastPct = pct
				s.progress.Set(ctx, imp.ID, pct)
			}
		}
		rep := a.Report
		imp.RowsRead, imp.RowsApplied, imp.RowsRejected, imp.ItemsCreated = rep.Read, rep.Applied, len(rep.Unmatched), rep.ItemsCreated
		if imp.DryRun {
			imp.RowsApplied, imp.ItemsCreated = 0, 0 // as for CSV: a dry run reports what it would reject
		}
		imp.Errors = unmatchedErrors(rep.Unmatched)
		done := s.now().UTC()
		imp.FinishedAt, imp.State = &done, Succeeded
		s.log.InfoContext(ctx, "payer statements applied", "import_id", imp.ID, "duplicates", rep.Duplicates,
			"items_resolved", rep.ItemsResolved, "items_raised", rep.ItemsRaised)
		if err := s.store.Finish(ctx, tx, imp, finishEvent(imp, done)); err != nil {
			return err
		}
		return nil
	})
}

func percent(t *x12.Transaction, size int64) int {
	if size <= 0 || len(t.Segments) == 0 {
		return 0
	}
	return min(99, int(t.Segments[len(t.Segments)-1].Pos.Offset*100/size))
}

// applyTransaction decodes one transaction set and applies each claim's
// statement.
func applyTransaction(ctx context.Context, a *payer.Applier, t *x12.Transaction) error {
	switch t.Code {
	case "835":
		rem, err := x835.Decode(t)
		if err != nil {
			return err
		}
		for _, c := range rem.Claims {
			if err := a.Remittance(ctx, remittanceOf(rem, c)); err != nil {
				return err
			}
		}
	case "277":
		rep, err := x277.Decode(t)
		if err != nil {
			return err
		}
		for _, c := range rep.Claims {
			for _, st := range c.Statuses {
				line := payer.StatusLine{ClaimNumber: c.PatientControlNumber, Segment: c.Pos.Segment, Category: st.Category, Code: st.Code,
					Entity: st.Entity, EffectiveDate: dateOf(st.EffectiveDate), PayerClaimControl: c.PayerClaimControlNumber, BilledCents: c.BilledCents}
				if err := a.Status(ctx, line); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func remittanceOf(rem *x835.Remittance, c x835.ClaimPayment) payer.Remittance {
	r := payer.Remittance{ClaimNumber: c.PatientControlNumber, Segment: c.Pos.Segment, PayerName: rem.PayerName,
		CheckNumber: rem.CheckNumber, PaymentDate: dateOf(rem.PaymentDate), StatusCode: c.StatusCode, ChargeCents: c.ChargeCents,
		PaidCents: c.PaidCents, PatientResponsibilityCents: c.PatientResponsibilityCents, PayerClaimControl: c.PayerClaimControlNumber}
	r.Adjustments = adjustments(c.Adjustments)
	for _, l := range c.ServiceLines {
		line := payer.Line{Procedure: l.ProcedureCode, ChargeCents: l.ChargeCents, PaidCents: l.PaidCents, Adjustments: adjustments(l.Adjustments)}
		r.Lines = append(r.Lines, line)
		r.Adjustments = append(r.Adjustments, line.Adjustments...)
	}
	return r
}

func adjustments(in []x835.Adjustment) []payer.Adjustment {
	out := make([]payer.Adjustment, 0, len(in))
	for _, a := range in {
		out = append(out, payer.Adjustment{Group: a.Group, Reason: a.Reason, AmountCents: a.AmountCents})
	}
	return out
}

func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// unmatchedErrors reports each unmatched statement as a row error at its
// segment, naming the element that did not match and never its value.
func unmatchedErrors(us []payer.Unmatched) []recordcsv.RowError {
	out := make([]recordcsv.RowError, 0, min(len(us), MaxStoredErrors))
	for _, u := range us {
		if len(out) == MaxStoredErrors {
			break
		}
		col, what := "CLP01", "claim payment"
		if u.Kind == "status" {
			col, what = "TRN02", "claim status"
		}
		out = append(out, recordcsv.RowError{Line: u.Segment, Column: col, Rule: "unmatched_claim",
			Message: col + ": this " + what + " names a claim number that matches none of the practice's claims; import the claims first or check the payer's patient control number"})
	}
	return out
}
