package audit

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/gin-gonic/gin"
)

// Export formats and their media types.
const (
	formatCSV  = "csv"
	formatFHIR = "fhir"

	csvType  = "text/csv; charset=utf-8"
	fhirType = "application/fhir+ndjson"
)

// flushEvery is how many rows are written between flushes: often enough
// that a long export arrives as it is read, rarely enough to stay cheap.
const flushEvery = 100

// csvHeader names the CSV columns; each row is one event.
var csvHeader = []string{
	"seq", "id", "time", "actor_issuer", "actor_subject", "actor_role", "actor_session_ref", "actor_ip", "actor_user_agent",
	"action", "practice_id", "patient_ids", "fields", "work_item_id", "grant_id", "purpose",
	"outcome", "reason", "request_id", "trace_id", "break_glass",
	"target_type", "target_id", "user_id", "counts",
}

// export streams every event matching the filters, oldest first, as CSV
// or as FHIR R4 AuditEvent resources, one JSON object a line. The query is
// started before the export is recorded, so a database that cannot answer
// still gets an error response; once rows are flowing, a failure cuts the
// connection, which the client sees as an incomplete transfer.
func (a *API) export(c *gin.Context) {
	ev := newEvent(c, audit.ActionExport, eventFields)
	f, err := parseFilter(c, false)
	f.oldestFirst = true
	ev.PracticeID = f.practiceID
	if f.patientID != "" {
		ev.PatientIDs = []string{f.patientID}
	}
	format := c.DefaultQuery("format", formatCSV)
	if err == nil && format != formatCSV && format != formatFHIR {
		err = apperr.Invalid("format", "invalid_format", "must be csv or fhir")
	}
	if err == nil {
		err = a.resolvePerson(c.Request.Context(), &f)
	}
	if err == nil {
		err = a.resolvePatient(c, &f)
		ev.PatientIDs = append(ev.PatientIDs, f.patients...)
	}
	if err != nil {
		a.record(c, ev, err)
		return
	}
	rows, err := a.search(c.Request.Context(), f)
	if err != nil {
		a.record(c, ev, err)
		return
	}
	if !a.record(c, ev, nil) {
		_ = rows.Close()
		return
	}

	var write func(row) error
	var flush func() error
	if format == formatCSV {
		c.Header("Content-Type", csvType)
		c.Header("Content-Disposition", `attachment; filename="audit-events.csv"`)
		w := csv.NewWriter(c.Writer)
		write = func(r row) error { return w.Write(csvRecord(r)) }
		flush = func() error { w.Flush(); return w.Error() }
		_ = w.Write(csvHeader)
	} else {
		c.Header("Content-Type", fhirType)
		c.Header("Content-Disposition", `attachment; filename="audit-events.ndjson"`)
		bw := bufio.NewWriter(c.Writer)
		enc := json.NewEncoder(bw) // Encode ends each object with the newline NDJSON needs
		enc.SetEscapeHTML(false)
		write = func(r row) error { return enc.Encode(fhirAuditEvent(r.Event)) }
		flush = bw.Flush
	}
	c.Status(http.StatusOK)
	n := 0
	err = scan(rows, func(r row) (bool, error) {
		if err := write(r); err != nil {
			return false, err
		}
		if n++; n%flushEvery == 0 {
			if err := flush(); err != nil {
				return false, err
			}
			c.Writer.Flush()
		}
		return true, nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		slog.WarnContext(c.Request.Context(), "audit export cut short", "format", format, "rows", n, "error", err.Error())
		panic(http.ErrAbortHandler) // the client must not take a partial export for a whole one
	}
	c.Writer.Flush()
}

// csvRecord is one event as a CSV row. Lists are joined with spaces (ids
// and field names hold none).
func csvRecord(r row) []string {
	e := r.Event
	return []string{
		strconv.FormatInt(r.Seq, 10), e.ID, e.Time.UTC().Format(time.RFC3339Nano),
		cell(e.Actor.Issuer), cell(e.Actor.Subject), cell(e.Actor.Role), cell(e.Actor.SessionRef), cell(e.Actor.IP), cell(e.Actor.UserAgent),
		cell(string(e.Action)), cell(e.PracticeID), cell(strings.Join(e.PatientIDs, " ")), cell(strings.Join(e.Fields, " ")),
		cell(e.WorkItemID), cell(e.GrantID), cell(e.Purpose),
		string(e.Outcome), cell(e.Reason), cell(e.RequestID), cell(e.TraceID), strconv.FormatBool(e.BreakGlass),
		cell(e.TargetType), cell(e.TargetID), cell(e.UserID), countsCell(e.Counts),
	}
}

// countsCell writes a change's counts as name=n pairs, by name.
func countsCell(counts map[string]int) string {
	names := slices.Sorted(maps.Keys(counts))
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "=" + strconv.Itoa(counts[n])
	}
	return strings.Join(out, " ")
}

// cell keeps a spreadsheet from running a value as a formula: a value that
// begins with = + - @ (a user agent can be anything) gets a leading quote,
// as OWASP advises for CSV exports.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
