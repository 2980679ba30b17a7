// Package payer judges what payers say about claims: a remittance (what
// was paid, adjusted or denied) and a claim status (acknowledged,
// rejected, pending, asking for information, finalized). It decides what
// each statement means for the claim and its follow-up, and writes that
// in plain words for the agent; payerstore applies it.
package payer

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Adjustment is one amount the payer did not pay, with its group (who
// bears it) and reason code.
type Adjustment struct {
	Group       string `json:"group"`
	Reason      string `json:"reason"`
	AmountCents int64  `json:"amount_cents"`
}

// Line is one service line of a remittance.
type Line struct {
	Procedure   string       `json:"procedure"`
	ChargeCents int64        `json:"charge_cents"`
	PaidCents   int64        `json:"paid_cents"`
	Adjustments []Adjustment `json:"adjustments"`
	// Remarks are the line's remark codes (RARCs, LQ*HE).
	Remarks []string `json:"remarks,omitempty"`
}

// Remittance is one claim's payment as the payer reported it.
type Remittance struct {
	ClaimNumber                string // the patient control number, our claim number
	Segment                    int    // where the claim starts in its file, for reports
	PayerName                  string
	CheckNumber                string
	PaymentDate                string // YYYY-MM-DD, or empty
	StatusCode                 string // CLP02
	ChargeCents                int64
	PaidCents                  int64
	PatientResponsibilityCents int64
	PayerClaimControl          string
	Adjustments                []Adjustment // claim and line adjustments together
	Lines                      []Line
	// Remarks are the claim's remark codes (RARCs from MOA or MIA).
	Remarks []string
}

// Verdict is what a remittance means for the claim's follow-up.
type Verdict string

// The verdicts.
const (
	Paid     Verdict = "paid"     // adjudicated with a payment or a patient share: the payer is done
	Denied   Verdict = "denied"   // nothing paid and nothing for the patient: appeal or correct
	Reversed Verdict = "reversed" // an earlier payment was taken back
	Noted    Verdict = "noted"    // forwarded, predetermination: nothing changes
)

// Judge decides what r means.
func Judge(r Remittance) Verdict {
	switch r.StatusCode {
	case "22":
		return Reversed
	case "4":
		return Denied
	case "1", "2", "3", "19", "20", "21":
		if r.PaidCents > 0 || r.PatientResponsibilityCents > 0 {
			return Paid
		}
		return Denied
	}
	return Noted
}

// Fingerprint identifies the statement: the same claim payment read again
// from the same (or a re-sent) file has the same fingerprint.
func (r Remittance) Fingerprint() string {
	h := sha256.New()
	fields := []string{"835", r.PayerName, r.CheckNumber, r.PaymentDate, r.ClaimNumber, r.StatusCode,
		strconv.FormatInt(r.ChargeCents, 10), strconv.FormatInt(r.PaidCents, 10),
		strconv.FormatInt(r.PatientResponsibilityCents, 10), r.PayerClaimControl}
	for _, a := range r.Adjustments {
		fields = append(fields, a.Group, a.Reason, strconv.FormatInt(a.AmountCents, 10))
	}
	// Remarks joined the statement later: one without any keeps the
	// fingerprint it always had.
	for _, m := range r.AllRemarks() {
		fields = append(fields, "remark", m)
	}
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Reasons lists the adjustments the provider or payer bears (every group
// but the patient's), each with its meaning: why money was not paid.
func Reasons(adjs []Adjustment) string { return reasons(adjs, false) }

// DenialReasons says why a claim was denied: the reasons the provider or
// payer bears, or, when the patient's group is all there is (a service
// the plan does not cover, say), the patient's.
func DenialReasons(adjs []Adjustment) string {
	if why := reasons(adjs, false); why != "" {
		return why
	}
	return reasons(adjs, true)
}

// reasons lists the adjustments of the patient's group (patient) or of
// every other group, once each.
func reasons(adjs []Adjustment, patient bool) string {
	var parts []string
	seen := map[string]bool{}
	for _, a := range adjs {
		key := a.Group + "-" + a.Reason
		if (a.Group == "PR") != patient || seen[key] {
			continue
		}
		seen[key] = true
		meaning, ok := codes.Reason(a.Reason)
		if !ok {
			meaning = "reason code " + a.Reason
		}
		parts = append(parts, key+": "+meaning)
	}
	return strings.Join(parts, "; ")
}

// AllRemarks lists the remittance's remark codes, the claim's then the
// lines', once each.
func (r Remittance) AllRemarks() []string {
	var out []string
	seen := map[string]bool{}
	add := func(ms []string) {
		for _, m := range ms {
			if m != "" && !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	add(r.Remarks)
	for _, l := range r.Lines {
		add(l.Remarks)
	}
	return out
}

// Remarks says remark codes in plain words, e.g. "N130: Check the plan's
// benefit limits".
func Remarks(ms []string) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		meaning, ok := codes.Remark(m)
		if !ok {
			meaning = "remark code " + m
		}
		parts = append(parts, m+": "+meaning)
	}
	return strings.Join(parts, "; ")
}

// Summary says in one sentence what the remittance reported.
func Summary(r Remittance, v Verdict) string {
	var b strings.Builder
	switch v {
	case Paid:
		fmt.Fprintf(&b, "Payer paid %s of %s", Money(r.PaidCents), Money(r.ChargeCents))
		if r.PatientResponsibilityCents > 0 {
			fmt.Fprintf(&b, "; patient responsibility %s", Money(r.PatientResponsibilityCents))
		}
	case Denied:
		b.WriteString("Payer denied the claim")
	case Reversed:
		fmt.Fprintf(&b, "Payer reversed an earlier payment (%s)", Money(r.PaidCents))
	default:
		status, ok := codes.ClaimPaymentStatus(r.StatusCode)
		if !ok {
			status = "status " + r.StatusCode
		}
		b.WriteString("Payer remittance: " + status)
	}
	if r.CheckNumber != "" {
		b.WriteString(", payment " + r.CheckNumber)
	}
	if why := DenialReasons(r.Adjustments); why != "" && v == Denied {
		b.WriteString(". " + why)
	} else if why := Reasons(r.Adjustments); why != "" && v != Paid {
		b.WriteString(". " + why)
	}
	if rm := Remarks(r.AllRemarks()); rm != "" {
		b.WriteString(". Remarks: " + rm)
	}
	return b.String() + "."
}

// Money writes cents as dollars, e.g. "$1,234.50" or "-$40.00".
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := strconv.FormatInt(cents/100, 10)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	return fmt.Sprintf("%s$%s.%02d", sign, whole, cents%100)
}
