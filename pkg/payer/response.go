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
}

// The sources of payer responses.
const (
	SourceRemittance = "remittance_835"
	SourceStatus     = "claim_status_277"
)
