package manager

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

type requestsPage struct {
	Requests  []api.AccessRequest
	Teams     []api.Team
	TeamNames map[string]string
	Practices []practiceChoice
	Kinds     []policy.Kind
	Groups    []access.FieldGroup
	Form      *kit.Form
}

// practiceChoice is a practice offered by name.
type practiceChoice struct{ ID, Name string }

// requestFields maps the API's fields to the request form's.
var requestFields = map[string]string{"team_id": "team", "kinds": "kinds", "field_groups": "field_groups",
	"days": "days", "reason": "reason"}

// accessRequests lists the requests made from this browser and offers
// the form to ask a practice for a team's access. The API lists a
// practice's requests only to its admins, so the console remembers the
// ones made here and reads each back, as a billing manager may.
func (p pages) accessRequests(c *gin.Context) {
	p.showRequests(c, kit.NewForm(nil))
}

func (p pages) showRequests(c *gin.Context, f *kit.Form) {
	kit.ReturnTo(c, "/access-requests")
	rt := p.Call(c, http.MethodGet, "/api/v1/teams", nil, nil)
	if !rt.OK() {
		p.Fail(c, rt)
		return
	}
	page := requestsPage{Kinds: policy.Kinds, Groups: access.Groups, Form: f, TeamNames: map[string]string{}}
	var ts api.TeamList
	if rt.Decode(&ts) != nil {
		p.Broken(c, rt)
		return
	}
	page.Teams = ts.Teams
	for _, t := range ts.Teams {
		page.TeamNames[t.ID] = t.Name
	}
	// The practices with work on the board are the ones offered, by name;
	// any other can be chosen by its id.
	var b api.Board
	if r := p.Call(c, http.MethodGet, "/api/v1/work/board", nil, nil); r.OK() && r.Decode(&b) == nil {
		for _, d := range b.Depth {
			if !slices.ContainsFunc(page.Practices, func(pc practiceChoice) bool { return pc.ID == d.PracticeID }) {
				page.Practices = append(page.Practices, practiceChoice{ID: d.PracticeID, Name: d.PracticeName})
			}
		}
	}
	for _, id := range kit.Remembered(c) {
		var ar api.AccessRequest
		if r := p.Call(c, http.MethodGet, "/api/v1/access-requests/"+id, nil, nil); r.OK() && r.Decode(&ar) == nil {
			page.Requests = append(page.Requests, ar)
		}
	}
	p.Show(c, views, "requests", "Access requests", "requests", page)
}

// requestAccess asks a practice to grant a team access.
func (p pages) requestAccess(c *gin.Context) {
	kit.ReturnTo(c, "/access-requests")
	f := kit.NewForm(kit.PostForm(c))
	practice := strings.TrimSpace(f.Get("practice"))
	if practice == "" {
		practice = strings.TrimSpace(f.Get("practice_id"))
	}
	if !kit.ValidID(practice) {
		f.Refuse("practice", "Choose the practice, or give its id.")
	}
	days := 0
	if s := strings.TrimSpace(f.Get("days")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Refuse("days", "Enter a whole number of days.")
		}
		days = n
	}
	if f.Failed() {
		p.showRequests(c, f)
		return
	}
	body := api.AccessRequestBody{TeamID: f.Get("team"), Scope: api.Scope{Kinds: kit.Codes[policy.Kind](f.Values["kinds"]),
		FieldGroups: kit.Codes[access.FieldGroup](f.Values["field_groups"]), Reason: strings.TrimSpace(f.Get("reason"))}}
	if days > 0 {
		body.Days = days
	}
	r := p.Call(c, http.MethodPost, "/api/v1/practices/"+practice+"/access-requests", nil, body)
	if !r.OK() {
		if f.Apply(r, requestFields) {
			p.showRequests(c, f)
			return
		}
		p.Fail(c, r)
		return
	}
	var ar api.AccessRequest
	if r.Decode(&ar) != nil || !kit.ValidID(ar.ID) {
		p.Broken(c, r)
		return
	}
	p.Remember(c, ar.ID)
	p.SetFlash(c, "Requested. An admin of the practice other than you will approve or deny it.", false)
	kit.Redirect(c, "/access-requests")
}

// accessRequest shows one request, for anyone the API lets read it.
func (p pages) accessRequest(c *gin.Context) {
	id, ok := p.IDParam(c, "requestID")
	if !ok {
		return
	}
	var ar api.AccessRequest
	if !p.Get(c, "/api/v1/access-requests/"+id, nil, &ar) {
		return
	}
	p.Show(c, views, "request", "Access request", "requests", ar)
}
