package payer

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// StatusLine is one claim status the payer reported (one STC).
type StatusLine struct {
	ClaimNumber       string // the patient control number, our claim number
	Segment           int    // where the status starts in its file, for reports
	Category          string // STC01-1, e.g. "A7"
	Code              string // STC01-2, e.g. "21"
	Entity            string // STC01-3, when given
	EffectiveDate     string // YYYY-MM-DD, or empty
	PayerClaimControl string
	BilledCents       int64
}

// Class is what kind of status the line is.
func (s StatusLine) Class() codes.Class { return codes.ClassOf(s.Category) }

// Fingerprint identifies the statement across re-imports.
func (s StatusLine) Fingerprint() string {
	h := sha256.New()
	for _, f := range []string{"277", s.ClaimNumber, s.Category, s.Code, s.Entity, s.EffectiveDate, s.PayerClaimControl,
		strconv.FormatInt(s.BilledCents, 10)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Meaning says the status in plain words: the category's meaning, then
// the status code's when known.
func (s StatusLine) Meaning() string {
	out := s.Category
	if c, ok := codes.Category(s.Category); ok {
		out += " " + c.Meaning
	}
	if s.Code != "" {
		if m, ok := codes.StatusCode(s.Code); ok {
			out += " (" + s.Code + ": " + m + ")"
		} else {
			out += " (status code " + s.Code + ")"
		}
	}
	return out
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
)

// StageOf is the stage a status line puts the follow-up in; StageNone
// when it needs no action.
func StageOf(s StatusLine) Stage {
	switch s.Class() {
	case codes.Rejected:
		return StageRejected
	case codes.RequestForInfo:
		return StageInfoRequested
	}
	if s.Category == "F2" {
		return StageDenied
	}
	return StageNone
}
