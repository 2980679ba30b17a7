package audit

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	bdaccess "github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/gin-gonic/gin"
)

// patientCSVHeader names the columns of a patient's access report: one
// event a row, who first, then what and why.
var patientCSVHeader = []string{
	"time_utc", "actor_name", "actor_email", "actor_role", "actor_issuer", "actor_subject",
	"action", "field_groups", "fields", "purpose", "work_item_id", "grant_id", "break_glass",
	"outcome", "reason", "practice_id", "event_id",
}

// patientReportCSV streams every event naming one patient, oldest first,
// as the CSV of a patient's access report, with the name and e-mail
// address of each person who acted. It is recorded as an export of the
// trail, naming the patient, before the first row is written.
func (a *API) patientReportCSV(c *gin.Context) {
	ctx := c.Request.Context()
	ev := newEvent(c, audit.ActionExport, patientCSVHeader)
	f, err := parseFilter(c, false)
	f.patientID, f.oldestFirst = c.Param("id"), true
	ev.PracticeID = f.practiceID
	ev.PatientIDs = []string{f.patientID}
	if err == nil {
		err = a.resolvePerson(ctx, &f)
	}
	if err != nil {
		a.record(c, ev, err)
		return
	}
	rows, err := a.search(ctx, f)
	if err != nil {
		a.record(c, ev, err)
		return
	}
	if !a.record(c, ev, nil) {
		_ = rows.Close()
		return
	}
	c.Header("Content-Type", csvType)
	c.Header("Content-Disposition", `attachment; filename="patient-access-report.csv"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write(patientCSVHeader)
	names := &nameCache{dir: a.directory, seen: map[auditstore.Who]auditstore.Person{}}
	n := 0
	err = scan(rows, func(r row) (bool, error) {
		e := r.Event
		p, err := names.person(ctx, auditstore.Who{Issuer: e.Actor.Issuer, Subject: e.Actor.Subject})
		if err != nil {
			return false, err
		}
		if err := w.Write(patientCSVRecord(e, p)); err != nil {
			return false, err
		}
		if n++; n%flushEvery == 0 {
			w.Flush()
			if err := w.Error(); err != nil {
				return false, err
			}
			c.Writer.Flush()
		}
		return true, nil
	})
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err != nil {
		slog.WarnContext(ctx, "patient access report cut short", "rows", n, "error", err.Error())
		panic(http.ErrAbortHandler) // the client must not take a partial report for a whole one
	}
	c.Writer.Flush()
}

// patientCSVRecord is one event of a patient's access report as a row.
func patientCSVRecord(e audit.Event, p auditstore.Person) []string {
	return []string{
		e.Time.UTC().Format(time.RFC3339), cell(p.Name), cell(p.Email), cell(e.Actor.Role), cell(e.Actor.Issuer), cell(e.Actor.Subject),
		cell(string(e.Action)), strings.Join(fieldGroups(e.Fields), " "), cell(strings.Join(e.Fields, " ")), cell(e.Purpose),
		cell(e.WorkItemID), cell(e.GrantID), strconv.FormatBool(e.BreakGlass),
		string(e.Outcome), cell(e.Reason), cell(e.PracticeID), cell(e.ID),
	}
}

// fieldGroups names the field groups (docs/access.md) that the returned
// fields belong to, in display order.
func fieldGroups(fields []string) []string {
	var out []string
	for _, g := range bdaccess.Groups {
		for _, name := range bdaccess.GroupFields[g] {
			if slices.Contains(fields, name) {
				out = append(out, string(g))
				break
			}
		}
	}
	return out
}
