package onboarding

import (
	"net/http"
	"strconv"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// listPractices shows platform admins every practice and everyone else the
// practices they administer.
func (a *API) listPractices(c *gin.Context) {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	var ids []string
	if !p.Has(identity.PlatformAdmin) {
		ids = []string{}
		for _, m := range p.Memberships {
			ids = append(ids, m.PracticeID)
		}
	}
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			web.Fail(c, apperr.Invalid("limit", "out_of_range", "must be between 1 and 200"))
			return
		}
		limit = n
	}
	list, err := a.practices.List(ctx, ids, c.Query("after"), limit)
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := api.PracticeList{Items: make([]api.Practice, 0, len(list))}
	for _, pr := range list {
		out.Items = append(out.Items, practiceResponseFrom(pr))
	}
	if len(list) == limit {
		out.NextAfter = list[len(list)-1].ID
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) updatePractice(c *gin.Context) {
	var in api.PracticeUpdateBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	if in.Version == 0 {
		web.Fail(c, apperr.Invalid("version", "required", "send the version you read, for safe concurrent edits"))
		return
	}
	p, err := a.practices.As(auditmw.By(c)).Update(c.Request.Context(), c.Param("id"), in.Version,
		practice.NewPractice{Name: in.Name, Timezone: in.Timezone, RequireMFA: in.RequireMFA})
	a.statusChanged(c, err) // the second-factor rule is an access fact too
	reply(c, p, err)
}

func (a *API) recordBAA(c *gin.Context) {
	var in api.BAABody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	b, err := baaFrom(in)
	if err != nil {
		web.Fail(c, err)
		return
	}
	by, _ := authn.PrincipalFrom(c.Request.Context())
	b.RecordedBy = by.UserID
	p, err := a.practices.As(auditmw.By(c)).RecordBAA(c.Request.Context(), c.Param("id"), b)
	reply(c, p, err)
}

func (a *API) activate(c *gin.Context) {
	p, err := a.practices.As(auditmw.By(c)).Activate(c.Request.Context(), c.Param("id"))
	a.statusChanged(c, err)
	reply(c, p, err)
}

func (a *API) suspend(c *gin.Context) {
	var in api.ReasonBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	p, err := a.practices.As(auditmw.By(c)).Suspend(c.Request.Context(), c.Param("id"), in.Reason)
	a.statusChanged(c, err)
	reply(c, p, err)
}

func (a *API) offboard(c *gin.Context) {
	var in api.ReasonBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	p, err := a.practices.As(auditmw.By(c)).Offboard(c.Request.Context(), c.Param("id"), in.Reason)
	a.statusChanged(c, err)
	reply(c, p, err)
}

// statusChanged tells every replica's access decisions that the practice's
// status changed: a suspension denies its patients at once, everywhere.
// The router's reconciler takes its items from their owners.
func (a *API) statusChanged(c *gin.Context, err error) {
	if err == nil {
		a.facts.Invalidate(c.Request.Context(), access.PracticeKey(c.Param("id")))
	}
}

func reply(c *gin.Context, p practice.Practice, err error) {
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, practiceResponseFrom(p))
}
