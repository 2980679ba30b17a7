package practice

import (
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

type checklistPage struct {
	api.Checklist
	ID   string
	Zone string // the practice's IANA zone; "" shows UTC
}

// stepPages are the console's pages where each step is taken.
var stepPages = map[string]string{"baa": "setup#baa", "locations": "setup#locations", "admins": "setup#admins",
	"policy": "setup#contact", "import": "imports", "grant": "access"}

// Link is the console's page for a step, or "".
func (p checklistPage) Link(key string) string {
	if s, ok := stepPages[key]; ok {
		return "/practices/" + p.ID + "/" + s
	}
	return ""
}

// checklist is the practice's onboarding: each step done or not, with
// the next one to take singled out, each linked to the page that takes
// it, and a done one with when and by whom.
func (p pages) checklist(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	page := checklistPage{ID: id}
	if !p.Get(c, "/api/v1/practices/"+id+"/checklist", nil, &page.Checklist) {
		return
	}
	page.Zone = p.practiceZone(c, id)
	p.Show(c, views, "checklist", "Getting started", "checklist", page)
}
