package codes

// The acknowledgments a clearinghouse returns for the files an office
// sends answer at three levels: a TA1 for the interchange, and a 999
// (005010X231A1) for each functional group and each transaction set in it.
// The tables below explain their codes in words short enough to follow
// "rejected: " in a message.

// interchangeNotes are the TA1 interchange note codes (TA105): what was
// wrong with the ISA or IEA, or 000 when nothing was.
var interchangeNotes = []entry{
	{"000", "no error"},
	{"001", "the control numbers in ISA13 and IEA02 do not match"},
	{"002", "the control standard named in the ISA is not supported"},
	{"003", "this version of the interchange control segments is not supported"},
	{"004", "invalid segment terminator"},
	{"005", "invalid sender ID qualifier"},
	{"006", "invalid sender ID"},
	{"007", "invalid receiver ID qualifier"},
	{"008", "invalid receiver ID"},
	{"009", "the receiver ID is not known to the clearinghouse"},
	{"010", "invalid authorization information qualifier"},
	{"011", "invalid authorization information"},
	{"012", "invalid security information qualifier"},
	{"013", "invalid security information"},
	{"014", "invalid interchange date value"},
	{"015", "invalid interchange time value"},
	{"016", "invalid interchange standards identifier value"},
	{"017", "invalid interchange version value"},
	{"018", "invalid interchange control number value"},
	{"019", "invalid acknowledgment requested value"},
	{"020", "invalid test indicator value"},
	{"021", "invalid number of included groups value"},
	{"022", "invalid control structure"},
	{"023", "the file or transmission ended too soon"},
	{"024", "invalid interchange content, such as a bad GS segment"},
	{"025", "duplicate interchange control number"},
	{"026", "invalid element separator"},
	{"027", "invalid component separator"},
	{"028", "invalid delivery date in a deferred delivery request"},
	{"029", "invalid delivery time in a deferred delivery request"},
	{"030", "invalid delivery time code in a deferred delivery request"},
	{"031", "invalid grade of service code"},
}

// ackStatuses are the acknowledgment codes of a TA1 (TA104: A, E, R), a
// transaction set (IK501) and a functional group (AK901, the only one
// that may be P).
var ackStatuses = []entry{
	{"A", "accepted"},
	{"E", "accepted, but errors were noted"},
	{"M", "rejected: the message authentication code failed"},
	{"P", "partially accepted: at least one transaction set was rejected"},
	{"R", "rejected"},
	{"W", "rejected: failed the assurance validity tests"},
	{"X", "rejected: the content could not be analyzed after decryption"},
}

// segmentErrors are the 999 segment error codes (IK304). The I codes
// measure the segment against the implementation guide rather than the
// X12 standard.
var segmentErrors = []entry{
	{"1", "unrecognized segment ID"},
	{"2", "unexpected segment"},
	{"3", "required segment missing"},
	{"4", "loop occurs more times than allowed"},
	{"5", "segment occurs more times than allowed"},
	{"6", "segment is not in the defined transaction set"},
	{"7", "segment is out of sequence"},
	{"8", "segment has data element errors"},
	{"I4", `segment the implementation guide marks "not used" is present`},
	{"I6", "segment the implementation guide requires here is missing"},
	{"I7", "loop occurs fewer times than the implementation guide requires"},
	{"I8", "segment occurs fewer times than the implementation guide requires"},
	{"I9", "segment the implementation guide does not allow here is present"},
}

// elementErrors are the 999 data element error codes (IK403).
var elementErrors = []entry{
	{"1", "required data element missing"},
	{"2", "conditionally required data element missing"},
	{"3", "too many data elements"},
	{"4", "data element too short"},
	{"5", "data element too long"},
	{"6", "invalid character in data element"},
	{"7", "invalid code value"},
	{"8", "invalid date"},
	{"9", "invalid time"},
	{"10", "data element present with one it excludes"},
	{"12", "too many repetitions"},
	{"13", "too many components"},
	{"I6", "code value the implementation guide does not use"},
	{"I9", "data element the implementation guide requires here is missing"},
	{"I10", `data element the implementation guide marks "not used" is present`},
	{"I11", "too few repetitions for the implementation guide"},
	{"I12", "value does not match the pattern the implementation guide requires"},
	{"I13", "data element the implementation guide does not allow here is present"},
}

// setErrors are the 999 transaction set error codes (IK502 to IK506).
var setErrors = []entry{
	{"1", "transaction set not supported"},
	{"2", "transaction set trailer (SE) missing"},
	{"3", "the control numbers in ST02 and SE02 do not match"},
	{"4", "the segment count in SE01 does not match the segments sent"},
	{"5", "one or more segments in error"},
	{"6", "missing or invalid transaction set identifier (ST01)"},
	{"7", "missing or invalid transaction set control number (ST02)"},
	{"8", "authentication key name unknown"},
	{"9", "encryption key name unknown"},
	{"10", "requested authentication or encryption service not available"},
	{"11", "unknown security recipient"},
	{"12", "incorrect message length (encryption only)"},
	{"13", "message authentication code failed"},
	{"15", "unknown security originator"},
	{"16", "syntax error in decrypted text"},
	{"17", "security not supported"},
	{"18", "transaction set is not inside a functional group"},
	{"19", "invalid implementation convention reference (ST03)"},
	{"23", "transaction set control number used twice in the functional group"},
	{"24", "security start segment S3S without its end segment S3E"},
	{"25", "security end segment S3E without its start segment S3S"},
	{"26", "security start segment S4S without its end segment S4E"},
	{"27", "security end segment S4E without its start segment S4S"},
	{"I5", "one or more segments in error against the implementation guide"},
	{"I6", "implementation convention not supported"},
}

// groupErrors are the 999 functional group error codes (AK905 to AK909).
var groupErrors = []entry{
	{"1", "functional group not supported"},
	{"2", "functional group version not supported"},
	{"3", "functional group trailer (GE) missing"},
	{"4", "the control numbers in GS06 and GE02 do not agree"},
	{"5", "the transaction set count in GE01 does not match the sets sent"},
	{"6", "group control number violates the syntax"},
	{"10", "authentication key name unknown"},
	{"11", "encryption key name unknown"},
	{"12", "requested authentication or encryption service not available"},
	{"13", "unknown security recipient"},
	{"14", "unknown security originator"},
	{"15", "syntax error in decrypted text"},
	{"16", "security not supported"},
	{"17", "incorrect message length (encryption only)"},
	{"18", "message authentication code failed"},
	{"19", "functional group control number used twice in the interchange"},
	{"23", "security start segment S3S without its end segment S3E"},
	{"24", "security end segment S3E without its start segment S3S"},
	{"25", "security start segment S4S without its end segment S4E"},
	{"26", "security end segment S4E without its start segment S4S"},
}

var (
	interchangeNoteIndex = index(interchangeNotes)
	ackStatusIndex       = index(ackStatuses)
	segmentErrorIndex    = index(segmentErrors)
	elementErrorIndex    = index(elementErrors)
	setErrorIndex        = index(setErrors)
	groupErrorIndex      = index(groupErrors)
)

// InterchangeNote says what a TA1 interchange note code (TA105, "000" to
// "031") reports about the interchange's ISA and IEA.
func InterchangeNote(code string) (string, bool) { return lookup(interchangeNoteIndex, code) }

// AckStatus says what an acknowledgment code means: TA104 for an
// interchange, IK501 for a transaction set, AK901 for a functional group.
func AckStatus(code string) (string, bool) { return lookup(ackStatusIndex, code) }

// AckRejects reports whether an acknowledgment code (TA104, IK501 or
// AK901) rejects what it answers: R, or one of the security rejections M,
// W and X. A (accepted), E (accepted with errors noted) and P (a group
// partly accepted) do not.
func AckRejects(code string) bool {
	switch code {
	case "R", "M", "W", "X":
		return true
	}
	return false
}

// SegmentError says what a 999 segment error code (IK304) found wrong
// with a segment.
func SegmentError(code string) (string, bool) { return lookup(segmentErrorIndex, code) }

// ElementError says what a 999 data element error code (IK403) found
// wrong with an element.
func ElementError(code string) (string, bool) { return lookup(elementErrorIndex, code) }

// SetError says what a 999 transaction set error code (IK502 to IK506)
// found wrong with a transaction set as a whole.
func SetError(code string) (string, bool) { return lookup(setErrorIndex, code) }

// GroupError says what a 999 functional group error code (AK905 to AK909)
// found wrong with a functional group as a whole.
func GroupError(code string) (string, bool) { return lookup(groupErrorIndex, code) }
