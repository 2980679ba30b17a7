// Package x999 reads the acknowledgments a clearinghouse returns for the
// files a dental office sends: the TA1 interchange acknowledgment, which
// answers a whole interchange, and the 999 implementation acknowledgment
// (005010X231A1), which answers one functional group and each transaction
// set in it. Read turns a file holding either or both into plain structs,
// and Acks.Rejected says in plain words what was refused.
//
// A TA1 stands in an interchange's envelope, before any functional group;
// an interchange may hold nothing else. Its segment is
//
//	TA1           TA101 the ISA13 acknowledged, TA102 and TA103 that
//	              interchange's date and time, TA104 A, E or R, TA105 note
//
// A 999 transaction set holds these segments, in this order:
//
//	AK1           the group answered: GS01 functional ID, GS06 control
//	              number, GS08 version
//	AK2           one per transaction set answered: ST01, ST02, ST03
//	IK3           a segment in error: its ID, its position in the set (ST
//	              is 1), its loop and an error code
//	CTX           context for the IK3 or IK4 before it: the segment whose
//	              content made it required or not allowed, or the business
//	              unit (such as a claim) it lies in
//	IK4           an element in error within the IK3's segment: position,
//	              component, repetition, dictionary number and error code;
//	              IK404, a copy of the bad value, is never kept
//	IK5           the set's status (IK501) and its error codes
//	AK9           the group's status (AK901), the sets it counted, received
//	              and accepted, and its error codes
//
// Other segments are passed over. Malformed input is a *x12.SyntaxError at
// the segment and element; a transaction set that is not a 999 is one too.
// A business unit's identifier in CTX may be patient data (a claim's ID
// can hold a patient's account number): it is kept in Context.Reference
// and never appears in messages.
package x999

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Acks is what one acknowledgment file holds, in the order it came.
type Acks struct {
	Interchanges []Interchange // one for each TA1
	Groups       []GroupAck    // one for each 999 transaction set
}

// Interchange is one TA1: the answer to one interchange the office sent.
type Interchange struct {
	Control   string    // TA101: the ISA13 of the interchange answered
	Date      time.Time // TA102 and TA103: that interchange's ISA09 date and ISA10 time, in UTC as no zone is sent
	Status    string    // TA104: A accepted, E accepted with errors noted, R rejected
	Note      string    // TA105: see codes.InterchangeNote
	NoteWords string    // the note in plain words, or "" for a code not in the table
	Pos       x12.Pos   // where the TA1 starts
}

// Rejected reports whether the interchange was refused.
func (i Interchange) Rejected() bool { return codes.AckRejects(i.Status) }

// GroupAck is one 999 transaction set: the answer to one functional group.
type GroupAck struct {
	FunctionalID string   // AK101: the group's GS01, such as HS for 270 eligibility requests or HC for 837 claims
	Control      string   // AK102: the group's GS06
	Version      string   // AK103: the group's GS08, such as 005010X279A1
	Status       string   // AK901: see codes.AckStatus
	Included     int      // AK902: the transaction sets the group's GE01 counted
	Received     int      // AK903
	Accepted     int      // AK904
	Sets         []SetAck // one for each AK2
	Errors       []string // AK905 to AK909: see codes.GroupError
	Pos          x12.Pos  // where the 999's ST starts
}

// Rejected reports whether the group as a whole was refused. A group
// partly accepted (P) is not; its rejected sets are.
func (g GroupAck) Rejected() bool { return codes.AckRejects(g.Status) }

// SetAck is the answer to one transaction set of the group (AK2 to IK5).
type SetAck struct {
	Code              string    // AK201: the set's ST01, such as 270
	Control           string    // AK202: the set's ST02
	ImplementationRef string    // AK203: the set's ST03
	Status            string    // IK501: see codes.AckStatus
	Reasons           []string  // IK502 to IK506: see codes.SetError
	Errors            []Problem // one for each IK3 and each IK4
	Pos               x12.Pos   // where the AK2 starts
}

// Rejected reports whether the transaction set was refused.
func (s SetAck) Rejected() bool { return codes.AckRejects(s.Status) }

// Problem is an error in one segment (IK3) or in one of its elements
// (IK4). An IK3 with IK4s after it gives a Problem for the segment, often
// with code 8 (segment has data element errors), then one for each
// element, which repeats the segment's ID, position and loop.
type Problem struct {
	Segment   string    // IK301: the segment's ID, such as NM1
	Position  int       // IK302: the segment's position in its transaction set, ST being 1
	Loop      string    // IK303: the loop it is in, such as 2100C
	Element   int       // IK401-1: the element's position; 0 when the segment as a whole is at fault
	Component int       // IK401-2: the component's position in a composite; 0 for a simple element
	Repeat    int       // IK401-3: which repetition of a repeating element; 0 when not given
	Reference string    // IK402: the element's number in the X12 dictionary, such as 67
	Code      string    // IK304 for a segment, IK403 for an element
	Words     string    // the code in plain words, or "" for a code not in the table
	Context   []Context // the CTX segments that follow the IK3 or IK4
}

// Context is a CTX segment: either a situational trigger, the segment and
// element whose content made the reported one required or not allowed, or
// the business unit, such as a claim, the error lies in.
type Context struct {
	// Name is CTX01-1: "SITUATIONAL TRIGGER", or for a business unit the
	// element that holds its identifier, such as CLM01.
	Name string
	// Reference is CTX01-2, a business unit's identifier, such as the
	// claim's ID the office sent. It may be patient data.
	Reference string
	Segment   string // CTX02: the trigger's segment ID
	Position  int    // CTX03: the trigger's position in the transaction set
	Loop      string // CTX04: the trigger's loop
	Element   int    // CTX05-1: the trigger's element position; 0 when not given
	Component int    // CTX05-2: the trigger's component position; 0 when not given
}

// SituationalTrigger is the name a CTX gives the segment whose content
// made the reported segment or element required or not allowed.
const SituationalTrigger = "SITUATIONAL TRIGGER"
