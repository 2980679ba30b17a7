package recordcsv

import (
	"hash/maphash"
	"strings"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv/cell"
)

// Length limits, in characters. Longer cells are nearly always two cells
// run together by a broken quote, so they are rejected rather than cut.
const (
	maxID      = 64
	maxName    = 100
	maxSummary = 300
)

// value is a parsed cell; which member is set depends on the valueType.
type value struct {
	s      string
	d      records.Date
	cents  int64
	b      bool
	minute int      // a time of day, in minutes after midnight
	timed  bool     // minute was given
	list   []string // procedure codes
	blank  bool     // the cell stands for "not given" (Open Dental's 0001-01-01)
}

func (s *spec[T]) typeOf(i int) valueType { return s.fields[i].typ }

// parse turns one record into a row, or rejects it with every problem it
// has, so an office can fix a row in one pass.
func (s *spec[T]) parse(r *Reader, rec []string, line int) (Row, bool) {
	v := new(T)
	var errs []RowError
	var given uint64
	for i := range s.fields {
		f := &s.fields[i]
		raw, shown := r.cell(rec, i)
		val, rule, msg := value{blank: raw == ""}, "", ""
		if raw != "" {
			val, rule, msg = r.parseValue(f.typ, raw)
		}
		if rule == "" && val.blank && f.Required {
			rule, msg = ruleRequired, msgRequired
		}
		if rule == "" && i == 0 && !val.blank {
			rule, msg = r.checkDuplicate(val.s, line)
		}
		if rule != "" {
			errs = append(errs, rowError(f.Name, shown, rule, msg))
			continue
		}
		if val.blank {
			continue
		}
		given |= 1 << i
		switch p := f.ptr(v).(type) {
		case *string:
			*p = val.s
		case *records.Date:
			*p = val.d
		case *int64:
			*p = val.cents
		case *bool:
			*p = val.b
		case *records.Channel:
			*p = records.Channel(val.s)
		case *records.ClaimStatus:
			*p = records.ClaimStatus(val.s)
		case *records.AppointmentStatus:
			*p = records.AppointmentStatus(val.s)
		case *[]string:
			*p = val.list
		case *wallClock:
			*p = wallClock{date: val.d, minute: val.minute, timed: val.timed}
		}
	}
	if len(errs) == 0 && s.check != nil {
		if column, rule, msg := s.check(r, v, given); rule != "" {
			errs = append(errs, rowError(column, "", rule, msg))
		}
	}
	if len(errs) > 0 {
		r.reject(line, errs...)
		return Row{}, false
	}
	return s.wrap(v, line), true
}

func rowError(column, shown, rule, msg string) RowError {
	name := column
	if shown != "" {
		name += " (" + shown + ")"
	}
	return RowError{Column: column, Rule: rule, Message: name + ": " + msg}
}

// cell returns the trimmed cell for canonical column i and the header name
// it came from. Phone columns fall back to the next bound header when
// blank; every other column has at most one source.
func (r *Reader) cell(rec []string, i int) (string, string) {
	srcs := r.bind[i]
	for _, s := range srcs {
		if v := strings.TrimSpace(rec[s.idx]); v != "" {
			return v, s.name
		}
	}
	if len(srcs) > 0 {
		return "", srcs[0].name
	}
	return "", ""
}

// checkDuplicate remembers each record id as a 64-bit hash with the line
// it was first seen on: 12 bytes per slot whatever the id's length (ids are
// at most 64 characters), at most 32 MB for a million rows while the table
// grows.
// Two different ids collide with a chance below one in ten million for a
// million-row file, which would reject one row by mistake, visibly. An id
// counts as seen even when its row is rejected for another reason, so the
// report points at both lines.
func (r *Reader) checkDuplicate(id string, line int) (string, string) {
	if first, dup := r.seen.add(maphash.String(r.seed, id), uint32(line)); dup {
		return ruleDuplicateID, msgDuplicate(int(first))
	}
	return "", ""
}

// parseValue parses one non-blank cell. It returns a rule
// and message instead of an error so that the message is always one of
// the fixed texts in errors.go.
func (r *Reader) parseValue(t valueType, raw string) (value, string, string) {
	var v value
	var ok bool
	switch t {
	case vID, vName, vText, vSummary:
		v.s = cell.Text(raw)
		limit := maxName
		switch t {
		case vID:
			limit = maxID
		case vSummary:
			limit = maxSummary
		}
		if utf8.RuneCountInString(v.s) > limit {
			return v, ruleTooLong, msgTooLong(limit)
		}
		v.blank = v.s == ""
		return v, "", ""
	case vDate, vBirthDate:
		if v.d, ok = cell.Date(raw, r.thisYear); !ok {
			return v, ruleDate, msgDate
		}
		v.blank = v.d.IsZero()
		switch {
		case v.blank:
		case v.d.Year < 1900 || v.d.Year > 2100:
			return v, ruleDate, msgDateYear
		case t == vBirthDate && v.d.Time().After(r.today.Time()):
			return v, ruleDate, msgFuture
		}
		return v, "", ""
	case vMoney, vSignedMoney:
		if v.cents, ok = cell.Money(raw); !ok {
			return v, ruleMoney, msgMoney
		}
		if t == vMoney && v.cents < 0 {
			return v, ruleNegative, msgNegative
		}
		return v, "", ""
	case vPhone:
		if v.s, ok = cell.Phone(raw); !ok {
			return v, rulePhone, msgPhone
		}
	case vEmail:
		if v.s, ok = cell.Email(raw); !ok {
			return v, ruleEmail, msgEmail
		}
	case vState:
		if v.s, ok = cell.State(raw); !ok {
			return v, ruleState, msgState
		}
	case vPostal:
		if v.s, ok = cell.Postal(raw); !ok {
			return v, rulePostal, msgPostal
		}
	case vBool:
		if v.b, ok = cell.Bool(raw); !ok {
			return v, ruleBool, msgBool
		}
	case vScheduled:
		// Systems that only export the appointment date say "scheduled"
		// by having one.
		if v.b, ok = cell.Bool(raw); ok {
			return v, "", ""
		}
		d, ok := cell.Date(raw, r.thisYear)
		if !ok {
			return v, ruleBool, msgScheduled
		}
		v.b = !d.IsZero()
	case vChannel:
		c, ok := r.preset.channel(cell.Key(raw))
		if !ok {
			return v, ruleEnum, msgChannel
		}
		v.s, v.blank = string(c), c == ""
	case vStatus:
		s, ok := r.preset.status(cell.Key(raw))
		if !ok {
			return v, ruleEnum, msgStatus
		}
		v.s = string(s)
	case vDateTime:
		if v.d, v.minute, v.timed, ok = cell.DateTime(raw, r.thisYear); !ok {
			return v, ruleDate, msgDateTime
		}
		v.blank = v.d.IsZero()
		if !v.blank && (v.d.Year < 1900 || v.d.Year > 2100) {
			return v, ruleDate, msgDateYear
		}
	case vClock:
		if v.minute, ok = cell.Clock(raw); !ok {
			return v, ruleTime, msgTime
		}
		v.timed = true
	case vProcedures:
		if utf8.RuneCountInString(raw) > maxSummary {
			return v, ruleTooLong, msgTooLong(maxSummary)
		}
		if v.list, ok = cell.Procedures(raw); !ok {
			return v, ruleProcedures, msgProcedures
		}
	case vVisitStatus:
		s, ok := r.preset.visitStatus(cell.Key(raw))
		if !ok {
			return v, ruleEnum, msgVisitStatus
		}
		v.s = string(s)
	}
	return v, "", ""
}
