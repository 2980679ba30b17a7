// Package agent is the billing agent's part of the console: the queue,
// starting the next item, the item page with the account as the API
// projected it for the kind of work, the item's texts and e-mails, the
// item's forms (outcome, message, pay link, note, hand-off, release), a
// balance's latest statement, and the presence the top bar sets.
package agent

import (
	"embed"
	"net/http"
	"strings"

	"github.com/backdesk/backdesk/pkg/routing"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// views are the agent's pages; the queue's table is shared with the item
// page's list of the patient's other items.
var views = kit.Parse(templateFS, map[string][]string{
	"queue": {"items"}, "item": {"items", "itemforms", "messages", "paylink"}, "nostatement": nil,
})

// pages serves the agent's pages.
type pages struct{ *kit.Kit }

// Mount registers the agent's pages on r.
func Mount(k *kit.Kit, r gin.IRouter) {
	p := pages{k}
	k.Handle(r, http.MethodPost, "/presence", p.presence)
	k.Handle(r, http.MethodGet, "/queue", p.queue)
	k.Handle(r, http.MethodPost, "/next", p.next)
	k.Handle(r, http.MethodGet, "/items/:itemID", p.item)
	k.Handle(r, http.MethodPost, "/items/:itemID/outcome", p.outcome)
	k.Handle(r, http.MethodPost, "/items/:itemID/handoff", p.handoff)
	k.Handle(r, http.MethodPost, "/items/:itemID/release", p.release)
	k.Handle(r, http.MethodPost, "/items/:itemID/notes", p.note)
	k.Handle(r, http.MethodPost, "/items/:itemID/messages", p.message)
	k.Handle(r, http.MethodPost, "/items/:itemID/payment-link", p.payLink)
	// Opening the statement is a disclosure the API records: its path
	// holds export, as the other downloads' do, so that a walk through the
	// pages' links (the accessibility test's) never takes one.
	k.Handle(r, http.MethodGet, "/items/:itemID/statement/export", p.statement)
}

var presences = map[string]string{"available": "Available", "away": "Away", "offline": "Offline"}

// presence sets the agent's presence from the top bar and goes back to
// the page the form was on.
func (p pages) presence(c *gin.Context) {
	in := kit.PostForm(c)
	back := in.Get("return")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n\t") {
		back = "/"
	}
	want := in.Get("presence")
	if _, ok := presences[want]; !ok {
		p.SetFlash(c, "Choose available, away or offline.", true)
		kit.Redirect(c, back)
		return
	}
	r := p.Call(c, http.MethodPut, "/api/v1/work/presence", nil, api.PresenceBody{Presence: routing.Presence(want)})
	if !r.OK() {
		if r.Status == http.StatusBadRequest || r.Status == http.StatusNotFound {
			p.SetFlash(c, r.Err.Message, true)
			kit.Redirect(c, back)
			return
		}
		p.Fail(c, r)
		return
	}
	var out api.Agent
	if err := r.Decode(&out); err != nil || presences[out.Presence] == "" {
		out.Presence = want
	}
	p.SetCookie(c, kit.PresenceCookie, out.Presence, 12*3600)
	p.SetFlash(c, "You are "+strings.ToLower(presences[out.Presence])+".", false)
	kit.Redirect(c, back)
}
