package recordcsv

import (
	"fmt"
	"strconv"

	"github.com/backdesk/backdesk/pkg/records"
)

// FileError is a problem with the file as a whole: nothing in it may be
// applied, and Message tells the office what to do about it. It is kept
// apart from RowError because the caller must discard every row read so far.
//
// Codes: "empty", "not_csv", "bad_encoding", "missing_columns",
// "duplicate_columns", "wrong_kind", "unterminated_quote", and for bad
// options "bad_kind", "bad_preset", "bad_mapping". Messages name columns and
// header names from the preset tables, never a cell of the file.
type FileError struct {
	Code    string
	Message string
}

// Error makes FileError an error.
func (e *FileError) Error() string { return "recordcsv: " + e.Code + ": " + e.Message }

func fileErr(code, format string, args ...any) *FileError {
	return &FileError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RowError describes one rejected row (records.RowError, which the
// records store also gives for a row it cannot apply). Message never
// contains the cell's value.
//
// Rules this reader gives: "required", "date", "time", "money",
// "negative", "phone", "email", "state", "postal_code", "bool", "enum",
// "procedure_code", "too_long", "duplicate_id", "aging_sum", "columns",
// "quote".
type RowError = records.RowError

// The rule codes of RowError.
const (
	ruleRequired    = "required"
	ruleDate        = "date"
	ruleTime        = "time"
	ruleMoney       = "money"
	ruleNegative    = "negative"
	rulePhone       = "phone"
	ruleEmail       = "email"
	ruleState       = "state"
	rulePostal      = "postal_code"
	ruleBool        = "bool"
	ruleEnum        = "enum"
	ruleProcedures  = "procedure_code"
	ruleTooLong     = "too_long"
	ruleDuplicateID = "duplicate_id"
	ruleAgingSum    = "aging_sum"
	ruleColumns     = "columns"
	ruleQuote       = "quote"
)

// The fixed texts of row messages. They live together so that a reviewer
// (and the fuzz test) can see at a glance that none of them interpolates a
// cell; the only numbers ever added are line numbers, field counts and
// length limits.
const (
	msgRequired  = "required; the cell is empty"
	msgDate      = "not a date; use MM/DD/YYYY or YYYY-MM-DD"
	msgDateYear  = "the year must be from 1900 to 2100"
	msgFuture    = "is in the future"
	msgMoney     = "not an amount; use a number like 1234.56, $1,234.56 or (12.00), with at most 2 decimals"
	msgNegative  = "must not be negative"
	msgPhone     = "not a US phone number; use 10 digits with a valid area code, like (512) 555-0142"
	msgEmail     = "not an email address; use the form name@example.com"
	msgState     = "not a US state or territory; use a two-letter code like TX"
	msgPostal    = "not a ZIP code; use 12345 or 12345-6789"
	msgBool      = "not yes or no; use Y/N, yes/no, true/false, 1/0, or X and blank"
	msgScheduled = "not yes or no; use Y/N, yes/no, true/false, 1/0, X and blank, or the appointment date"
	msgChannel   = "not a contact channel; use call, text, email or mail"
	msgStatus    = "not a claim status; use submitted, pending, paid, partially_paid, denied, rejected or closed"
	msgAgingSum  = "aged_0_30 + aged_31_60 + aged_61_90 + aged_over_90 must add up to total_balance (within one cent)"
	msgBareQuote = "a double quote inside an unquoted field; put the whole field in double quotes and write the inner quote twice"
	msgQuote     = "a misplaced double quote; a quoted field must end at its closing quote, and a quote inside it is written twice"
)

// The texts of an appointment's date, time, procedures and status.
const (
	msgDateTime     = "not a date and time; use MM/DD/YYYY HH:MM or YYYY-MM-DD HH:MM (or 9:00 AM), on the practice's clock"
	msgTime         = "not a time of day; use HH:MM on a 24-hour clock, or 9:00 AM"
	msgNoTime       = "no time of day; give it with the date, like 12/08/2026 09:00, or in a start_time column"
	msgTimeConflict = "start already gives a different time of day; give the time in one column only"
	msgSkippedTime  = "this time does not exist in the practice's time zone: the clocks skip it that day"
	msgProcedures   = "not CDT procedure codes; list codes like D0120 D1110, separated by spaces or commas"
	msgVisitStatus  = "not an appointment status; use scheduled, confirmed, cancelled, broken or completed"
)

func msgTooLong(limit int) string {
	return "longer than " + strconv.Itoa(limit) + " characters"
}

func msgDuplicate(first int) string {
	return "the same id is on line " + strconv.Itoa(first) + "; each id may appear only once in a file"
}

func msgColumns(got, want int) string {
	return "the row has " + strconv.Itoa(got) + " fields but the header has " + strconv.Itoa(want) +
		"; check for a comma that should be inside double quotes"
}

func msgQuoteSpan(from, to int) string {
	return "a quoted field opened on this line is not closed properly, so lines " +
		strconv.Itoa(from) + " to " + strconv.Itoa(to) + " could not be read; check for a stray double quote"
}
