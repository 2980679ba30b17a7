package console

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// itemAnswer is the API's item view.
type itemAnswer struct {
	Item          entry           `json:"item"`
	Attempts      int             `json:"attempts"`
	CadenceStep   int             `json:"cadence_step"`
	Patient       json.RawMessage `json:"patient"`
	History       []activity      `json:"history"`
	OtherItems    []entry         `json:"other_items"`
	TalkingPoints []string        `json:"talking_points"`
}

// activity is one entry of the item's history.
type activity struct {
	At            time.Time  `json:"at"`
	ActorID       string     `json:"actor_id"`
	Channel       string     `json:"channel"`
	Outcome       string     `json:"outcome"`
	Note          string     `json:"note"`
	NextContactAt *time.Time `json:"next_contact_at"`
	PromisedCents int64      `json:"promised_cents"`
	PaidCents     int64      `json:"paid_cents"`
}

// itemForms are the item page's forms, as submitted when one is shown
// again with its messages.
type itemForms struct {
	Outcome, Handoff, Release, Note *form
}

type team struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

type itemPage struct {
	itemAnswer
	itemForms
	ID       string
	Me       string
	CSRF     string // the forms' token: their templates see only this page
	Account  []section
	Timeline []activity // newest first
	Teams    []team     // nil unless the person may list teams
	Channels []work.Channel
	Outcomes []work.Outcome
	Picks    []int // quick picks for the next contact date, in days
}

// item is the account as the agent works it. Opening it is a read of
// PHI: the API records it before answering, and refuses it (403 with the
// rule) when the item is not the agent's.
func (con *Console) item(c *gin.Context) {
	con.showItem(c, itemForms{})
}

// showItem renders the item page with the given forms, which carry what
// was typed and the messages when a post was refused. A form shown again
// is a page like any other (200): the browser would log a 4xx page as a
// failed load, and the person has nothing to fix but the form.
func (con *Console) showItem(c *gin.Context, forms itemForms) {
	id := c.Param("itemID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	r := con.call(c, http.MethodGet, "/api/v1/work/items/"+id, nil, nil)
	if !r.ok() {
		con.fail(c, r)
		return
	}
	var a itemAnswer
	if r.decode(&a) != nil {
		con.broken(c, r)
		return
	}
	account, err := accountSections(a.Patient)
	if err != nil {
		con.broken(c, r)
		return
	}
	p, _ := authn.PrincipalFrom(c.Request.Context())
	page := itemPage{itemAnswer: a, itemForms: forms, ID: id, Me: p.UserID, CSRF: p.CSRF, Account: account,
		Timeline: slices.Clone(a.History), Channels: work.Channels, Outcomes: work.Outcomes,
		Picks: []int{1, 3, 7, 14, 30}}
	slices.Reverse(page.Timeline)
	if page.Outcome == nil {
		page.Outcome = newForm(nil)
	}
	if page.Handoff == nil {
		page.Handoff = newForm(nil)
	}
	if page.Release == nil {
		page.Release = newForm(nil)
	}
	if page.Note == nil {
		page.Note = newForm(nil)
	}
	// Teams are offered by name only to those who may list them; asking
	// otherwise would only earn a recorded refusal.
	if con.allowed(c, access.ManageAgents) {
		page.Teams = con.teams(c)
	}
	con.render(c, http.StatusOK, "item", con.page(c, kindLabel(a.Item.Kind), "queue", page))
}

// teams lists the teams, or nil when the API does not.
func (con *Console) teams(c *gin.Context) []team {
	r := con.call(c, http.MethodGet, "/api/v1/teams", nil, nil)
	var out struct {
		Teams []team `json:"teams"`
	}
	if !r.ok() || r.decode(&out) != nil {
		return nil
	}
	return out.Teams
}
