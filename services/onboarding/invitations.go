package onboarding

import (
	"net/http"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// confirmInvitation is a second platform admin agreeing that an
// invitation to a platform admin or compliance officer may bind
// (docs/identity.md). The identity service refuses, and records, a
// confirmation by the person who sent the invitation or receives it.
func (a *API) confirmInvitation(c *gin.Context) {
	ctx := c.Request.Context()
	by, _ := authn.PrincipalFrom(ctx)
	inv, err := a.identity.ConfirmInvitation(ctx, by, auditmw.Event(c, audit.ActionInvitationConfirm), c.Param("id"), c.Param("invitationID"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, invitationResponseFrom(inv))
}
