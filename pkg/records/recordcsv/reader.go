// Package recordcsv reads practice-data exports (patients, balances,
// claims, recalls, treatment plans, appointments) from CSV into records
// values. It is the reading half of imports: offices send whatever their
// practice-management system produces, so it accepts Open Dental, Dentrix
// and Eaglesoft headers as well as Backdesk's canonical columns, the
// common US date, time and money forms, and the encodings Windows tools
// write. Every bad row is reported
// with its line, column and rule, never its value, because the values are
// protected health information. Files are streamed, so memory stays bounded
// whatever their size.
package recordcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
)

// Options says what a file holds and how its header is named.
type Options struct {
	Kind    records.Kind
	Preset  Preset  // default "canonical"
	Mapping Mapping // with Preset "custom": canonical column -> file header
	// MaxRowErrors bounds the errors kept (default 1000): a file where every
	// row is wrong needs fixing at the source, not a million-line report.
	// Rejected rows are still counted.
	MaxRowErrors int
	// Location is the practice's time zone, in which the wall-clock times
	// of appointments are read (default UTC).
	Location *time.Location
}

const defaultMaxRowErrors = 1000

// Row is one valid record and the line it starts on; exactly one pointer
// is set, by Options.Kind. Rows are the caller's to keep. The type is
// records.Row, so the records service can store what this reader reads.
type Row = records.Row

// Reader streams the rows of one file. It holds only the current record,
// fixed-size buffers, the capped error list and a hash per id (for
// duplicate detection, about 20 bytes a row), never the file: the 50 MB
// size limit keeps the whole under 64 MB of heap.
type Reader struct {
	kind     records.Kind
	spec     kindSpec
	preset   *preset
	maxErrs  int
	dec      *decoder
	csv      *csv.Reader
	width    int        // fields in the header
	bind     [][]source // per canonical column, the header fields that fill it
	seed     maphash.Seed
	seen     *idSet // id hash -> first line
	errs     []RowError
	read     int
	rejected int
	thisYear int
	today    records.Date
	loc      *time.Location
	err      error // sticky: io.EOF or the error that ended reading
}

// source is a header field bound to a canonical column. name is the
// preset's spelling of the header, shown in messages next to the canonical
// name; it is "" when the header is the canonical name itself.
type source struct {
	idx  int
	name string
}

// NewReader reads and checks the header. A *FileError means the file (or
// the options) cannot be imported at all; any other error comes from src.
func NewReader(src io.Reader, o Options) (*Reader, error) {
	if o.Preset == "" {
		o.Preset = PresetCanonical
	}
	if o.MaxRowErrors <= 0 {
		o.MaxRowErrors = defaultMaxRowErrors
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	sp, ok := specs[o.Kind]
	if !ok {
		return nil, fileErr("bad_kind", "unknown import kind; use patients, balances, claims, recalls, treatments or appointments")
	}
	pr, ok := presets[o.Preset]
	if !ok {
		return nil, fileErr("bad_preset", "unknown preset; use canonical, opendental, dentrix, eaglesoft or custom")
	}
	if len(o.Mapping) > 0 && o.Preset != PresetCustom {
		return nil, fileErr("bad_mapping", "a column mapping is only used with the custom preset")
	}
	for name := range o.Mapping {
		if !hasColumn(sp, name) {
			return nil, fileErr("bad_mapping", "the mapping names %q, which is not a %s column", name, o.Kind)
		}
	}
	dec, err := newDecoder(src)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(dec)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	now := time.Now()
	r := &Reader{
		kind: o.Kind, spec: sp, preset: pr, maxErrs: o.MaxRowErrors, dec: dec, csv: cr,
		seed: maphash.MakeSeed(), seen: newIDSet(),
		thisYear: now.Year(), today: records.Date{Year: now.Year(), Month: now.Month(), Day: now.Day()}, loc: o.Location,
	}
	header, err := r.readHeader()
	if err != nil {
		return nil, err
	}
	if err := r.bindHeader(header, o.Mapping); err != nil {
		return nil, err
	}
	return r, nil
}

// readHeader returns the first record that is not blank.
func (r *Reader) readHeader() ([]string, error) {
	for {
		rec, err := r.csv.Read()
		if err != nil {
			if r.dec.err != nil && r.dec.err != io.EOF {
				return nil, r.dec.err
			}
			var pe *csv.ParseError
			switch {
			case errors.Is(err, io.EOF):
				return nil, fileErr("empty", "the file has no header row")
			case errors.As(err, &pe):
				return nil, fileErr("not_csv", "the header row is not valid CSV; check its double quotes")
			}
			return nil, fmt.Errorf("recordcsv: reading header: %w", err)
		}
		if blank(rec) {
			continue
		}
		if len(rec) == 1 && strings.ContainsAny(rec[0], ";\t|") {
			return nil, fileErr("not_csv", "the file is separated by semicolons, tabs or bars; save it as comma-separated CSV")
		}
		return append([]string(nil), rec...), nil
	}
}

// Next returns the next valid row, or io.EOF at the end. Invalid rows are
// skipped and recorded (see Errors). A *FileError mid-file (a NUL byte, or
// an unclosed quote that swallows the rest of the file) ends reading: the
// caller must then discard the rows it has.
func (r *Reader) Next() (Row, error) {
	for r.err == nil {
		rec, err := r.csv.Read()
		if err != nil {
			r.readError(err)
			continue
		}
		if blank(rec) {
			continue // spreadsheets end files with ",,,," rows
		}
		line, _ := r.csv.FieldPos(0)
		r.read++
		if len(rec) != r.width {
			r.reject(line, RowError{Line: line, Rule: ruleColumns, Message: msgColumns(len(rec), r.width)})
			continue
		}
		if row, ok := r.spec.parse(r, rec, line); ok {
			return row, nil
		}
	}
	return Row{}, r.err
}

// readError sorts a CSV read error into end of file, a rejected row, or
// the end of reading.
func (r *Reader) readError(err error) {
	if r.dec.err != nil && r.dec.err != io.EOF {
		r.err = r.dec.err
		return
	}
	if errors.Is(err, io.EOF) {
		r.err = io.EOF
		return
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		r.err = fmt.Errorf("recordcsv: reading: %w", err)
		return
	}
	r.read++
	msg := msgQuote
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = msgBareQuote
	case pe.Line > pe.StartLine && r.dec.err == io.EOF && r.csv.InputOffset() == r.dec.produced:
		// The quoted field ran to the end of the file: nothing after its
		// opening line could be read, so the file as a whole is unusable.
		r.err = fileErr("unterminated_quote",
			"a quoted field opened on line %d is never closed, so lines %d to %d could not be read; check for a stray double quote",
			pe.StartLine, pe.StartLine, pe.Line)
		return
	case pe.Line > pe.StartLine:
		msg = msgQuoteSpan(pe.StartLine, pe.Line)
	}
	r.reject(pe.StartLine, RowError{Line: pe.StartLine, Rule: ruleQuote, Message: msg})
}

// reject counts a rejected row and keeps its errors while under the cap.
func (r *Reader) reject(line int, errs ...RowError) {
	r.rejected++
	for _, e := range errs {
		if len(r.errs) >= r.maxErrs {
			return
		}
		e.Line = line
		r.errs = append(r.errs, e)
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// Errors returns the row errors collected so far, in line order, at most
// Options.MaxRowErrors of them.
func (r *Reader) Errors() []RowError { return r.errs }

// Rejected returns how many rows were rejected so far, including those
// whose errors were not kept.
func (r *Reader) Rejected() int { return r.rejected }

// Read returns how many data rows were read so far, valid and rejected;
// blank lines are not rows.
func (r *Reader) Read() int { return r.read }

// BytesRead returns how many bytes of the file have been consumed, for
// progress reporting. It runs up to a few dozen kilobytes ahead of the last
// row returned, and equals the file size at the end.
func (r *Reader) BytesRead() int64 { return r.dec.consumed }
