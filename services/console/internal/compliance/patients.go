package compliance

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// eventRow is an event as the pages list it: with the person who acted,
// named, and the field groups of the patient fields it returned.
type eventRow struct {
	api.Event
	Who    api.Person
	Groups []string
}

// Named reports whether the actor is someone who signed in, with a name
// or an e-mail address to show instead of the subject.
func (r eventRow) Named() bool { return r.Who.Name != "" || r.Who.Email != "" }

// groupWords are the field groups (docs/access.md) in words.
var groupWords = map[access.FieldGroup]string{
	access.GroupIdentity: "identity (name, date of birth, chart number)", access.GroupContact: "contact details",
	access.GroupGuarantor: "guarantor", access.GroupBalance: "balance", access.GroupClaims: "claims",
	access.GroupInsurance: "insurance", access.GroupRecalls: "recalls", access.GroupTreatment: "treatment plans",
}

// groupsOf names the field groups the returned fields belong to, in
// display order.
func groupsOf(fields []string) []string {
	var out []string
	for _, g := range access.Groups {
		for _, f := range access.GroupFields[g] {
			if slices.Contains(fields, f) {
				out = append(out, groupWords[g])
				break
			}
		}
	}
	return out
}

// rowsOf pairs each event with its actor from people.
func rowsOf(events []api.Event, people []api.Person) []eventRow {
	out := make([]eventRow, len(events))
	for i, e := range events {
		out[i] = eventRow{Event: e, Who: api.Person{Issuer: e.Actor.Issuer, Subject: e.Actor.Subject}, Groups: groupsOf(e.Fields)}
		for _, p := range people {
			if p.Issuer == e.Actor.Issuer && p.Subject == e.Actor.Subject {
				out[i].Who = p
				break
			}
		}
	}
	return out
}

// accessesView is the value of the search page's view parameter (and of
// the export's format) that makes it one patient's access report: the
// report lives on the audit trail's own routes.
const accessesView = "accesses"

// patientSearch are the report form's fields: the period, typed in the
// browser's zone, and a practice to narrow to.
var patientSearch = []string{"from", "to", "practice_id"}

type patientPage struct {
	PatientID string
	Form      *kit.Form
	Rows      []eventRow
	Next      string // the next, older page
	Paged     bool
	First     string
	CSV       string
}

// patientFilters reads the report's period (and practice) from the query,
// checked as the search checks them, with a message beside each field the
// console cannot send.
func patientFilters(c *gin.Context) (url.Values, *kit.Form) { return readFilters(c, patientSearch) }

// patientParam is the patient of a report, or false after rendering the
// not-found page when it is no id: it never reaches an API path.
func (p pages) patientParam(c *gin.Context) (string, bool) {
	id := strings.TrimSpace(c.Query("patient_id"))
	if !kit.ValidID(id) {
		p.NotFound(c)
		return "", false
	}
	return id, true
}

// accessesLink is the report of patient id, or its download, with the
// period and practice of values (as typed).
func accessesLink(path, param, id string, values url.Values) string {
	q := url.Values{}
	for k, v := range values {
		q[k] = v
	}
	q.Set(param, accessesView)
	q.Set("patient_id", id)
	return path + "?" + q.Encode()
}

// patientReport lists every access to one patient's record over a
// period, newest first, with who (by name and e-mail), their role, when,
// what was read and under which grant or break-glass session: what a
// practice needs to answer a patient's request for an access report.
func (p pages) patientReport(c *gin.Context) {
	id, ok := p.patientParam(c)
	if !ok {
		return
	}
	filters, f := patientFilters(c)
	page := patientPage{PatientID: id, Form: f}
	show := func() { p.Show(c, views, "patient", "Access report", "audit", page) }
	if f.Failed() {
		show()
		return
	}
	if after := c.Query("after"); after != "" {
		if n, err := strconv.ParseInt(after, 10, 64); err == nil && n > 0 {
			filters.Set("after", after)
			page.Paged = true
		}
	}
	r := p.Call(c, http.MethodGet, "/api/v1/audit/reports/patients/"+id, filters, nil)
	if !r.OK() {
		if f.Apply(r, map[string]string{"from": "from", "to": "to", "practice_id": "practice_id"}) {
			show()
			return
		}
		p.Fail(c, r)
		return
	}
	var rep api.PatientReport
	if r.Decode(&rep) != nil {
		p.Broken(c, r)
		return
	}
	if v := filters.Get("practice_id"); v != "" {
		kit.SetPractice(c, v)
	}
	page.Rows = rowsOf(rep.Items, rep.People)
	page.First = accessesLink("/audit", "view", id, f.Values)
	page.CSV = accessesLink("/audit/export", "format", id, f.Values)
	if rep.NextAfter != nil {
		q := url.Values{}
		for k, v := range f.Values {
			q[k] = v
		}
		q.Set("after", strconv.FormatInt(*rep.NextAfter, 10))
		page.Next = accessesLink("/audit", "view", id, q)
	}
	show()
}

// patientExport downloads the whole report of the period, oldest first,
// as CSV, streamed from the API as it reads it.
func (p pages) patientExport(c *gin.Context) {
	id, ok := p.patientParam(c)
	if !ok {
		return
	}
	filters, f := patientFilters(c)
	if f.Failed() {
		p.Show(c, views, "patient", "Access report", "audit", patientPage{PatientID: id, Form: f})
		return
	}
	filters.Set("format", "csv")
	p.Download(c, "/api/v1/audit/reports/patients/"+id, filters)
}
