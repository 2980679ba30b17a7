package workqueue

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// agentFrom is the roster's agent an agent body describes.
func agentFrom(b api.AgentBody, userID string) roster.Agent {
	a := roster.Agent{UserID: userID, DisplayName: b.DisplayName, Active: true, Kinds: b.Kinds, Payers: b.Payers,
		Languages: b.Languages, Capacity: 40, Timezone: b.Timezone, Hours: b.Hours}
	if b.Active != nil {
		a.Active = *b.Active
	}
	if b.Capacity != nil {
		a.Capacity = *b.Capacity
	}
	return a
}

func agentResponseFrom(l roster.Listed) api.Agent {
	return api.Agent{UserID: l.UserID, DisplayName: l.DisplayName, Active: l.Active, Kinds: api.OrEmpty(l.Kinds),
		Payers: api.OrEmpty(l.Payers), Languages: api.OrEmpty(l.Languages), Capacity: l.Capacity, Open: l.Open,
		Timezone: l.Timezone, Hours: l.Hours, Presence: string(l.Presence), PresenceAt: l.PresenceAt, Teams: api.OrEmpty(l.Teams)}
}

func (a *API) listAgents(c *gin.Context) {
	as, err := a.d.Roster.Agents(c.Request.Context())
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]api.Agent, 0, len(as))
	for _, l := range as {
		out = append(out, agentResponseFrom(l))
	}
	c.JSON(http.StatusOK, api.AgentList{Agents: out})
}

func (a *API) getAgent(c *gin.Context) {
	l, err := a.d.Roster.Agent(c.Request.Context(), c.Param("userID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, agentResponseFrom(l))
}

// createAgent sets up an agent by its identity at the provider, before or
// after its first sign-in.
func (a *API) createAgent(c *gin.Context) {
	var in api.NewAgentBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	switch {
	case strings.TrimSpace(in.Issuer) == "":
		web.Fail(c, apperr.Invalid("issuer", "required", "the identity provider's issuer URL is required"))
		return
	case strings.TrimSpace(in.Subject) == "":
		web.Fail(c, apperr.Invalid("subject", "required", "the person's subject at the provider is required"))
		return
	}
	ctx := c.Request.Context()
	if _, err := agentFrom(in.AgentBody, "").Normalize(); err != nil {
		web.Fail(c, err)
		return
	}
	uid, err := a.d.Roster.EnsureUser(ctx, in.Issuer, in.Subject, in.DisplayName, in.Email, a.d.Now())
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := a.d.Roster.PutAgent(ctx, auditmw.By(c), agentFrom(in.AgentBody, uid), a.d.Now()); err != nil {
		web.Fail(c, err)
		return
	}
	a.respondAgent(c, http.StatusCreated, uid)
}

func (a *API) putAgent(c *gin.Context) {
	var in api.AgentBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	uid := c.Param("userID")
	if _, err := a.d.Roster.Agent(ctx, uid); err != nil {
		web.Fail(c, err)
		return
	}
	if err := a.d.Roster.PutAgent(ctx, auditmw.By(c), agentFrom(in, uid), a.d.Now()); err != nil {
		web.Fail(c, err)
		return
	}
	a.d.Facts.Invalidate(ctx, access.UserKey(uid))
	a.respondAgent(c, http.StatusOK, uid)
}

func (a *API) respondAgent(c *gin.Context, status int, uid string) {
	l, err := a.d.Roster.Agent(c.Request.Context(), uid)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(status, agentResponseFrom(l))
}

func (a *API) setPresence(c *gin.Context) {
	var in api.PresenceBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	if err := a.d.Roster.SetPresence(ctx, auditmw.By(c), p.UserID, in.Presence, a.d.Now()); err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			err = &apperr.Error{Kind: apperr.KindNotFound, Code: "not_an_agent", Message: "you are not set up as an agent yet; ask a billing manager"}
		}
		web.Fail(c, err)
		return
	}
	a.respondAgent(c, http.StatusOK, p.UserID)
}

func (a *API) listTeams(c *gin.Context) {
	ts, err := a.d.Roster.Teams(c.Request.Context())
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]api.Team, 0, len(ts))
	for _, t := range ts {
		out = append(out, api.Team{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Members: api.OrEmpty(t.Members)})
	}
	c.JSON(http.StatusOK, api.TeamList{Teams: out})
}

func (a *API) createTeam(c *gin.Context) {
	var in api.TeamBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	t, err := a.d.Roster.CreateTeam(c.Request.Context(), auditmw.By(c), in.Name, a.d.Now())
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, api.Team{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Members: []string{}})
}

func (a *API) addMember(c *gin.Context) {
	a.changeMember(c, func() error {
		return a.d.Roster.AddMember(c.Request.Context(), auditmw.By(c), c.Param("teamID"), c.Param("userID"), a.d.Now())
	})
}

func (a *API) removeMember(c *gin.Context) {
	a.changeMember(c, func() error {
		return a.d.Roster.RemoveMember(c.Request.Context(), auditmw.By(c), c.Param("teamID"), c.Param("userID"), a.d.Now())
	})
}

// changeMember applies a membership change and drops the person's cached
// grants on every replica: team membership is part of what covers an agent.
func (a *API) changeMember(c *gin.Context, change func() error) {
	ctx := c.Request.Context()
	ok, err := a.d.Roster.TeamExists(ctx, c.Param("teamID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	if !ok {
		web.Fail(c, apperr.NotFound("team"))
		return
	}
	if _, err := a.d.Roster.Agent(ctx, c.Param("userID")); err != nil {
		web.Fail(c, err)
		return
	}
	if err := change(); err != nil {
		web.Fail(c, err)
		return
	}
	a.d.Facts.Invalidate(ctx, access.UserKey(c.Param("userID")))
	c.Status(http.StatusNoContent)
}

// unassigned is the billing managers' view of work nobody owns, with why.
func (a *API) unassigned(c *gin.Context) {
	limit := 200
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			web.Fail(c, apperr.Invalid("limit", "out_of_range", "must be between 1 and 1000"))
			return
		}
		limit = n
	}
	ws, err := a.d.Routing.Unrouted(c.Request.Context(), c.Query("escalated") == "true", limit)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]api.Waiting, 0, len(ws))
	for _, w := range ws {
		out = append(out, api.Waiting{ItemID: w.ItemID, PracticeID: w.PracticeID, Kind: w.Kind, Reason: w.Reason,
			Attempts: w.Attempts, DueAt: w.DueAt, RetryAt: w.RetryAt, EscalatedAt: w.EscalatedAt, CreatedAt: w.CreatedAt})
	}
	c.JSON(http.StatusOK, api.WaitingList{Items: out})
}
