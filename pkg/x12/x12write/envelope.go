package x12write

import (
	"fmt"
	"strings"
	"time"
)

// MaxControl is the largest interchange or group control number: ISA13 is
// nine digits, and GS06 at most nine.
const MaxControl = 999_999_999

// Envelope is what the ISA and GS headers of an interchange say: who sends
// it to whom, when, under which control numbers, and whether it is real.
type Envelope struct {
	SenderQualifier   string // ISA05, such as ZZ (mutually defined) or 30 (tax ID)
	SenderID          string // ISA06, up to 15 bytes; padded with spaces to 15
	ReceiverQualifier string // ISA07
	ReceiverID        string // ISA08, up to 15 bytes; padded with spaces to 15

	// GroupSender and GroupReceiver are GS02 and GS03, 2 to 15 bytes.
	// Empty means SenderID and ReceiverID.
	GroupSender, GroupReceiver string

	FunctionalID       string    // GS01: HS for a 270, HR for a 276
	Version            string    // GS08 and ST03, such as 005010X279A1
	InterchangeControl int64     // ISA13, 1 to MaxControl, written zero-padded to nine digits
	GroupControl       int64     // GS06, 1 to MaxControl
	Production         bool      // ISA15: P when set, T (test) otherwise
	AckRequested       bool      // ISA14: 1 asks the receiver for a TA1 acknowledgment
	At                 time.Time // ISA09 and ISA10, GS04 and GS05, in its own time zone
}

// group returns GS02 and GS03, filled in from the ISA IDs when empty.
func (e Envelope) group() (sender, receiver string) {
	sender, receiver = e.GroupSender, e.GroupReceiver
	if sender == "" {
		sender = e.SenderID
	}
	if receiver == "" {
		receiver = e.ReceiverID
	}
	return sender, receiver
}

// check reports the first field of e that cannot be written. Envelope
// values are not patient data, but messages give their lengths only, as
// every message from this package does.
func (e Envelope) check() error {
	gsSender, gsReceiver := e.group()
	texts := []struct {
		name     string
		v        string
		min, max int
	}{
		{"ISA05 sender qualifier", e.SenderQualifier, 2, 2},
		{"ISA06 sender ID", e.SenderID, 1, 15},
		{"ISA07 receiver qualifier", e.ReceiverQualifier, 2, 2},
		{"ISA08 receiver ID", e.ReceiverID, 1, 15},
		{"GS01 functional identifier", e.FunctionalID, 2, 2},
		{"GS02 sender code", gsSender, 2, 15},
		{"GS03 receiver code", gsReceiver, 2, 15},
		{"GS08 version", e.Version, 1, 12},
	}
	for _, f := range texts {
		if p := TextProblem(f.v, f.min, f.max); p != "" {
			return fmt.Errorf("x12write: envelope %s %s", f.name, p)
		}
		if strings.TrimSpace(f.v) != f.v {
			return fmt.Errorf("x12write: envelope %s has leading or trailing spaces", f.name)
		}
	}
	if e.InterchangeControl < 1 || e.InterchangeControl > MaxControl {
		return fmt.Errorf("x12write: envelope ISA13 interchange control number %d is not between 1 and %d", e.InterchangeControl, MaxControl)
	}
	if e.GroupControl < 1 || e.GroupControl > MaxControl {
		return fmt.Errorf("x12write: envelope GS06 group control number %d is not between 1 and %d", e.GroupControl, MaxControl)
	}
	if y := e.At.Year(); e.At.IsZero() || y < 1000 || y > 9999 {
		return fmt.Errorf("x12write: envelope time is not set to a date with a four-digit year")
	}
	return nil
}

// TextProblem says why v cannot be an element of min to max bytes, or
// returns "": it is empty, too short or too long, or it holds a byte that
// Segment refuses. Like Problem, it never quotes v.
func TextProblem(v string, min, max int) string {
	switch {
	case v == "" && min > 0:
		return "is empty"
	case len(v) < min:
		return fmt.Sprintf("is %d bytes, fewer than %d", len(v), min)
	case len(v) > max:
		return fmt.Sprintf("is %d bytes, more than %d", len(v), max)
	}
	if p := Problem(v); p != "" {
		return p
	}
	return ""
}

// isa formats the fixed-width ISA segment, terminator and line break
// included.
func (e Envelope) isa() string {
	ack, usage := "0", "T"
	if e.AckRequested {
		ack = "1"
	}
	if e.Production {
		usage = "P"
	}
	return fmt.Sprintf("ISA*00*%10s*00*%10s*%s*%-15s*%s*%-15s*%s*%s*%c*00501*%09d*%s*%s*%c%c\n",
		"", "", e.SenderQualifier, e.SenderID, e.ReceiverQualifier, e.ReceiverID,
		e.At.Format("060102"), e.At.Format("1504"), RepetitionSeparator,
		e.InterchangeControl, ack, usage, ComponentSeparator, SegmentTerminator)
}
