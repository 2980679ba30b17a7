package agent

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// itemAnswer is the API's item view with the patient kept as it came:
// the account is laid out in the order of its keys.
type itemAnswer struct {
	api.ItemView
	Patient json.RawMessage `json:"patient"`
}

// itemForms are the item page's forms, as submitted when one is shown
// again with its messages.
type itemForms struct {
	Outcome, Handoff, Release, Note *kit.Form
}

type itemPage struct {
	api.ItemView
	itemForms
	ID       string
	Me       string
	CSRF     string // the forms' token: their templates see only this page
	Account  []section
	Timeline []api.Activity // newest first
	Teams    []api.Team     // nil unless the person may list teams
	Channels []work.Channel
	Outcomes []work.Outcome
	Picks    []int // quick picks for the next contact date, in days
}

// item is the account as the agent works it. Opening it is a read of
// PHI: the API records it before answering, and refuses it (403 with the
// rule) when the item is not the agent's.
func (p pages) item(c *gin.Context) {
	p.showItem(c, itemForms{})
}

// showItem renders the item page with the given forms, which carry what
// was typed and the messages when a post was refused. A form shown again
// is a page like any other (200): the browser would log a 4xx page as a
// failed load, and the person has nothing to fix but the form.
func (p pages) showItem(c *gin.Context, forms itemForms) {
	id, ok := p.IDParam(c, "itemID")
	if !ok {
		return
	}
	r := p.Call(c, http.MethodGet, "/api/v1/work/items/"+id, nil, nil)
	if !r.OK() {
		p.Fail(c, r)
		return
	}
	var a itemAnswer
	if r.Decode(&a) != nil {
		p.Broken(c, r)
		return
	}
	account, err := accountSections(a.Patient)
	if err != nil {
		p.Broken(c, r)
		return
	}
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := itemPage{ItemView: a.ItemView, itemForms: forms, ID: id, Me: me.UserID, CSRF: me.CSRF, Account: account,
		Timeline: slices.Clone(a.History), Channels: work.Channels, Outcomes: work.Outcomes,
		Picks: []int{1, 3, 7, 14, 30}}
	slices.Reverse(page.Timeline)
	for _, f := range []**kit.Form{&page.Outcome, &page.Handoff, &page.Release, &page.Note} {
		if *f == nil {
			*f = kit.NewForm(nil)
		}
	}
	// Teams are offered by name only to those who may list them; asking
	// otherwise would only earn a recorded refusal.
	if p.Allowed(c, access.ManageAgents) {
		page.Teams = p.Teams(c)
	}
	p.Show(c, views, "item", kit.KindLabel(a.Item.Kind), "queue", page)
}
