package onboarding

import (
	"net/http"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/practice/checklist"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

func (a *API) mountChecklist(r gin.IRouter) {
	a.guard.Handle(r, http.MethodGet, "/api/v1/practices/:id/checklist",
		authz.Policy{Action: access.ReadPractice, Resolve: authz.Practice("id")}, a.getChecklist)
}

// getChecklist answers the onboarding steps, done or not, and the next.
func (a *API) getChecklist(c *gin.Context) {
	_, res, _ := authz.DecisionFrom(c.Request.Context())
	out, err := checklist.Read(c.Request.Context(), a.checklistDB, res.PracticeID)
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, api.Checklist{PracticeID: out.PracticeID, Steps: api.Each(out.Steps, stepFrom), Next: out.Next, Done: out.Done})
}

func stepFrom(s checklist.Step) api.ChecklistStep { return api.ChecklistStep(s) }
