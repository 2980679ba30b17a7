package workqueue

import (
	"net/http"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// change runs a change of the item by its owner and answers with the
// item's new owner; someone else's item is refused and audited.
func (a *API) change(c *gin.Context, fn func(by string) (routing.Result, error)) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	res, err := fn(p.UserID)
	if ae, ok := err.(*apperr.Error); ok && ae.Code == "not_your_item" {
		_, r, _ := authz.DecisionFrom(ctx)
		a.d.Guard.Deny(c, c.Request.Method, r, ae.Code, ae.Message)
		return
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"item_id": res.ItemID, "owner_id": res.OwnerID, "unassigned_reason": string(res.Reason)})
}

// handoff gives the item to another agent the practice's grants cover,
// or to whichever member of a team routing would pick.
func (a *API) handoff(c *gin.Context) {
	var in api.HandoffBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	switch {
	case in.To == "" && in.Team == "":
		web.Fail(c, apperr.Invalid("to", "required", "name the agent (to) or the team (team) to hand the item to"))
		return
	case in.To != "" && in.Team != "":
		web.Fail(c, apperr.Invalid("team", "not_allowed", "hand the item to an agent or to a team, not both"))
		return
	case in.Team != "":
		a.change(c, func(by string) (routing.Result, error) {
			return a.d.Routing.HandoffToTeam(c.Request.Context(), c.Param("itemID"), by, in.Team, in.Version, in.Note, auditmw.By(c))
		})
		return
	}
	a.change(c, func(by string) (routing.Result, error) {
		return a.d.Routing.Handoff(c.Request.Context(), c.Param("itemID"), by, in.To, in.Version, in.Note, auditmw.By(c))
	})
}

// release gives the item back to be routed to someone else.
func (a *API) release(c *gin.Context) {
	var in api.HandoffBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	a.change(c, func(by string) (routing.Result, error) {
		return a.d.Routing.Release(c.Request.Context(), c.Param("itemID"), by, in.Version, in.Note, auditmw.By(c))
	})
}

// maxIdempotencyKey bounds the Idempotency-Key header a note may carry.
const maxIdempotencyKey = 200

// addNote appends a free note to the item's history. A client that may
// send it again (a retry after a lost answer) names it with an
// Idempotency-Key header, and the note is kept once.
func (a *API) addNote(c *gin.Context) {
	var in api.NoteBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	key := strings.TrimSpace(c.GetHeader(web.IdempotencyKeyHeader))
	if len(key) > maxIdempotencyKey {
		web.Fail(c, apperr.Invalid(web.IdempotencyKeyHeader, "too_long", "must be at most %d characters", maxIdempotencyKey))
		return
	}
	a.change(c, func(by string) (routing.Result, error) {
		res, err := a.d.Routing.AddNote(c.Request.Context(), c.Param("itemID"), by, in.Note, key, auditmw.By(c))
		res.OwnerID = by
		return res, err
	})
}

// colleagues lists the agents the item may be handed to, by name: the
// active agents, other than the caller, who do its kind of work. Whether
// the practice's grants cover them is decided by the hand-off itself,
// which refuses on the field when they do not.
func (a *API) colleagues(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	_, res, _ := authz.DecisionFrom(ctx)
	as, err := a.d.Roster.Agents(ctx)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := api.Colleagues{Colleagues: []api.Colleague{}}
	for _, l := range as {
		if !l.Active || l.UserID == p.UserID || !slices.Contains(l.Kinds, res.Kind) {
			continue
		}
		out.Colleagues = append(out.Colleagues, api.Colleague{UserID: l.UserID, DisplayName: l.DisplayName,
			AtCapacity: l.Capacity > 0 && l.Open >= l.Capacity})
	}
	slices.SortFunc(out.Colleagues, func(x, y api.Colleague) int { return strings.Compare(x.DisplayName, y.DisplayName) })
	c.JSON(http.StatusOK, out)
}
