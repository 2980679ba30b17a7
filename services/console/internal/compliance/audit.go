package compliance

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// auditSearch are the search form's fields, named as the API's filters.
// from and to are typed as a local date and time (the browser's zone
// comes in tz) and sent as RFC 3339.
var auditSearch = []string{"practice_id", "patient_id", "patient_last_name", "patient_first_name", "patient_birth_date",
	"person", "actor", "action", "outcome", "from", "to"}

// auditActions are the actions offered in the search; any can be typed.
var auditActions = []string{"read", "create", "update", "export", "login", "logout", "grant", "revoke", "break_glass"}

type auditPage struct {
	Form      *kit.Form
	Events    []eventRow // with the people who acted, named
	Next      string     // the next, older page
	Paged     bool       // this is not the first page
	First     string     // the first page of the same search
	CSV, FHIR string     // the exports of the same search
	Actions   []string
}

// auditFilters reads the search from the query: the API's filters, and
// the form as typed, with a message beside each field the console cannot
// send.
func auditFilters(c *gin.Context) (url.Values, *kit.Form) { return readFilters(c, auditSearch) }

// readFilters reads the fields named from the query, with the browser's
// zone: the API's filters (times as RFC 3339), and the form as typed,
// with a message beside each field the console cannot send.
func readFilters(c *gin.Context, fields []string) (url.Values, *kit.Form) {
	typed := url.Values{}
	for _, k := range append(slices.Clone(fields), "tz") {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			typed.Set(k, v)
		}
	}
	f := kit.NewForm(typed)
	filters := url.Values{}
	for _, k := range fields {
		v := typed.Get(k)
		switch {
		case v == "":
			continue
		case (k == "practice_id" || k == "patient_id") && !kit.ValidID(v):
			f.Refuse(k, "Paste the id as Backdesk shows it.")
		case k == "patient_birth_date" && !isDate(v):
			f.Refuse(k, "Enter the date of birth, such as 1980-03-04.")
		case k == "person" && len(v) < 2:
			f.Refuse(k, "Type at least two letters of a name or e-mail address.")
		case k == "outcome" && v != "allow" && v != "deny" && v != "error":
			f.Refuse(k, "Choose allow, deny or error.")
		case k == "from" || k == "to":
			t, err := localTime(v, typed.Get("tz"))
			if err != nil {
				f.Refuse(k, err.Error())
				continue
			}
			filters.Set(k, t.Format(time.RFC3339))
		default:
			filters.Set(k, v)
		}
	}
	return filters, f
}

// isDate reports whether v is a date as a date field sends it.
func isDate(v string) bool {
	_, err := time.Parse(time.DateOnly, v)
	return err == nil
}

var errWhen = errors.New("enter a date and time, such as 2026-11-20 14:30")

// localTime reads a date and time typed in the browser's zone tz (an IANA
// name; UTC without it), as a datetime-local field sends it, or a full
// RFC 3339 time.
func localTime(v, tz string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil || tz == "" {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errWhen
}

// auditFields maps the API's filter names to the form's: the same.
var auditFields = map[string]string{"practice_id": "practice_id", "patient_id": "patient_id", "person": "person", "actor": "actor",
	"patient_last_name": "patient_last_name", "patient_first_name": "patient_first_name", "patient_birth_date": "patient_birth_date",
	"action": "action", "outcome": "outcome", "from": "from", "to": "to"}

// showSearch renders the search page.
func (p pages) showSearch(c *gin.Context, page auditPage) {
	p.Show(c, views, "audit", "Audit trail", "audit", page)
}

// audit searches the trail with every filter the API has, a page at a
// time, newest first, and links the same search's exports.
func (p pages) audit(c *gin.Context) {
	if c.Query("view") == accessesView {
		p.patientReport(c)
		return
	}
	filters, f := auditFilters(c)
	page := auditPage{Form: f, Actions: auditActions}
	if f.Failed() {
		p.showSearch(c, page)
		return
	}
	if after := c.Query("after"); after != "" {
		if n, err := strconv.ParseInt(after, 10, 64); err == nil && n > 0 {
			filters.Set("after", after)
			page.Paged = true
		}
	}
	r := p.Call(c, http.MethodGet, "/api/v1/audit/events", filters, nil)
	if !r.OK() {
		if f.Apply(r, auditFields) {
			p.showSearch(c, page)
			return
		}
		p.Fail(c, r)
		return
	}
	var list api.EventList
	if r.Decode(&list) != nil {
		p.Broken(c, r)
		return
	}
	page.Events = rowsOf(list.Items, list.People)
	search := f.Values.Encode()
	page.First = "/audit?" + search
	if list.NextAfter != nil {
		q := url.Values{}
		for k, v := range f.Values {
			q[k] = v
		}
		q.Set("after", strconv.FormatInt(*list.NextAfter, 10))
		page.Next = "/audit?" + q.Encode()
	}
	page.CSV, page.FHIR = exportLink("csv", search), exportLink("fhir", search)
	p.showSearch(c, page)
}

func exportLink(format, search string) string {
	if search == "" {
		return "/audit/export?format=" + format
	}
	return "/audit/export?format=" + format + "&" + search
}

// auditExport downloads every event of the search, oldest first, as CSV
// or as FHIR AuditEvent resources, streamed from the API as it reads them.
func (p pages) auditExport(c *gin.Context) {
	if c.Query("format") == accessesView {
		p.patientExport(c)
		return
	}
	filters, f := auditFilters(c)
	if f.Failed() {
		p.showSearch(c, auditPage{Form: f, Actions: auditActions})
		return
	}
	format := c.DefaultQuery("format", "csv")
	if format != "csv" && format != "fhir" {
		p.NotFound(c)
		return
	}
	filters.Set("format", format)
	p.Download(c, "/api/v1/audit/export", filters)
}

type eventPage struct {
	api.EventDetail
	Proof proofStatus
}

// Who is the event's actor as the API names them; Name and Email are
// empty when nobody signed in as that identity.
func (p eventPage) Who() api.Person {
	for _, who := range p.People {
		if who.Issuer == p.Event.Actor.Issuer && who.Subject == p.Event.Actor.Subject {
			return who
		}
	}
	return api.Person{Issuer: p.Event.Actor.Issuer, Subject: p.Event.Actor.Subject}
}

// auditEvent shows one event and whether it is provably in the log: the
// console checks the inclusion proof itself against the checkpoint's
// root, rather than take the API's word for it.
func (p pages) auditEvent(c *gin.Context) {
	id, ok := p.IDParam(c, "eventID")
	if !ok {
		return
	}
	var d api.EventDetail
	if !p.Get(c, "/api/v1/audit/events/"+id, nil, &d) {
		return
	}
	if d.Event.PracticeID != "" {
		kit.SetPractice(c, d.Event.PracticeID)
	}
	p.Show(c, views, "event", "Audit event", "audit", eventPage{EventDetail: d, Proof: checkInclusion(id, d)})
}
