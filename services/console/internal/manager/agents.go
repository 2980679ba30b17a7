package manager

import (
	"net/http"
	"slices"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// teamView is a team with its members' names and who could join it.
type teamView struct {
	api.Team
	Members    []api.Agent
	Candidates []api.Agent
	Form       *kit.Form // the add-member form, when it was refused
}

type agentsPage struct {
	Agents  []api.Agent
	Teams   []teamView
	NewTeam *kit.Form // the new-team form
}

// agents lists the agents and the teams, with forms to change who is on
// which team.
func (p pages) agents(c *gin.Context) { p.showAgents(c, "", nil) }

// showAgents renders the agents page; a refused add-member form is shown
// again on its team.
func (p pages) showAgents(c *gin.Context, teamID string, f *kit.Form) {
	p.showAgentsWith(c, teamID, f, nil)
}

// showAgentsWith renders the agents page with a refused add-member form
// on its team, or a refused new-team form.
func (p pages) showAgentsWith(c *gin.Context, teamID string, f *kit.Form, newTeam *kit.Form) {
	kit.ReturnTo(c, "/agents")
	ra := p.Call(c, http.MethodGet, "/api/v1/agents", nil, nil)
	if !ra.OK() {
		p.Fail(c, ra)
		return
	}
	rt := p.Call(c, http.MethodGet, "/api/v1/teams", nil, nil)
	if !rt.OK() {
		p.Fail(c, rt)
		return
	}
	var as api.AgentList
	var ts api.TeamList
	if ra.Decode(&as) != nil {
		p.Broken(c, ra)
		return
	}
	if rt.Decode(&ts) != nil {
		p.Broken(c, rt)
		return
	}
	if newTeam == nil {
		newTeam = kit.NewForm(nil)
	}
	page := agentsPage{Agents: as.Agents, NewTeam: newTeam}
	for _, t := range ts.Teams {
		v := teamView{Team: t}
		for _, a := range as.Agents {
			if slices.Contains(t.Members, a.UserID) {
				v.Members = append(v.Members, a)
			} else {
				v.Candidates = append(v.Candidates, a)
			}
		}
		if t.ID == teamID {
			v.Form = f
		}
		page.Teams = append(page.Teams, v)
	}
	p.Show(c, views, "agents", "Agents and teams", "agents", page)
}

// addMember puts an agent on a team.
func (p pages) addMember(c *gin.Context) {
	kit.ReturnTo(c, "/agents")
	teamID := c.Param("teamID")
	f := kit.NewForm(kit.PostForm(c))
	userID := f.Get("user_id")
	if !kit.ValidID(teamID) {
		p.NotFound(c)
		return
	}
	if !kit.ValidID(userID) {
		f.Refuse("user_id", "Choose an agent.")
		p.showAgents(c, teamID, f)
		return
	}
	p.changeMember(c, http.MethodPut, teamID, userID, f, "Added to the team.")
}

// removeMember takes an agent off a team.
func (p pages) removeMember(c *gin.Context) {
	kit.ReturnTo(c, "/agents")
	teamID, userID := c.Param("teamID"), c.Param("userID")
	if !kit.ValidID(teamID) || !kit.ValidID(userID) {
		p.NotFound(c)
		return
	}
	p.changeMember(c, http.MethodDelete, teamID, userID, kit.NewForm(nil), "Taken off the team.")
}

func (p pages) changeMember(c *gin.Context, method, teamID, userID string, f *kit.Form, done string) {
	r := p.Call(c, method, "/api/v1/teams/"+teamID+"/members/"+userID, nil, nil)
	if !r.OK() {
		if r.Status == http.StatusBadRequest || r.Status == http.StatusNotFound {
			f.Refuse("user_id", r.Err.Message)
			p.showAgents(c, teamID, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, done, false)
	kit.Redirect(c, "/agents")
}
