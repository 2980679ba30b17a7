package payer

// Netted is what the claim payments one remittance makes on one claim
// come to, taken together.
type Netted struct {
	// Result stands for all of them: for a reversal and its correction,
	// the correction (the claim's amounts as now adjudicated); for
	// reversals alone, their sum.
	Result   Remittance
	Verdict  Verdict
	Reversed int64 // what the reversals took back (negative), or 0
}

// paidStatuses are the CLP02 codes of a processed claim, which a
// correction carries.
var paidStatuses = map[string]bool{"1": true, "2": true, "3": true, "19": true, "20": true, "21": true}

// Net takes the claim payments of one remittance on one claim together.
// A payer corrects a claim by reversing its earlier payment (CLP02 22,
// the old amounts negated) and sending the claim again as now processed;
// the two may come in either order. The correction states the claim's
// amounts as they now stand, so the claim takes those, and the reversal
// only explains the change. Reversals with no correction take the money
// back. Several processed payments on one claim add up.
func Net(rs []Remittance) Netted {
	var n Netted
	var others []Remittance
	for _, r := range rs {
		if r.StatusCode == "22" {
			n.Reversed += r.PaidCents
			continue
		}
		others = append(others, r)
	}
	if len(others) == 0 {
		n.Result = rs[0]
		n.Result.PaidCents = n.Reversed
		n.Verdict = Reversed
		return n
	}
	// The processed payment leads; a denial leads only when nothing was
	// processed.
	lead := 0
	for i, r := range others {
		if paidStatuses[r.StatusCode] {
			lead = i
			break
		}
	}
	res := others[lead]
	res.Adjustments = append([]Adjustment(nil), res.Adjustments...)
	res.Lines = append([]Line(nil), res.Lines...)
	res.Remarks = append([]string(nil), res.Remarks...)
	for i, r := range others {
		if i == lead {
			continue
		}
		res.PaidCents += r.PaidCents
		res.PatientResponsibilityCents += r.PatientResponsibilityCents
		res.Adjustments = append(res.Adjustments, r.Adjustments...)
		res.Lines = append(res.Lines, r.Lines...)
		res.Remarks = append(res.Remarks, r.Remarks...)
	}
	n.Result, n.Verdict = res, Judge(res)
	return n
}

// Summary says in one sentence or two what the payments came to.
func (n Netted) Summary() string {
	s := Summary(n.Result, n.Verdict)
	if n.Reversed != 0 && n.Verdict != Reversed {
		s = "Payer reversed an earlier payment (" + Money(n.Reversed) + ") and processed the claim again. " + s
	}
	return s
}
