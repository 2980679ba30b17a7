package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// grant is a grant as the API shows it.
type grant struct {
	ID      string `json:"id"`
	Grantee struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"grantee"`
	Kinds       []policy.Kind `json:"kinds"`
	FieldGroups []string      `json:"field_groups"`
	Reason      string        `json:"reason"`
	GrantedBy   string        `json:"granted_by"`
	ValidFrom   time.Time     `json:"valid_from"`
	ValidUntil  time.Time     `json:"valid_until"`
	ReviewDueAt time.Time     `json:"review_due_at"`
	RevokedAt   *time.Time    `json:"revoked_at"`
	RevokeNote  string        `json:"revoke_note"`
	State       string        `json:"state"`
	Version     int           `json:"version"`
}

// Live reports a grant that can still be re-certified or revoked.
func (g grant) Live() bool { return g.State != "revoked" && g.State != "expired" }

type accessPage struct {
	ID        string
	Grants    []grant
	Requests  []accessRequest // pending, newest first
	Events    []auditEvent    // the practice's latest audit events
	EventsErr string          // why the events are missing
	TeamNames map[string]string
	Teams     []team // nil unless the person may list teams
	Kinds     []policy.Kind
	Groups    []access.FieldGroup
	CSRF      string
	// failed names the form shown again ("grant", "revoke:<id>", …) and
	// form is it, as typed, with its messages.
	failed string
	form   *form
}

// FormFor returns the form which for the grant or request id: as typed
// when it was just refused, else empty.
func (p accessPage) FormFor(which, id string) *form {
	key := which
	if id != "" {
		key += ":" + id
	}
	if key == p.failed && p.form != nil {
		return p.form
	}
	return newForm(nil)
}

// The forms' fields, by the API's names.
var (
	grantFields  = map[string]string{"grantee": "grantee", "grantee.id": "grantee", "grantee.type": "grantee_type", "kinds": "kinds", "field_groups": "field_groups", "days": "days", "reason": "reason"}
	reviseFields = map[string]string{"note": "note", "version": "note"}
)

// accessHome is the practice admin's access page: who may see the
// practice's patients (its grants), who asks to (pending requests), and
// who did (its latest audit events).
func (con *Console) accessHome(c *gin.Context) {
	id, ok := con.practiceParam(c)
	if !ok {
		return
	}
	con.showAccess(c, id, "", nil)
}

func (con *Console) showAccess(c *gin.Context, id, failed string, f *form) {
	base := "/api/v1/practices/" + id
	var gs struct {
		Grants []grant `json:"grants"`
	}
	if !con.get(c, base+"/grants", nil, &gs) {
		return
	}
	var rs struct {
		Requests []accessRequest `json:"requests"`
	}
	if !con.get(c, base+"/access-requests", url.Values{"state": {"pending"}}, &rs) {
		return
	}
	p, _ := authn.PrincipalFrom(c.Request.Context())
	page := accessPage{ID: id, Grants: gs.Grants, Requests: rs.Requests, Kinds: policy.Kinds, Groups: access.Groups,
		CSRF: p.CSRF, failed: failed, form: f, TeamNames: map[string]string{}}
	re := con.call(c, http.MethodGet, "/api/v1/audit/events", url.Values{"practice_id": {id}, "limit": {"20"}}, nil)
	var es eventList
	if re.ok() && re.decode(&es) == nil {
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
	if con.allowed(c, access.ManageAgents) {
		page.Teams = con.teams(c)
		for _, t := range page.Teams {
			page.TeamNames[t.ID] = t.Name
		}
	}
	con.render(c, http.StatusOK, "access", con.page(c, "Access to patients", "access", page))
}

// accessPost is the common shape of the access page's forms: call the
// API, then go back to the page with a message, or show the page again
// with the form as typed and the API's message beside its field.
func (con *Console) accessPost(c *gin.Context, failed, apiPath string, fields map[string]string,
	body func(f *form) map[string]any, done string) {
	id, ok := con.practiceParam(c)
	if !ok {
		return
	}
	f := newForm(postForm(c))
	b := body(f)
	if f.Failed() {
		con.showAccess(c, id, failed, f)
		return
	}
	r := con.call(c, http.MethodPost, apiPath, nil, b)
	if !r.ok() {
		switch {
		case r.Status == http.StatusConflict:
			f.Alert = "It changed since this page was loaded: " + r.Err.Message + " Check it again below."
			con.showAccess(c, id, failed, f)
			return
		case r.Status == http.StatusForbidden && (r.Err.Code == "self_review" || r.Err.Code == "self_approval"):
			// Another admin must do it; say so beside the form.
			f.Alert = r.Err.Message
			con.showAccess(c, id, failed, f)
			return
		}
		if f.apply(r, fields) {
			con.showAccess(c, id, failed, f)
			return
		}
		con.fail(c, r)
		return
	}
	con.setFlash(c, done, false)
	redirect(c, "/practices/"+id+"/access")
}

// createGrant gives a team or an agent access to the practice.
func (con *Console) createGrant(c *gin.Context) {
	con.accessPost(c, "grant", "/api/v1/practices/"+c.Param("practiceID")+"/grants", grantFields, func(f *form) map[string]any {
		kind := f.Get("grantee_type")
		if kind != "team" && kind != "agent" {
			f.refuse("grantee_type", "Choose a team or an agent.")
		}
		b := map[string]any{"grantee": map[string]string{"type": kind, "id": strings.TrimSpace(f.Get("grantee"))},
			"kinds": orNone(f.Values["kinds"]), "reason": strings.TrimSpace(f.Get("reason"))}
		if groups := f.Values["field_groups"]; len(groups) > 0 {
			b["field_groups"] = groups
		}
		if s := strings.TrimSpace(f.Get("days")); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				f.refuse("days", "Enter a whole number of days.")
			}
			b["days"] = n
		}
		return b
	}, "Granted: the grantee may now work the practice's patients for these kinds of work.")
}

// reviseGrant re-certifies or revokes a grant at the version shown.
func (con *Console) reviseGrant(c *gin.Context, action, done string) {
	grantID := c.Param("grantID")
	if !validID.MatchString(grantID) {
		con.notFound(c)
		return
	}
	con.accessPost(c, action+":"+grantID, "/api/v1/grants/"+grantID+"/"+action, reviseFields, func(f *form) map[string]any {
		b := map[string]any{"version": version(f)}
		if action == "revoke" {
			b["note"] = strings.TrimSpace(f.Get("note"))
		}
		return b
	}, done)
}

func (con *Console) revokeGrant(c *gin.Context) {
	con.reviseGrant(c, "revoke", "Revoked. Nobody works the practice's patients under it any more.")
}

func (con *Console) recertifyGrant(c *gin.Context) {
	con.reviseGrant(c, "recertify", "Re-certified for another 30 days.")
}

// decideRequest approves or denies an access request with a note.
func (con *Console) decideRequest(c *gin.Context, action, done string) {
	requestID := c.Param("requestID")
	if !validID.MatchString(requestID) {
		con.notFound(c)
		return
	}
	con.accessPost(c, action+":"+requestID, "/api/v1/access-requests/"+requestID+"/"+action, noteFields, func(f *form) map[string]any {
		return map[string]any{"note": strings.TrimSpace(f.Get("note"))}
	}, done)
}

func (con *Console) approveRequest(c *gin.Context) {
	con.decideRequest(c, "approve", "Approved: the team has its grant.")
}

func (con *Console) denyRequest(c *gin.Context) {
	con.decideRequest(c, "deny", "Denied. The requester sees your note.")
}
