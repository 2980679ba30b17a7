// Package x12 reads ASC X12 interchanges, such as the 835 remittances and
// 277 claim status reports that dental payers and clearinghouses send.
//
// A Reader takes the delimiters from each ISA header, then hands back one
// segment at a time through a buffer of bounded size, so a file of any
// length is read without holding it in memory. While it reads, it checks
// the envelopes: ISA/IEA, GS/GE and ST/SE must pair up, their control
// numbers must agree and their counts must be right. NextTransaction and
// Transactions group the segments of one transaction set (ST through SE)
// with the GS and ISA headers around it, which is the unit the decoders in
// x835 and x277 work on.
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
