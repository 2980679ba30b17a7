package manager

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// zones are the time zones an agent's hours are offered in, US first;
// an agent's own zone is added when it is another.
var zones = []string{"America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
	"America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "UTC", "Asia/Manila", "Asia/Kolkata", "Europe/London"}

// agentFields maps the API's fields of an agent to the form's.
var agentFields = map[string]string{"display_name": "display_name", "capacity": "capacity", "timezone": "timezone",
	"hours": "hours", "kinds": "kinds", "active": "active"}

type agentPage struct {
	Agent api.Agent
	Form  *kit.Form
	Zones []string
	Kinds []policy.Kind
}

// agent shows an agent's settings as a form: name, whether it takes
// work, the kinds it works, its capacity and its hours in its own zone.
func (p pages) agent(c *gin.Context) { p.showAgent(c, nil) }

func (p pages) showAgent(c *gin.Context, f *kit.Form) {
	userID := c.Param("userID")
	if !kit.ValidID(userID) {
		p.NotFound(c)
		return
	}
	kit.ReturnTo(c, "/agents/"+userID)
	var a api.Agent
	if !p.Get(c, "/api/v1/agents/"+userID, nil, &a) {
		return
	}
	if f == nil {
		f = kit.NewForm(map[string][]string{
			"display_name": {a.DisplayName}, "capacity": {strconv.Itoa(a.Capacity)}, "timezone": {a.Timezone},
			"hours": {a.Hours}, "kinds": kindStrings(a.Kinds), "active": {yesNo(a.Active)},
		})
	}
	zs := zones
	if a.Timezone != "" && !slices.Contains(zs, a.Timezone) {
		zs = append([]string{a.Timezone}, zs...)
	}
	p.Show(c, views, "agent", a.DisplayName, "agents", agentPage{Agent: a, Form: f, Zones: zs, Kinds: policy.Kinds})
}

// saveAgent changes an agent's settings; what the API refuses is shown
// beside its field, with what was typed kept.
func (p pages) saveAgent(c *gin.Context) {
	userID := c.Param("userID")
	if !kit.ValidID(userID) {
		p.NotFound(c)
		return
	}
	kit.ReturnTo(c, "/agents/"+userID)
	f := kit.NewForm(kit.PostForm(c))
	body := api.AgentBody{DisplayName: strings.TrimSpace(f.Get("display_name")), Timezone: f.Get("timezone"),
		Hours: strings.TrimSpace(f.Get("hours")), Kinds: kit.Codes[policy.Kind](f.Values["kinds"])}
	if body.Kinds == nil {
		body.Kinds = []policy.Kind{}
	}
	if body.DisplayName == "" {
		f.Refuse("display_name", "Give the agent's name as colleagues know it.")
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(f.Get("capacity")))
	if err != nil || capacity < 1 {
		f.Refuse("capacity", "Write how many open items the agent can hold at once, as a whole number of 1 or more.")
	}
	body.Capacity = &capacity
	active := f.Get("active") == "yes"
	body.Active = &active
	if f.Failed() {
		p.showAgent(c, f)
		return
	}
	r := p.Call(c, http.MethodPut, "/api/v1/agents/"+userID, nil, body)
	if !r.OK() {
		if f.Apply(r, agentFields) {
			p.showAgent(c, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, "Saved "+body.DisplayName+"'s settings.", false)
	kit.Redirect(c, "/agents")
}

// createTeam makes a team by name.
func (p pages) createTeam(c *gin.Context) {
	kit.ReturnTo(c, "/agents")
	f := kit.NewForm(kit.PostForm(c))
	name := strings.TrimSpace(f.Get("name"))
	if name == "" {
		f.Refuse("name", "Give the team a name.")
		p.showAgentsWith(c, "", nil, f)
		return
	}
	r := p.Call(c, http.MethodPost, "/api/v1/teams", nil, api.TeamBody{Name: name})
	if !r.OK() {
		if f.Apply(r, map[string]string{"name": "name"}) {
			p.showAgentsWith(c, "", nil, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, "Team "+name+" made.", false)
	kit.Redirect(c, "/agents")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func kindStrings(ks []policy.Kind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
