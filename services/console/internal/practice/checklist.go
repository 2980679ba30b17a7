package practice

import (
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

type checklistPage struct {
	api.Checklist
	ID string
}

// stepPages are the console's pages for the steps it has one for.
var stepPages = map[string]string{"import": "imports", "grant": "access"}

// Link is the console's page for a step, or "".
func (p checklistPage) Link(key string) string {
	if s, ok := stepPages[key]; ok {
		return "/practices/" + p.ID + "/" + s
	}
	return ""
}

// checklist is the practice's onboarding: each step done or not, with
// the next one to take singled out.
func (p pages) checklist(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	page := checklistPage{ID: id}
	if !p.Get(c, "/api/v1/practices/"+id+"/checklist", nil, &page.Checklist) {
		return
	}
	p.Show(c, views, "checklist", "Getting started", "checklist", page)
}
