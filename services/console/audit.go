package console

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// auditActor is who acted, as an audit event names them.
type auditActor struct {
	Issuer     string `json:"issuer"`
	Subject    string `json:"subject"`
	Role       string `json:"role"`
	SessionRef string `json:"session_ref"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
}

// auditEvent is an event of the trail as the API shows it.
type auditEvent struct {
	Seq        int64      `json:"seq"`
	ID         string     `json:"id"`
	Time       time.Time  `json:"time"`
	Actor      auditActor `json:"actor"`
	Action     string     `json:"action"`
	PracticeID string     `json:"practice_id"`
	PatientIDs []string   `json:"patient_ids"`
	Fields     []string   `json:"fields"`
	WorkItemID string     `json:"work_item_id"`
	GrantID    string     `json:"grant_id"`
	Purpose    string     `json:"purpose"`
	Outcome    string     `json:"outcome"`
	Reason     string     `json:"reason"`
	RequestID  string     `json:"request_id"`
	TraceID    string     `json:"trace_id"`
	BreakGlass bool       `json:"break_glass"`
}

// eventList is a page of the trail, newest first.
type eventList struct {
	Items     []auditEvent `json:"items"`
	NextAfter *int64       `json:"next_after"`
}

// auditSearch are the search form's fields, named as the API's filters.
// from and to are typed as a local date and time (the browser's zone
// comes in tz) and sent as RFC 3339.
var auditSearch = []string{"practice_id", "patient_id", "actor", "action", "outcome", "from", "to"}

// auditActions are the actions offered in the search; any can be typed.
var auditActions = []string{"read", "create", "update", "export", "login", "logout", "grant", "revoke", "break_glass"}

type auditPage struct {
	Form      *form
	Events    []auditEvent
	Next      string // the next, older page
	Paged     bool   // this is not the first page
	First     string // the first page of the same search
	CSV, FHIR string // the exports of the same search
	Actions   []string
}

// auditFilters reads the search from the query: the API's filters, and
// the form as typed, with a message beside each field the console cannot
// send.
func auditFilters(c *gin.Context) (url.Values, *form) {
	typed := url.Values{}
	for _, k := range append(auditSearch, "tz") {
		if v := strings.TrimSpace(c.Query(k)); v != "" {
			typed.Set(k, v)
		}
	}
	f := newForm(typed)
	api := url.Values{}
	for _, k := range auditSearch {
		v := typed.Get(k)
		switch {
		case v == "":
			continue
		case (k == "practice_id" || k == "patient_id") && !validID.MatchString(v):
			f.refuse(k, "Paste the id as Backdesk shows it.")
		case k == "outcome" && v != "allow" && v != "deny" && v != "error":
			f.refuse(k, "Choose allow, deny or error.")
		case k == "from" || k == "to":
			t, err := localTime(v, typed.Get("tz"))
			if err != nil {
				f.refuse(k, err.Error())
				continue
			}
			api.Set(k, t.Format(time.RFC3339))
		default:
			api.Set(k, v)
		}
	}
	return api, f
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
var auditFields = map[string]string{"practice_id": "practice_id", "patient_id": "patient_id", "actor": "actor",
	"action": "action", "outcome": "outcome", "from": "from", "to": "to"}

// audit searches the trail with every filter the API has, a page at a
// time, newest first, and links the same search's exports.
func (con *Console) audit(c *gin.Context) {
	api, f := auditFilters(c)
	p := auditPage{Form: f, Actions: auditActions}
	if f.Failed() {
		con.render(c, http.StatusOK, "audit", con.page(c, "Audit trail", "audit", p))
		return
	}
	if after := c.Query("after"); after != "" {
		if n, err := strconv.ParseInt(after, 10, 64); err == nil && n > 0 {
			api.Set("after", after)
			p.Paged = true
		}
	}
	r := con.call(c, http.MethodGet, "/api/v1/audit/events", api, nil)
	if !r.ok() {
		if f.apply(r, auditFields) {
			con.render(c, http.StatusOK, "audit", con.page(c, "Audit trail", "audit", p))
			return
		}
		con.fail(c, r)
		return
	}
	var list eventList
	if r.decode(&list) != nil {
		con.broken(c, r)
		return
	}
	p.Events = list.Items
	search := f.Values.Encode()
	p.First = "/audit?" + search
	if list.NextAfter != nil {
		q := url.Values{}
		for k, v := range f.Values {
			q[k] = v
		}
		q.Set("after", strconv.FormatInt(*list.NextAfter, 10))
		p.Next = "/audit?" + q.Encode()
	}
	p.CSV, p.FHIR = exportLink("csv", search), exportLink("fhir", search)
	con.render(c, http.StatusOK, "audit", con.page(c, "Audit trail", "audit", p))
}

func exportLink(format, search string) string {
	if search == "" {
		return "/audit/export?format=" + format
	}
	return "/audit/export?format=" + format + "&" + search
}

// auditExport downloads every event of the search, oldest first, as CSV
// or as FHIR AuditEvent resources, streamed from the API as it reads them.
func (con *Console) auditExport(c *gin.Context) {
	api, f := auditFilters(c)
	if f.Failed() {
		con.render(c, http.StatusOK, "audit", con.page(c, "Audit trail", "audit", auditPage{Form: f, Actions: auditActions}))
		return
	}
	format := c.DefaultQuery("format", "csv")
	if format != "csv" && format != "fhir" {
		con.notFound(c)
		return
	}
	api.Set("format", format)
	con.download(c, "/api/v1/audit/export", api)
}

// eventDetail is one event with what proves it is in the signed log.
type eventDetail struct {
	Event          auditEvent  `json:"event"`
	Canonical      string      `json:"canonical"`
	LeafIndex      *uint64     `json:"leaf_index"`
	InclusionProof []string    `json:"inclusion_proof"`
	Checkpoint     *checkpoint `json:"checkpoint"`
}

// checkpoint is a signed checkpoint of the audit log.
type checkpoint struct {
	Size     uint64 `json:"size"`
	RootHash string `json:"root_hash"`
	Note     string `json:"note"`
}

type eventPage struct {
	eventDetail
	Proof proofStatus
}

// auditEventPage shows one event and whether it is provably in the log:
// the console checks the inclusion proof itself against the checkpoint's
// root, rather than take the API's word for it.
func (con *Console) auditEventPage(c *gin.Context) {
	id := c.Param("eventID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	var d eventDetail
	if !con.get(c, "/api/v1/audit/events/"+id, nil, &d) {
		return
	}
	if d.Event.PracticeID != "" {
		c.Set(practiceKey, d.Event.PracticeID)
	}
	con.render(c, http.StatusOK, "event", con.page(c, "Audit event", "audit", eventPage{eventDetail: d, Proof: checkInclusion(id, d)}))
}
