// Package console is the server-rendered web console: the agent's queue
// and item pages; the billing managers' board, agents and access
// requests; the practice admins' dashboard, onboarding checklist, imports
// and access page; compliance's audit search, event proofs, reviews,
// access reviews and log integrity; and the platform admins' dev outbox. It holds no data and decides nothing
// itself. Every page asks the JSON API, in the same process when it can,
// with the caller's own credentials, so the API's access decisions, audit
// events and field projections apply to the pages exactly as they apply
// to any other client; the console only renders the answers.
//
// The pages live in one package per persona under internal (agent,
// manager, practice, compliance, admin), built from the page kit (internal/kit);
// this package puts them on one router with the static files and the
// home page.
package console

import (
	"embed"
	"log/slog"
	"net/http"

	"github.com/backdesk/backdesk/services/console/assets"
	"github.com/backdesk/backdesk/services/console/internal/admin"
	"github.com/backdesk/backdesk/services/console/internal/agent"
	"github.com/backdesk/backdesk/services/console/internal/compliance"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/manager"
	"github.com/backdesk/backdesk/services/console/internal/practice"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
)

// Deps are what the console needs: the API to call, the guard, the
// session's idle limit, the cookies' security and the URLs the pages'
// policy allows (see each field).
type Deps = kit.Deps

// Console serves the pages.
type Console struct{ k *kit.Kit }

// New returns the console; it refuses to build without any of its
// dependencies.
func New(d Deps) (*Console, error) {
	if err := serve.Need("console", d); err != nil {
		return nil, err
	}
	return &Console{k: kit.New(d)}, nil
}

// Mount registers the pages and the static files on r, which sits behind
// authentication. Each route lets in anyone signed in; the API call behind
// the page makes the real decision.
func (con *Console) Mount(r gin.IRouter) {
	static := http.StripPrefix(assets.Prefix, assets.Handler())
	con.k.Handle(r, http.MethodGet, assets.Prefix+"*filepath", gin.WrapH(static))
	con.k.Handle(r, http.MethodGet, "/", con.home)
	agent.Mount(con.k, r)
	manager.Mount(con.k, r)
	practice.Mount(con.k, r)
	compliance.Mount(con.k, r)
	admin.Mount(con.k, r)
}

// Upstream returns a Deps.API that sends each call over HTTP to the API at
// base, for a console running as its own service (see kit.Upstream), or,
// with routes (BACKDESK_API_ROUTES), each call under a route's prefix to
// that route's URL instead (see kit.Routed).
func Upstream(base, routes string, log *slog.Logger) (http.Handler, error) {
	up, err := kit.Upstream(base, nil, log)
	if err != nil || routes == "" {
		return up, err
	}
	rs, err := kit.ParseRoutes(routes)
	if err != nil {
		return nil, err
	}
	return kit.Routed(rs, up, nil, log)
}

//go:embed templates
var templateFS embed.FS

// views is the console's own page: the home page of those with no other.
var views = kit.Parse(templateFS, map[string][]string{"home": nil})
