package x270

import (
	"time"

	"github.com/backdesk/backdesk/pkg/x12/x12write"
)

// Party is an organization named by name and identifier: in a 270 the
// payer (NM1*PR, identifier qualifier PI); in a 276 also the information
// receiver (NM1*41, qualifier 46, the submitter's ETIN).
type Party struct {
	Name string // NM103, 1 to 60 bytes
	ID   string // NM109, 2 to 80 bytes
}

// Provider is the dental office or dentist asking (NM1*1P, qualifier XX).
type Provider struct {
	Name string // NM103, the organization's name, 1 to 60 bytes
	NPI  string // NM109, ten digits with a valid check digit
}

// Person is a subscriber or a patient. All of it is patient data.
type Person struct {
	First     string    // NM104, up to 35 bytes; optional
	Last      string    // NM103, 1 to 60 bytes
	MemberID  string    // NM109 of a subscriber, 2 to 80 bytes; not sent for a dependent
	BirthDate time.Time // DMG02; the zero time when unknown
	Gender    string    // DMG03: "F", "M", "U" or ""; sent only with a birth date
}

// Request is one eligibility question: is this patient covered by this
// payer for these kinds of care on this date?
type Request struct {
	// TraceNumber is TRN02, 1 to 50 bytes, which the 271 echoes in its
	// TRN*2; it ties each answer to the work item that asked.
	TraceNumber string
	Payer       Party
	Provider    Provider
	Subscriber  Person
	// Patient is the dependent asked about, or nil when the patient is the
	// subscriber. A dependent needs a last name and a birth date.
	Patient     *Person
	GroupNumber string    // REF*6P, up to 50 bytes, when known
	ServiceDate time.Time // DTP*291; the zero time leaves it to the payer, which takes the day it answers
	// ServiceTypes are the EQ01 repetitions, 1 or 2 upper-case letters or
	// digits each, at most 99; codes.DentalServiceTypes gives them for the
	// planned procedures. None means 35, dental care.
	ServiceTypes []string
}

// Batch is the requests to send in one interchange.
type Batch struct {
	// Envelope is the interchange's ISA and GS. An empty FunctionalID or
	// Version is filled in with HS and 005010X279A1; others are refused.
	Envelope x12write.Envelope
	// TraceOriginator is TRN03, the ten-byte identifier of whoever assigns
	// the trace numbers: "1" and the office's nine-digit tax ID, "3" and a
	// DUNS number, or "9" and an identifier of its own.
	TraceOriginator string
	Requests        []Request
}

// Written is what Write wrote.
type Written struct {
	Sets        int      // transaction sets, one per payer
	Requests    int      // requests, each one subscriber or dependent level
	Bytes       int64    // bytes of the whole interchange
	SetControls []string // the ST02 of each set, in order: 0001, 0002, …
}
