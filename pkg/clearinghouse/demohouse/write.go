package demohouse

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// The demo clearinghouse's TRN03 for the trace numbers it assigns: "9"
// and an identifier of its own.
const originator = "9DEMOHOUSE"

// Ranges of the interchange control numbers of the answers: each kind
// of answer numbers its interchanges in its own range, from the batch's
// ISA13, so that the same batch always gets the same numbers and no two
// answers share one.
const (
	ackRange    = 1
	answerRange = 2
	statusRange = 3
)

func answerControl(batchControl string, kind int64) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(batchControl), 10, 64)
	return kind*100_000_000 + n%100_000_000
}

// envelopeFor turns the batch's envelope round: the answer goes from
// the batch's receiver to its sender, in the same usage (test or
// production), without asking for a TA1 back.
func envelopeFor(b *batch, functional, version string, control int64, now time.Time) x12write.Envelope {
	ic, g := b.interchange, b.group
	return x12write.Envelope{
		SenderQualifier: ic.ReceiverQualifier, SenderID: ic.ReceiverID,
		ReceiverQualifier: ic.SenderQualifier, ReceiverID: ic.SenderID,
		GroupSender: g.ReceiverCode, GroupReceiver: g.SenderCode,
		FunctionalID: functional, Version: version, InterchangeControl: control, GroupControl: control,
		Production: ic.Usage == "P", At: now,
	}
}

// accept writes the 999 that accepts the batch's functional group and
// every transaction set in it (code, the sets' ST01).
func accept(b *batch, code string, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w, err := x12write.NewWriter(&buf, envelopeFor(b, "FA", "005010X231A1", answerControl(b.interchange.ControlNumber, ackRange), now))
	if err != nil {
		return nil, err
	}
	s := &segments{w: w}
	s.err = w.Begin("999", "0001")
	s.put("AK1", b.group.FunctionalID, b.group.ControlNumber, b.group.Version)
	for _, st := range b.sets {
		s.put("AK2", code, st.control, st.version)
		s.put("IK5", "A")
	}
	n := strconv.Itoa(len(b.sets))
	s.put("AK9", "A", n, n, n)
	if err := s.finish(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// segments writes segments until the first error, which it keeps, and
// numbers the HL levels of one transaction set.
type segments struct {
	w   *x12write.Writer
	err error
	hls int
}

func (s *segments) put(id string, elements ...string) {
	if s.err == nil {
		s.err = s.w.Segment(id, elements...)
	}
}

// hl writes an HL segment and returns its id for the levels under it.
func (s *segments) hl(parent, code, child string) string {
	s.hls++
	id := strconv.Itoa(s.hls)
	s.put("HL", id, parent, code, child)
	return id
}

// end closes the transaction set, and begin opens the next.
func (s *segments) end() {
	if s.err == nil {
		s.err = s.w.End()
	}
}

func (s *segments) begin(code string, n int) {
	s.hls = 0
	if s.err == nil {
		s.err = s.w.Begin(code, fmt.Sprintf("%04d", n))
	}
}

// finish ends the interchange.
func (s *segments) finish() error {
	s.end()
	if s.err == nil {
		s.err = s.w.Close()
	}
	return s.err
}

// name writes a person's NM1: a subscriber's (entity code IL) with the
// member id, or a dependent's (03 in a 271, QC in a 277).
func (s *segments) name(entity string, p person) {
	if entity == "IL" && p.memberID != "" {
		s.put("NM1", entity, "1", p.last, p.first, "", "", "", "MI", p.memberID)
		return
	}
	s.put("NM1", entity, "1", p.last, p.first)
}

// dmg echoes a person's birth date and gender when the question sent them.
func (s *segments) dmg(p person) {
	if p.birth != "" {
		s.put("DMG", "D8", p.birth, p.gender)
	}
}

// organization writes the NM1 of a payer, receiver or provider as the
// question named it.
func (s *segments) organization(entity string, p party) {
	s.put("NM1", entity, "2", p.name, "", "", "", "", p.qualifier, p.id)
}

// hash is a number drawn from a value (a member id, a claim id), the same
// every time: what the demo's answers are chosen by.
func hash(v string) uint64 {
	sum := sha256.Sum256([]byte(v))
	return binary.BigEndian.Uint64(sum[:8])
}

// ourTrace is the clearinghouse's own trace number for an answer.
func ourTrace(trace string) string {
	return "DH" + strconv.FormatUint(hash(trace)%1_000_000_000_000, 10)
}
