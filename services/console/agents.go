package console

import (
	"net/http"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/gin-gonic/gin"
)

// agent is one agent as the API lists them.
type agent struct {
	UserID      string        `json:"user_id"`
	DisplayName string        `json:"display_name"`
	Active      bool          `json:"active"`
	Kinds       []policy.Kind `json:"kinds"`
	Capacity    int           `json:"capacity"`
	Open        int           `json:"open"`
	Timezone    string        `json:"timezone"`
	Hours       string        `json:"hours"`
	Presence    string        `json:"presence"`
	PresenceAt  *time.Time    `json:"presence_at"`
	Teams       []string      `json:"teams"`
}

// teamView is a team with its members' names and who could join it.
type teamView struct {
	team
	Members    []agent
	Candidates []agent
	Form       *form // the add-member form, when it was refused
}

type agentsPage struct {
	Agents []agent
	Teams  []teamView
}

// agents lists the agents and the teams, with forms to change who is on
// which team.
func (con *Console) agents(c *gin.Context) { con.showAgents(c, "", nil) }

// showAgents renders the agents page; a refused add-member form is shown
// again on its team.
func (con *Console) showAgents(c *gin.Context, teamID string, f *form) {
	ra := con.call(c, http.MethodGet, "/api/v1/agents", nil, nil)
	if !ra.ok() {
		con.fail(c, ra)
		return
	}
	rt := con.call(c, http.MethodGet, "/api/v1/teams", nil, nil)
	if !rt.ok() {
		con.fail(c, rt)
		return
	}
	var as struct {
		Agents []agent `json:"agents"`
	}
	var ts struct {
		Teams []team `json:"teams"`
	}
	if ra.decode(&as) != nil {
		con.broken(c, ra)
		return
	}
	if rt.decode(&ts) != nil {
		con.broken(c, rt)
		return
	}
	p := agentsPage{Agents: as.Agents}
	for _, t := range ts.Teams {
		v := teamView{team: t}
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
		p.Teams = append(p.Teams, v)
	}
	con.render(c, http.StatusOK, "agents", con.page(c, "Agents and teams", "agents", p))
}

// addMember puts an agent on a team.
func (con *Console) addMember(c *gin.Context) {
	teamID := c.Param("teamID")
	f := newForm(postForm(c))
	userID := f.Get("user_id")
	if !validID.MatchString(teamID) {
		con.notFound(c)
		return
	}
	if !validID.MatchString(userID) {
		f.refuse("user_id", "Choose an agent.")
		con.showAgents(c, teamID, f)
		return
	}
	con.changeMember(c, http.MethodPut, teamID, userID, f, "Added to the team.")
}

// removeMember takes an agent off a team.
func (con *Console) removeMember(c *gin.Context) {
	teamID, userID := c.Param("teamID"), c.Param("userID")
	if !validID.MatchString(teamID) || !validID.MatchString(userID) {
		con.notFound(c)
		return
	}
	con.changeMember(c, http.MethodDelete, teamID, userID, newForm(nil), "Taken off the team.")
}

func (con *Console) changeMember(c *gin.Context, method, teamID, userID string, f *form, done string) {
	r := con.call(c, method, "/api/v1/teams/"+teamID+"/members/"+userID, nil, nil)
	if !r.ok() {
		if r.Status == http.StatusBadRequest || r.Status == http.StatusNotFound {
			f.refuse("user_id", r.Err.Message)
			con.showAgents(c, teamID, f)
			return
		}
		con.fail(c, r)
		return
	}
	con.setFlash(c, done, false)
	redirect(c, "/agents")
}
