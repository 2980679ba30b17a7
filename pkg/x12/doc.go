// Package x12 reads ASC X12 interchanges, such as the 835 remittances, 277
// claim status reports and TA1 and 999 acknowledgments that dental payers
// and clearinghouses send.
//
// A Reader takes the delimiters from each ISA header, then hands back one
// segment at a time through a buffer of bounded size, so a file of any
// length is read without holding it in memory. While it reads, it checks
// the envelopes: ISA/IEA, GS/GE and ST/SE must pair up, their control
// numbers must agree and their counts must be right. NextTransaction and
// Transactions group the segments of one transaction set (ST through SE)
// with the GS and ISA headers around it, which is the unit the decoders in
// x835, x277 and x999 work on.
//
// The one segment an interchange holds outside its functional groups is
// TA1, the interchange acknowledgment a clearinghouse returns for a whole
// interchange it received. TA1 segments come right after the ISA, before
// the first GS; an interchange may hold nothing else, and then its IEA01
// counts no groups. Next returns a TA1 like any other segment, while
// NextTransaction and Transactions pass over it as they do the envelopes;
// InterchangeAcks lists every TA1 read so far, each with the ISA header of
// the interchange that carried it. A TA1 after a GS, or inside a group or
// a transaction set, is an error.
//
// Files from older systems often end untidily, and the Reader takes them as
// they are: the last segment of a file, its IEA, may come without a segment
// terminator when both its elements are whole, and white space, NUL bytes
// and Ctrl-Z after the IEA are ignored.
//
// Every problem in the input is reported as a *SyntaxError that says where
// it is: the segment's ordinal in the file, its identifier and the element.
// Messages quote envelope control numbers, counts and identifiers only;
// for other elements they give the length, because the value may be
// patient data.
package x12
