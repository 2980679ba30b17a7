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
		imp.Notices = rep.Notices
		if len(imp.Notices) > MaxStoredErrors {
			imp.Notices = imp.Notices[:MaxStoredErrors]
		}
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
// statements: a remittance's payments on one claim together, a status
// report's statuses of one claim together.
func applyTransaction(ctx context.Context, a *payer.Applier, t *x12.Transaction) error {
	switch t.Code {
	case "835":
		rem, err := x835.Decode(t)
		if err != nil {
			return err
		}
		// The remittance's claims together: a few statements for all of
		// them, not a few for each.
		if err := a.Payments(ctx, byClaim(rem)); err != nil {
			return err
		}
		for _, pa := range rem.ProviderAdjustments {
			a.ProviderAdjustment(pa.Pos.Segment, pa.Reason, pa.Reference, pa.AmountCents)
		}
	case "277":
		rep, err := x277.Decode(t)
		if err != nil {
			return err
		}
		for _, lv := range rep.Levels {
			for _, st := range lv.Statuses {
				a.LevelStatus(lv.Pos.Segment, lv.Level, statusCode(st))
			}
		}
		for _, c := range rep.Claims {
			if len(c.Statuses) == 0 {
				continue
			}
			if err := a.Status(ctx, statusLineOf(c)); err != nil {
				return err
			}
		}
	}
	return nil
}

// byClaim groups a remittance's claim payments by claim number, in the
// order each claim first appears.
func byClaim(rem *x835.Remittance) [][]payer.Remittance {
	var out [][]payer.Remittance
	at := map[string]int{}
	for _, c := range rem.Claims {
		r := remittanceOf(rem, c)
		i, ok := at[r.ClaimNumber]
		if !ok {
			i = len(out)
			at[r.ClaimNumber] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], r)
	}
	return out
}

func statusCode(st x277.Status) payer.StatusCode {
	return payer.StatusCode{Category: st.Category, Code: st.Code, Entity: st.Entity}
}

// statusLineOf is what a status report said about one claim: its first
// status is the primary one.
func statusLineOf(c x277.ClaimStatus) payer.StatusLine {
	first := c.Statuses[0]
	s := payer.StatusLine{ClaimNumber: c.PatientControlNumber, Segment: c.Pos.Segment, Category: first.Category, Code: first.Code,
		Entity: first.Entity, EffectiveDate: dateOf(first.EffectiveDate), PayerClaimControl: c.PayerClaimControlNumber,
		BilledCents: c.BilledCents, PaidCents: c.PaidCents, CheckNumber: c.CheckNumber, PaymentDate: dateOf(c.PaymentDate),
		AdjudicationDate: dateOf(c.AdjudicationDate)}
	for _, st := range c.Statuses[1:] {
		s.Others = append(s.Others, statusCode(st))
	}
	for _, l := range c.ServiceLines {
		ls := payer.LineStatus{Procedure: l.ProcedureCode, LineControl: l.LineControlNumber, ServiceDate: dateOf(l.ServiceFrom),
			ChargeCents: l.ChargeCents}
		for _, st := range l.Statuses {
			ls.Statuses = append(ls.Statuses, statusCode(st))
		}
		s.Lines = append(s.Lines, ls)
	}
	return s
}

func remittanceOf(rem *x835.Remittance, c x835.ClaimPayment) payer.Remittance {
	r := payer.Remittance{ClaimNumber: c.PatientControlNumber, Segment: c.Pos.Segment, PayerName: rem.PayerName,
		CheckNumber: rem.CheckNumber, PaymentDate: dateOf(rem.PaymentDate), StatusCode: c.StatusCode, ChargeCents: c.ChargeCents,
		PaidCents: c.PaidCents, PatientResponsibilityCents: c.PatientResponsibilityCents, PayerClaimControl: c.PayerClaimControlNumber,
		Remarks: c.RemarkCodes}
	r.Adjustments = adjustments(c.Adjustments)
	for _, l := range c.ServiceLines {
		line := payer.Line{Procedure: l.ProcedureCode, ChargeCents: l.ChargeCents, PaidCents: l.PaidCents, Adjustments: adjustments(l.Adjustments),
			Remarks: l.RemarkCodes}
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
