package practice

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// grantView is a grant as the access page lists it.
type grantView struct{ api.Grant }

// Live reports a grant that can still be re-certified or revoked.
func (g grantView) Live() bool { return g.State != "revoked" && g.State != "expired" }

type accessPage struct {
	ID        string
	Grants    []grantView
	Requests  []api.AccessRequest // pending, newest first
	Events    []api.Event         // the practice's latest audit events
	EventsErr string              // why the events are missing
	TeamNames map[string]string
	Teams     []api.Team // nil unless the person may list teams
	Kinds     []policy.Kind
	Groups    []access.FieldGroup
	CSRF      string
	// failed names the form shown again ("grant", "revoke:<id>", …) and
	// form is it, as typed, with its messages.
	failed string
	form   *kit.Form
}

// namedTeam is a team the grant form offers by name.
type namedTeam struct{ ID, Name string }

// KnownTeams are the teams the page knows by name, by name: those listed
// (for those who may list teams), those already granted and those asking.
func (p accessPage) KnownTeams() []namedTeam {
	out := make([]namedTeam, 0, len(p.TeamNames))
	for id, name := range p.TeamNames {
		out = append(out, namedTeam{ID: id, Name: name})
	}
	slices.SortFunc(out, func(a, b namedTeam) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// FormFor returns the form which for the grant or request id: as typed
// when it was just refused, else empty.
func (p accessPage) FormFor(which, id string) *kit.Form {
	key := which
	if id != "" {
		key += ":" + id
	}
	if key == p.failed && p.form != nil {
		return p.form
	}
	return kit.NewForm(nil)
}

// The forms' fields, by the API's names.
var (
	grantFields  = map[string]string{"grantee": "grantee", "grantee.id": "grantee", "grantee_team": "grantee", "grantee.type": "grantee_type", "kinds": "kinds", "field_groups": "field_groups", "days": "days", "reason": "reason"}
	reviseFields = map[string]string{"note": "note", "version": "note"}
)

// accessHome is the practice admin's access page: who may see the
// practice's patients (its grants), who asks to (pending requests), and
// who did (its latest audit events).
func (p pages) accessHome(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	p.showAccess(c, id, "", nil)
}

func (p pages) showAccess(c *gin.Context, id, failed string, f *kit.Form) {
	base := "/api/v1/practices/" + id
	var gs api.GrantList
	if !p.Get(c, base+"/grants", nil, &gs) {
		return
	}
	var rs api.AccessRequestList
	if !p.Get(c, base+"/access-requests", url.Values{"state": {"pending"}}, &rs) {
		return
	}
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := accessPage{ID: id, Requests: rs.Requests, Kinds: policy.Kinds, Groups: access.Groups,
		CSRF: me.CSRF, failed: failed, form: f, TeamNames: map[string]string{}}
	for _, g := range gs.Grants {
		page.Grants = append(page.Grants, grantView{g})
	}
	re := p.Call(c, http.MethodGet, "/api/v1/audit/events", url.Values{"practice_id": {id}, "limit": {"20"}}, nil)
	var es api.EventList
	if re.OK() && re.Decode(&es) == nil {
		page.Events = es.Items
	} else {
		page.EventsErr = "The audit trail could not be read just now (" + re.Err.Message + ")."
	}
	// The API names the grantees and requesting teams; teams to grant to
	// are offered by name only to those who may list them.
	for _, g := range page.Grants {
		if g.Grantee.Name != "" {
			page.TeamNames[g.Grantee.ID] = g.Grantee.Name
		}
	}
	for _, r := range page.Requests {
		if r.TeamName != "" {
			page.TeamNames[r.TeamID] = r.TeamName
		}
	}
	if p.Allowed(c, access.ManageAgents) {
		page.Teams = p.Teams(c)
		for _, t := range page.Teams {
			page.TeamNames[t.ID] = t.Name
		}
	}
	p.Show(c, views, "access", "Access to patients", "access", page)
}

// accessPost is the common shape of the access page's forms: call the
// API, then go back to the page with a message, or show the page again
// with the form as typed and the API's message beside its field.
func (p pages) accessPost(c *gin.Context, failed, apiPath string, fields map[string]string,
	body func(f *kit.Form) any, done string) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	b := body(f)
	if f.Failed() {
		p.showAccess(c, id, failed, f)
		return
	}
	r := p.Call(c, http.MethodPost, apiPath, nil, b)
	if !r.OK() {
		switch {
		case r.Status == http.StatusConflict:
			f.Alert = "It changed since this page was loaded: " + r.Err.Message + " Check it again below."
			p.showAccess(c, id, failed, f)
			return
		case r.Status == http.StatusForbidden && (r.Err.Code == "self_review" || r.Err.Code == "self_approval"):
			// Another admin must do it; say so beside the form.
			f.Alert = r.Err.Message
			p.showAccess(c, id, failed, f)
			return
		}
		if f.Apply(r, fields) {
			p.showAccess(c, id, failed, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, done, false)
	kit.Redirect(c, "/practices/"+id+"/access")
}

// createGrant gives a team or an agent access to the practice.
func (p pages) createGrant(c *gin.Context) {
	p.accessPost(c, "grant", "/api/v1/practices/"+c.Param("practiceID")+"/grants", grantFields, func(f *kit.Form) any {
		kind := f.Get("grantee_type")
		if kind != "team" && kind != "agent" {
			f.Refuse("grantee_type", "Choose a team or an agent.")
		}
		grantee := strings.TrimSpace(f.Get("grantee"))
		if team := strings.TrimSpace(f.Get("grantee_team")); kind == "team" && team != "" {
			grantee = team // chosen by name
		}
		b := api.GrantBody{Grantee: api.Grantee{Type: kind, ID: grantee},
			Scope: api.Scope{Kinds: kit.Codes[policy.Kind](f.Values["kinds"]), Reason: strings.TrimSpace(f.Get("reason")),
				FieldGroups: kit.Codes[access.FieldGroup](f.Values["field_groups"])}}
		if s := strings.TrimSpace(f.Get("days")); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				f.Refuse("days", "Enter a whole number of days.")
			}
			b.Days = n
		}
		return b
	}, "Granted: the grantee may now work the practice's patients for these kinds of work.")
}

// reviseGrant re-certifies or revokes a grant at the version shown.
func (p pages) reviseGrant(c *gin.Context, action, done string) {
	grantID, ok := p.IDParam(c, "grantID")
	if !ok {
		return
	}
	p.accessPost(c, action+":"+grantID, "/api/v1/grants/"+grantID+"/"+action, reviseFields, func(f *kit.Form) any {
		b := api.VersionBody{Version: f.Int("version")}
		if action == "revoke" {
			b.Note = strings.TrimSpace(f.Get("note"))
		}
		return b
	}, done)
}

func (p pages) revokeGrant(c *gin.Context) {
	p.reviseGrant(c, "revoke", "Revoked. Nobody works the practice's patients under it any more.")
}

func (p pages) recertifyGrant(c *gin.Context) {
	p.reviseGrant(c, "recertify", "Re-certified for another 30 days.")
}

// decideRequest approves or denies an access request with a note.
func (p pages) decideRequest(c *gin.Context, action, done string) {
	requestID, ok := p.IDParam(c, "requestID")
	if !ok {
		return
	}
	p.accessPost(c, action+":"+requestID, "/api/v1/access-requests/"+requestID+"/"+action, kit.NoteFields, func(f *kit.Form) any {
		return api.NoteBody{Note: strings.TrimSpace(f.Get("note"))}
	}, done)
}

func (p pages) approveRequest(c *gin.Context) {
	p.decideRequest(c, "approve", "Approved: the team has its grant.")
}

func (p pages) denyRequest(c *gin.Context) {
	p.decideRequest(c, "deny", "Denied. The requester sees your note.")
}
