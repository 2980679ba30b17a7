package workqueue

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

type agentBody struct {
	DisplayName string        `json:"display_name"`
	Active      *bool         `json:"active"`
	Kinds       []policy.Kind `json:"kinds"`
	Payers      []string      `json:"payers"`
	Languages   []string      `json:"languages"`
	Capacity    *int          `json:"capacity"`
	Timezone    string        `json:"timezone"`
	Hours       string        `json:"hours"`
}

func (b agentBody) agent(userID string) roster.Agent {
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

type agentResponse struct {
	UserID      string        `json:"user_id"`
	DisplayName string        `json:"display_name"`
	Active      bool          `json:"active"`
	Kinds       []policy.Kind `json:"kinds"`
	Payers      []string      `json:"payers"`
	Languages   []string      `json:"languages"`
	Capacity    int           `json:"capacity"`
	Open        int           `json:"open"`
	Timezone    string        `json:"timezone"`
	Hours       string        `json:"hours"`
	Presence    string        `json:"presence"`
	PresenceAt  *time.Time    `json:"presence_at"`
	Teams       []string      `json:"teams"`
}

func agentResponseFrom(l roster.Listed) agentResponse {
	return agentResponse{UserID: l.UserID, DisplayName: l.DisplayName, Active: l.Active, Kinds: orEmpty(l.Kinds),
		Payers: orEmpty(l.Payers), Languages: orEmpty(l.Languages), Capacity: l.Capacity, Open: l.Open,
		Timezone: l.Timezone, Hours: l.Hours, Presence: string(l.Presence), PresenceAt: l.PresenceAt, Teams: orEmpty(l.Teams)}
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) listAgents(c *gin.Context) {
	as, err := a.d.Roster.Agents(c.Request.Context())
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]agentResponse, 0, len(as))
	for _, l := range as {
		out = append(out, agentResponseFrom(l))
	}
	c.JSON(http.StatusOK, gin.H{"agents": out})
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
	var in struct {
		Issuer  string `json:"issuer"`
		Subject string `json:"subject"`
		Email   string `json:"email"`
		agentBody
	}
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
	if _, err := in.agent("").Normalize(); err != nil {
		web.Fail(c, err)
		return
	}
	uid, err := a.d.Roster.EnsureUser(ctx, in.Issuer, in.Subject, in.DisplayName, in.Email, a.d.Now())
	if err != nil {
		web.Fail(c, err)
		return
	}
	if err := a.d.Roster.As(auditmw.By(c)).PutAgent(ctx, in.agent(uid), a.d.Now()); err != nil {
		web.Fail(c, err)
		return
	}
	a.respondAgent(c, http.StatusCreated, uid)
}

func (a *API) putAgent(c *gin.Context) {
	var in agentBody
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
	if err := a.d.Roster.As(auditmw.By(c)).PutAgent(ctx, in.agent(uid), a.d.Now()); err != nil {
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
	var in struct {
		Presence routing.Presence `json:"presence"`
	}
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	if err := a.d.Roster.As(auditmw.By(c)).SetPresence(ctx, p.UserID, in.Presence, a.d.Now()); err != nil {
		if apperr.KindOf(err) == apperr.KindNotFound {
			err = &apperr.Error{Kind: apperr.KindNotFound, Code: "not_an_agent", Message: "you are not set up as an agent yet; ask a billing manager"}
		}
		web.Fail(c, err)
		return
	}
	a.respondAgent(c, http.StatusOK, p.UserID)
}

type teamResponse struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	Members   []string  `json:"members"`
}

func (a *API) listTeams(c *gin.Context) {
	ts, err := a.d.Roster.Teams(c.Request.Context())
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := make([]teamResponse, 0, len(ts))
	for _, t := range ts {
		out = append(out, teamResponse{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Members: orEmpty(t.Members)})
	}
	c.JSON(http.StatusOK, gin.H{"teams": out})
}

func (a *API) createTeam(c *gin.Context) {
	var in struct {
		Name string `json:"name"`
	}
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	t, err := a.d.Roster.As(auditmw.By(c)).CreateTeam(c.Request.Context(), in.Name, a.d.Now())
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, teamResponse{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, Members: []string{}})
}

func (a *API) addMember(c *gin.Context) {
	a.changeMember(c, func() error {
		return a.d.Roster.As(auditmw.By(c)).AddMember(c.Request.Context(), c.Param("teamID"), c.Param("userID"), a.d.Now())
	})
}

func (a *API) removeMember(c *gin.Context) {
	a.changeMember(c, func() error {
		return a.d.Roster.As(auditmw.By(c)).RemoveMember(c.Request.Context(), c.Param("teamID"), c.Param("userID"), a.d.Now())
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

type waitingResponse struct {
	ItemID      string     `json:"item_id"`
	PracticeID  string     `json:"practice_id"`
	Kind        string     `json:"kind"`
	Reason      string     `json:"reason"`
	Attempts    int        `json:"attempts"`
	DueAt       time.Time  `json:"due_at"`
	RetryAt     *time.Time `json:"retry_at"`
	EscalatedAt *time.Time `json:"escalated_at"`
	CreatedAt   time.Time  `json:"created_at"`
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
	out := make([]waitingResponse, 0, len(ws))
	for _, w := range ws {
		out = append(out, waitingResponse{ItemID: w.ItemID, PracticeID: w.PracticeID, Kind: w.Kind, Reason: w.Reason,
			Attempts: w.Attempts, DueAt: w.DueAt, RetryAt: w.RetryAt, EscalatedAt: w.EscalatedAt, CreatedAt: w.CreatedAt})
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
}
