// Package statement renders a guarantor's monthly patient statement as a
// PDF, one at a time or many in a batch. It holds the statement's domain
// types and the rendering only: it reads no database and serves nothing.
//
// # What a statement shows
//
// A Statement carries everything printed: the practice (letterhead,
// remit-to address, phone and hours), the guarantor and their mailing
// address, the account number, the statement and due dates, the balance
// forward, the itemised lines (date, description, charges, insurance paid
// or adjusted, patient paid), the claims pending with insurance, the aging
// buckets and the pay-by-link URL. Totals computes the rest: the account
// balance, the insurance pending and the amount due now, which is the
// balance less the insurance pending and never below zero. The insurance
// pending is printed apart from the amount due, in its own section, and
// said not to be due now.
//
// Money is int64 cents, printed as $1,234.56 and -$1,234.56 (FormatCents);
// dates are records.Date (records.ParseDate reads a YYYY-MM-DD string),
// printed as "Mar 4, 2026" (FormatDate). Text is
// printed in Helvetica, whose character set is Windows-1252: a letter
// outside it prints without its accents, and text that still cannot be
// printed is a problem.
//
// # Problems
//
// Problems checks a statement and returns every problem at once, by field
// path (guarantor.address.postal_code, lines[3].charge_cents), in words:
// required fields, lengths that fit the windows and columns, amounts
// within MaxCents, dates that are dates, a due date not before the
// statement date, an https pay URL, and aging buckets that add up to the
// balance. Render and the batch writers refuse a statement with problems
// with an *InvalidError. A statement is patient data, so no error of this
// package quotes a name, an address, an amount or an account number.
//
// # The page
//
// A statement is US Letter, tri-folded into a #10 double-window envelope.
// In inches from the top-left corner of the page:
//
//   - the upper window, for the remit-to address: 0.875 from the left,
//     0.5 from the top, 3.5 wide, 1 high;
//   - the lower window, for the guarantor's mailing address: 0.875 from
//     the left, 2.0 from the top (2.0 to 3.0), 4 wide, 1 high;
//   - each address is kept 0.125 inside its window on every side, for the
//     sheet's play in the envelope, and shrinks from its type size down to
//     5.5 points if a line is too wide; nothing else is printed inside the
//     windows;
//   - the first fold, at 3.667 (a third of the page), is the tear line of
//     the remittance stub above it: the statement date, account number,
//     due date, amount due and an amount-enclosed box, right of the
//     windows from 5.0;
//   - below the fold: the letterhead with the practice's phone and hours,
//     the account summary, the pay-by-link QR code (1.25 square) with its
//     URL under it, the balance by age, the itemised activity and the
//     insurance pending, over as many pages as they take. Each page after
//     the first starts with a small header (practice, account number,
//     statement date, "Page N of M"), and every page ends with the
//     practice's phone and hours.
//
// # Batches and memory
//
// fpdf builds a whole document in memory before it writes it, so one fpdf
// document for a run of thousands would hold every page at once. The
// batch writers instead render each statement as its own document, write
// it out and let it go, so a batch holds one statement's document at a
// time (a megabyte or two while fpdf builds it) whatever its size:
//
//   - Batch writes ONE PDF. Each statement's objects are renumbered into
//     the batch's file as they come and its pages hang under their own
//     node of the page tree; only the cross-reference table and the page
//     tree's root wait for Close. It keeps 8 bytes per PDF object and one
//     number per statement for them: about 100 bytes a statement.
//   - BatchZip writes the print-and-mail vendor file: a zip of one PDF per
//     statement, byte for byte what Render writes, named
//     statement-00001.pdf, statement-00002.pdf and so on in the order
//     added, and a CSV manifest, manifest.csv, last. It keeps the zip's
//     central directory and the manifest (compressed) until Close: about
//     200 bytes a statement.
//
// So a run of 5,000 statements keeps about 1 MB for its bookkeeping on
// top of the one statement in flight; the heap it needs does not
// otherwise grow with the run. BenchmarkStatements measures it.
//
// # The manifest
//
// manifest.csv has a header row and one row per PDF in the zip, in the
// same order, with these columns:
//
//	file_name         the PDF's name in the zip, statement-00001.pdf
//	account_number    the guarantor's account number
//	guarantor_name    the name on the envelope
//	address_line1     the mailing address: street or PO box
//	address_line2     suite or apartment; may be empty
//	city
//	state             two-letter USPS code
//	postal_code       ZIP or ZIP+4
//	pages             the PDF's page count, for postage and inserting
//	amount_due_cents  the amount due now, in cents
//	amount_due        the same as printed, $1,234.56
package statement
