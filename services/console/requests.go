package console

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/report"
	"github.com/gin-gonic/gin"
)

// accessRequest is one access request as the API shows it.
type accessRequest struct {
	ID           string        `json:"id"`
	PracticeID   string        `json:"practice_id"`
	TeamID       string        `json:"team_id"`
	TeamName     string        `json:"team_name"`
	Kinds        []policy.Kind `json:"kinds"`
	FieldGroups  []string      `json:"field_groups"`
	Days         int           `json:"days"`
	Reason       string        `json:"reason"`
	RequestedBy  string        `json:"requested_by"`
	RequestedAt  time.Time     `json:"requested_at"`
	State        string        `json:"state"`
	DecidedBy    string        `json:"decided_by"`
	DecidedAt    *time.Time    `json:"decided_at"`
	DecisionNote string        `json:"decision_note"`
	GrantID      string        `json:"grant_id"`
}

type requestsPage struct {
	Requests  []accessRequest
	Teams     []team
	TeamNames map[string]string
	Practices []string
	Kinds     []policy.Kind
	Groups    []access.FieldGroup
	Form      *form
}

// requestFields maps the API's fields to the request form's.
var requestFields = map[string]string{"team_id": "team", "kinds": "kinds", "field_groups": "field_groups",
	"days": "days", "reason": "reason"}

// accessRequests lists the requests made from this browser and offers
// the form to ask a practice for a team's access. The API lists a
// practice's requests only to its admins, so the console remembers the
// ones made here and reads each back, as a billing manager may.
func (con *Console) accessRequests(c *gin.Context) {
	con.showRequests(c, newForm(nil))
}

func (con *Console) showRequests(c *gin.Context, f *form) {
	rt := con.call(c, http.MethodGet, "/api/v1/teams", nil, nil)
	if !rt.ok() {
		con.fail(c, rt)
		return
	}
	p := requestsPage{Kinds: policy.Kinds, Groups: access.Groups, Form: f, TeamNames: map[string]string{}}
	var ts struct {
		Teams []team `json:"teams"`
	}
	if rt.decode(&ts) != nil {
		con.broken(c, rt)
		return
	}
	p.Teams = ts.Teams
	for _, t := range ts.Teams {
		p.TeamNames[t.ID] = t.Name
	}
	// The practices with work on the board are the ones to offer; any
	// other can be typed.
	var b report.Board
	if r := con.call(c, http.MethodGet, "/api/v1/work/board", nil, nil); r.ok() && r.decode(&b) == nil {
		for _, d := range b.Depth {
			if !slices.Contains(p.Practices, d.PracticeID) {
				p.Practices = append(p.Practices, d.PracticeID)
			}
		}
	}
	for _, id := range remembered(c) {
		var ar accessRequest
		if r := con.call(c, http.MethodGet, "/api/v1/access-requests/"+id, nil, nil); r.ok() && r.decode(&ar) == nil {
			p.Requests = append(p.Requests, ar)
		}
	}
	con.render(c, http.StatusOK, "requests", con.page(c, "Access requests", "requests", p))
}

// requestAccess asks a practice to grant a team access.
func (con *Console) requestAccess(c *gin.Context) {
	f := newForm(postForm(c))
	practice := strings.TrimSpace(f.Get("practice"))
	if !validID.MatchString(practice) {
		f.refuse("practice", "Choose the practice, or paste its id.")
	}
	days := 0
	if s := strings.TrimSpace(f.Get("days")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.refuse("days", "Enter a whole number of days.")
		}
		days = n
	}
	if f.Failed() {
		con.showRequests(c, f)
		return
	}
	body := map[string]any{"team_id": f.Get("team"), "kinds": orNone(f.Values["kinds"]),
		"field_groups": orNone(f.Values["field_groups"]), "reason": strings.TrimSpace(f.Get("reason"))}
	if days > 0 {
		body["days"] = days
	}
	r := con.call(c, http.MethodPost, "/api/v1/practices/"+practice+"/access-requests", nil, body)
	if !r.ok() {
		if f.apply(r, requestFields) {
			con.showRequests(c, f)
			return
		}
		con.fail(c, r)
		return
	}
	var ar accessRequest
	if r.decode(&ar) != nil || !validID.MatchString(ar.ID) {
		con.broken(c, r)
		return
	}
	con.remember(c, ar.ID)
	con.setFlash(c, "Requested. An admin of the practice other than you will approve or deny it.", false)
	redirect(c, "/access-requests")
}

// accessRequest shows one request, for anyone the API lets read it.
func (con *Console) accessRequest(c *gin.Context) {
	id := c.Param("requestID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	var ar accessRequest
	if !con.get(c, "/api/v1/access-requests/"+id, nil, &ar) {
		return
	}
	con.render(c, http.StatusOK, "request", con.page(c, "Access request", "requests", ar))
}

func orNone(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
