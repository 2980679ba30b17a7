package console

import (
	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// home sends each person to where their day starts: agents to their
// queue, billing managers to the board, practice admins to their
// practice's dashboard, compliance to the audit trail. Anyone else gets a
// short page listing what they can open here.
func (con *Console) home(c *gin.Context) {
	p, _ := authn.PrincipalFrom(c.Request.Context())
	k := con.k
	switch practice := kit.FirstPractice(p); {
	case k.Allowed(c, access.WorkOwnQueue):
		kit.Redirect(c, "/queue")
	case k.Allowed(c, access.ManageAgents):
		kit.Redirect(c, "/board")
	case practice != "" && k.AllowedOn(c, access.ReadPractice, practice):
		kit.Redirect(c, "/practices/"+practice)
	case k.Allowed(c, access.ReviewBreakGlass):
		kit.Redirect(c, "/audit")
	default:
		k.Show(c, views, "home", "Backdesk", "", nil)
	}
}
