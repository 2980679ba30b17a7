package payer

import "time"

// Response is one thing the payer said about a claim, for the agent.
type Response struct {
	At                time.Time // when it was imported
	Source            string    // SourceRemittance or SourceStatus
	Summary           string    // in words
	StatusCode        string    // CLP02, or the STC category
	Code              string    // the STC status code
	PaidCents         *int64    // remittances only
	PatientCents      *int64    // remittances only
	CheckNumber       string
	PaymentDate       string
	EffectiveDate     string
	PayerClaimControl string
	Adjustments       []Adjustment
	Lines             []Line
	Reasons           string
	// Remarks are the remittance's remark codes in words.
	Remarks string
	// Statuses are all the statuses a claim status gave, the primary
	// first; LineStatuses its service lines' (claim statuses only).
	Statuses     []StatusCode
	LineStatuses []LineStatus
}

// RemittanceResponse is how a recorded remittance reads in the history.
func RemittanceResponse(at time.Time, r Remittance) Response {
	paid, patient := r.PaidCents, r.PatientResponsibilityCents
	v := Judge(r)
	why := Reasons(r.Adjustments)
	if v == Denied {
		why = DenialReasons(r.Adjustments)
	}
	return Response{At: at, Source: SourceRemittance, Summary: Summary(r, v), StatusCode: r.StatusCode,
		PaidCents: &paid, PatientCents: &patient, CheckNumber: r.CheckNumber, PaymentDate: r.PaymentDate,
		PayerClaimControl: r.PayerClaimControl, Adjustments: r.Adjustments, Lines: r.Lines, Reasons: why,
		Remarks: Remarks(r.AllRemarks())}
}

// StatusResponse is how a recorded claim status reads in the history.
func StatusResponse(at time.Time, s StatusLine) Response {
	out := Response{At: at, Source: SourceStatus, Summary: s.Reason(), StatusCode: s.Category, Code: s.Code,
		EffectiveDate: s.EffectiveDate, PayerClaimControl: s.PayerClaimControl, CheckNumber: s.CheckNumber,
		PaymentDate: s.PaymentDate, Statuses: append([]StatusCode{s.Primary()}, s.Others...), LineStatuses: s.Lines}
	if s.PaidCents != 0 {
		paid := s.PaidCents
		out.PaidCents = &paid
	}
	return out
}

// The sources of payer responses.
const (
	SourceRemittance = "remittance_835"
	SourceStatus     = "claim_status_277"
)

// Points are the talking points the payer's latest response adds for the
// agent: its reasons and remark codes in words, and the lines it names.
// They hold codes and their meanings only, never patient data.
func Points(r Response) []string {
	var out []string
	if r.Reasons != "" {
		out = append(out, "The payer's adjustment reasons: "+r.Reasons+".")
	}
	if r.Remarks != "" {
		out = append(out, "The payer's remarks: "+r.Remarks+".")
	}
	for _, l := range r.LineStatuses {
		for _, s := range l.Statuses {
			if stageOfCode(s) != StageNone {
				out = append(out, "Check line "+l.Procedure+": "+s.Meaning()+".")
				break
			}
		}
	}
	return out
}
