// Package x12write writes one X12 interchange, the way a dental office's
// eligibility inquiries (270) and claim status requests (276) go out to a
// clearinghouse.
//
// A Writer streams: NewWriter writes the ISA and GS headers, Begin and End
// bracket each transaction set (ST to SE), Segment writes the segments in
// between, and Close writes the GE and IEA trailers. The Writer counts
// every envelope itself, so SE01, GE01 and IEA01 are always right and the
// trailers repeat their headers' control numbers.
//
// The delimiters are fixed: "*" between elements, ":" between the
// components of a composite element, "^" between repetitions, and "~" to
// end a segment. Each "~" is followed by a line break so a file reads one
// segment to a line; readers, pkg/x12's among them, skip it.
//
// A value is written as given or refused, never altered: one that holds a
// delimiter, a control character or a byte outside printable ASCII is an
// error naming the segment and element, and the value is left out of the
// message because it may be patient data. Composite and Repeat build the
// only elements that may carry component and repetition separators.
package x12write
