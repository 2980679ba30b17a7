package agent

import "github.com/backdesk/backdesk/services/internal/api"

// inquiryView is the last question a clearinghouse was asked about an
// item, in words.
type inquiryView struct {
	api.Inquiry
	Question string // what was asked
	Answer   string // what came of the answer, or that none came yet
}

// inquiryWords name what each transaction set asks.
var inquiryWords = map[string]string{
	"270": "Eligibility and benefits (270)",
	"276": "Claim status (276)",
}

// outcomeWords say what came of an answer, as an agent reads it.
var outcomeWords = map[string]string{
	"verified":            "Coverage verified: the check was resolved with the benefits.",
	"needs_agent":         "The answer needs a person.",
	"late":                "The answer came after the item was finished.",
	"ask_again":           "The payer could not answer for now; the check went in the next batch.",
	"resolved":            "The payer finished the claim; the follow-up was resolved.",
	"pending":             "The claim is with the payer; the follow-up waits before a call.",
	"awaiting_remittance": "The claim is finalized; the follow-up waits for the remittance.",
}

// inquiryOf says q in words; nil when nothing was asked.
func inquiryOf(q *api.Inquiry) *inquiryView {
	if q == nil {
		return nil
	}
	v := &inquiryView{Inquiry: *q, Question: inquiryWords[q.Set], Answer: outcomeWords[q.Outcome]}
	if v.Question == "" {
		v.Question = "A question (" + q.Set + ")"
	}
	switch {
	case q.AnsweredAt == nil:
		v.Answer = "No answer yet. If none comes in time, the item comes to an agent."
	case v.Answer == "":
		v.Answer = "Answered."
	}
	return v
}
