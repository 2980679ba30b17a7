package payer

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// StatusCode is one status composite of an STC segment: its category,
// status code and, when given, the entity it concerns.
type StatusCode struct {
	Category string `json:"category"`         // e.g. "A7"
	Code     string `json:"code,omitempty"`   // e.g. "21"
	Entity   string `json:"entity,omitempty"` // e.g. "85"
}

// Class is what kind of status it is.
func (c StatusCode) Class() codes.Class { return codes.ClassOf(c.Category) }

// Meaning says the status in plain words: the category's meaning, then
// the status code's when known.
func (c StatusCode) Meaning() string {
	out := c.Category
	if m, ok := codes.Category(c.Category); ok {
		out += " " + m.Meaning
	}
	if c.Code != "" {
		if m, ok := codes.StatusCode(c.Code); ok {
			out += " (" + c.Code + ": " + m + ")"
		} else {
			out += " (status code " + c.Code + ")"
		}
	}
	return out
}

// LineStatus is what the payer said about one service line of a claim
// (the 277's 2220 loop).
type LineStatus struct {
	Procedure   string       `json:"procedure"`              // SVC01-2, such as D2740
	LineControl string       `json:"line_control,omitempty"` // REF*FJ: the office's line item control number
	ServiceDate string       `json:"service_date,omitempty"` // YYYY-MM-DD
	ChargeCents int64        `json:"charge_cents"`
	Statuses    []StatusCode `json:"statuses"`
}

// Meaning says the line's statuses in words, naming the line.
func (l LineStatus) Meaning() string {
	name := "Line " + l.Procedure
	var extra []string
	if l.LineControl != "" {
		extra = append(extra, "line item "+l.LineControl)
	}
	if l.ServiceDate != "" {
		extra = append(extra, l.ServiceDate)
	}
	if len(extra) > 0 {
		name += " (" + strings.Join(extra, ", ") + ")"
	}
	parts := make([]string, 0, len(l.Statuses))
	for _, s := range l.Statuses {
		parts = append(parts, s.Meaning())
	}
	return name + ": " + strings.Join(parts, "; ")
}

// needsAction reports whether any of the line's statuses calls for work.
func (l LineStatus) needsAction() bool {
	for _, s := range l.Statuses {
		if stageOfCode(s) != StageNone {
			return true
		}
	}
	return false
}

// StatusLine is what one claim status report said about one claim: its
// primary status (STC01 of the first STC), the others (STC10, STC11 and
// further STC segments) and its service lines' statuses.
type StatusLine struct {
	ClaimNumber       string // the patient control number, our claim number
	Segment           int    // where the claim starts in its file, for reports
	Category          string // primary STC01-1, e.g. "A7"
	Code              string // primary STC01-2, e.g. "21"
	Entity            string // primary STC01-3, when given
	EffectiveDate     string // YYYY-MM-DD, or empty
	PayerClaimControl string
	BilledCents       int64
	// Others are the claim's further statuses, in file order.
	Others []StatusCode
	// Lines are the statuses of the claim's service lines.
	Lines []LineStatus
	// PaidCents (STC05), CheckNumber (STC09) and PaymentDate (STC08) come
	// with a finalized claim; AdjudicationDate is STC06.
	PaidCents        int64
	CheckNumber      string
	PaymentDate      string
	AdjudicationDate string
}

// Primary is the claim's primary status.
func (s StatusLine) Primary() StatusCode {
	return StatusCode{Category: s.Category, Code: s.Code, Entity: s.Entity}
}

// Class is what kind of status the primary one is.
func (s StatusLine) Class() codes.Class { return codes.ClassOf(s.Category) }

// Fingerprint identifies the statement across re-imports. A status with
// nothing beyond its primary composite keeps the fingerprint it has
// always had.
func (s StatusLine) Fingerprint() string {
	h := sha256.New()
	fields := []string{"277", s.ClaimNumber, s.Category, s.Code, s.Entity, s.EffectiveDate, s.PayerClaimControl,
		strconv.FormatInt(s.BilledCents, 10)}
	for _, o := range s.Others {
		fields = append(fields, "other", o.Category, o.Code, o.Entity)
	}
	for _, l := range s.Lines {
		fields = append(fields, "line", l.Procedure, l.LineControl, l.ServiceDate, strconv.FormatInt(l.ChargeCents, 10))
		for _, o := range l.Statuses {
			fields = append(fields, o.Category, o.Code, o.Entity)
		}
	}
	if s.PaidCents != 0 || s.CheckNumber != "" || s.PaymentDate != "" || s.AdjudicationDate != "" {
		fields = append(fields, "paid", strconv.FormatInt(s.PaidCents, 10), s.CheckNumber, s.PaymentDate, s.AdjudicationDate)
	}
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Meaning says the primary status in plain words.
func (s StatusLine) Meaning() string { return s.Primary().Meaning() }

// detailCodes are the status codes that say only that another status
// code names what is wrong: the reason needs the others, and the lines'.
var detailCodes = map[string]bool{"21": true}

// Reason is why the claim stands where it does, for the agent: the
// primary status, then the other statuses, then the lines' statuses:
// every line's when a status leaves it to another code to say what is
// wrong, else those of the lines that need action.
func (s StatusLine) Reason() string {
	parts := []string{s.Meaning()}
	needLines := detailCodes[s.Code]
	for _, o := range s.Others {
		parts = append(parts, o.Meaning())
		needLines = needLines || detailCodes[o.Code]
	}
	for _, l := range s.Lines {
		if needLines || l.needsAction() {
			parts = append(parts, l.Meaning())
		}
	}
	return strings.Join(parts, "; ")
}

// Stage is where a claim follow-up stands with the payer, beyond its
// state, for the agent's queue.
type Stage string

// The stages payers' statements put a claim follow-up in.
const (
	StageNone          Stage = ""
	StageDenied        Stage = "denied"         // needs an appeal or a corrected claim
	StageRejected      Stage = "rejected"       // never adjudicated: correct and resubmit
	StageInfoRequested Stage = "info_requested" // the payer wants something first
	// StageAwaitingRemittance: paid per the claim status, which gave no
	// amount; the remittance will say how much.
	StageAwaitingRemittance Stage = "awaiting_remittance"
)

// stageOfCode is the stage one status composite calls for.
func stageOfCode(c StatusCode) Stage {
	switch c.Class() {
	case codes.Rejected:
		return StageRejected
	case codes.RequestForInfo:
		return StageInfoRequested
	}
	if c.Category == "F2" {
		return StageDenied
	}
	return StageNone
}

// StageOf is the stage a claim's statuses put its follow-up in: the
// primary status's, or, when that needs no action, the first other
// status that does; StageNone when none needs action.
func StageOf(s StatusLine) Stage {
	if st := stageOfCode(s.Primary()); st != StageNone {
		return st
	}
	for _, o := range s.Others {
		if st := stageOfCode(o); st != StageNone {
			return st
		}
	}
	return StageNone
}
