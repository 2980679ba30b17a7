// Package manager is the billing manager's part of the console: the
// board (queue depth, overdue, escalations, each agent's load and
// output, and a link to each practice's patient statements), the agents and the teams they are on, the access requests
// a manager sends practices for a team, and the clearinghouse
// connections with their payers and files.
package manager

import (
	"embed"
	"net/http"

	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// views are the manager's pages.
var views = kit.Parse(templateFS, map[string][]string{"board": nil, "agents": nil, "agent": nil, "requests": nil, "request": nil,
	"clearinghouses": {"connform"}, "clearinghouse": {"connform"}})

// pages serves the manager's pages.
type pages struct{ *kit.Kit }

// Mount registers the manager's pages on r.
func Mount(k *kit.Kit, r gin.IRouter) {
	p := pages{k}
	k.Handle(r, http.MethodGet, "/board", p.board)
	k.Handle(r, http.MethodGet, "/agents", p.agents)
	k.Handle(r, http.MethodGet, "/agents/:userID", p.agent)
	k.Handle(r, http.MethodPost, "/agents/:userID", p.saveAgent)
	k.Handle(r, http.MethodPost, "/agents/teams", p.createTeam)
	k.Handle(r, http.MethodPost, "/agents/teams/:teamID/members", p.addMember)
	k.Handle(r, http.MethodPost, "/agents/teams/:teamID/members/:userID/remove", p.removeMember)
	k.Handle(r, http.MethodGet, "/access-requests", p.accessRequests)
	k.Handle(r, http.MethodPost, "/access-requests", p.requestAccess)
	k.Handle(r, http.MethodGet, "/access-requests/:requestID", p.accessRequest)
	k.Handle(r, http.MethodGet, "/clearinghouses", p.connections)
	k.Handle(r, http.MethodPost, "/clearinghouses", p.addConnection)
	k.Handle(r, http.MethodGet, "/clearinghouses/:connectionID", p.clearinghouse)
	k.Handle(r, http.MethodPost, "/clearinghouses/:connectionID", p.saveConnection)
	k.Handle(r, http.MethodPost, "/clearinghouses/:connectionID/payers", p.savePayers)
	web.AllowBodyOn(r, http.MethodPost, "/clearinghouses/:connectionID/files", maxAnswerFile)
	k.Handle(r, http.MethodPost, "/clearinghouses/:connectionID/files", p.uploadFile)
	// A download is a disclosure the API records: its path ends in
	// export, as the audit trail's does, so that a walk through the
	// pages' links (the accessibility test's) never takes one.
	k.Handle(r, http.MethodGet, "/clearinghouses/:connectionID/files/:fileID/export", p.downloadFile)
	k.Handle(r, http.MethodPost, "/clearinghouses/:connectionID/exchange", p.exchange)
}
