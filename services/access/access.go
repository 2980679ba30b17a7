// Package access is the HTTP layer of the access service: browser login
// and sessions, the caller's identity, and grants, access
// requests and break-glass.
package access

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	bdaccess "github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/audit/recorder"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
)

// Deps are what the access API needs.
type Deps struct {
	Login         *oidcauth.Login
	Sessions      *session.Store
	Identity      *identity.Service
	Redis         redis.UniversalClient // login attempts in flight
	PublicURL     string                // e.g. https://backdesk.example.com
	RolesClaim    string
	SecureCookies bool
	// LogoutIDTokenHint keeps the ID token (sealed) to send back as
	// id_token_hint at logout, for providers that require it. Off, logout
	// names the client instead, and no token travels in a URL.
	LogoutIDTokenHint bool
	// KeepTokens keeps the provider's access and refresh tokens (sealed)
	// for the re-checks of BACKDESK_OIDC_RECHECK_INTERVAL.
	KeepTokens bool
	Log        *slog.Logger
	// Recorder writes the login and logout events; a login that cannot be
	// recorded does not happen.
	Recorder *recorder.Recorder
	// Guard authorizes each route.
	Guard *authz.Guard
}

// API serves the access routes.
type API struct{ d Deps }

// New returns the access API: sign-in, sign-out and the caller's
// identity. It refuses to build without any of its dependencies.
func New(d Deps) (*API, error) {
	if err := serve.Need("access", d); err != nil {
		return nil, err
	}
	return &API{d: d}, nil
}

// Mount registers the public login routes on public and the rest on api,
// which sits behind authentication.
func (a *API) Mount(public, api gin.IRouter) {
	auth := public.Group("/auth")
	auth.GET("/login", a.login)
	auth.GET("/callback", a.callback)
	auth.GET("/logged-out", a.loggedOut)
	// Logout is on the authenticated side so it needs the CSRF token: a
	// forged cross-site post cannot sign anyone out.
	self := authz.Policy{Action: bdaccess.Self}
	a.d.Guard.Handle(api, http.MethodPost, "/auth/logout", self, a.logout)
	a.d.Guard.Handle(api, http.MethodGet, "/api/v1/me", self, a.me)
	// The home page, "/", is the web console's (services/console).
}

// loginTTL bounds how long a login may sit at the provider.
const loginTTL = 10 * time.Minute

const loginCookie = "backdesk_login"

func (a *API) setCookie(c *gin.Context, name, value, path string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: a.d.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (a *API) me(c *gin.Context) {
	p, _ := authn.PrincipalFrom(c.Request.Context())
	c.JSON(http.StatusOK, meResponseFrom(p))
}

// DepsOf gathers the access API's dependencies from a service process.
// Browser login needs BACKDESK_PUBLIC_URL, since the provider must be
// told where to send people back.
func DepsOf(p *serve.Process) (Deps, error) {
	if p.Config.PublicURL == "" {
		return Deps{}, &config.VarError{Var: "BACKDESK_PUBLIC_URL", Message: "is required by the access service for browser login"}
	}
	public := strings.TrimSuffix(p.Config.PublicURL, "/")
	return Deps{
		Login:             p.Verifier.NewLogin(p.Config.OIDCClientSecret, public+"/auth/callback", strings.Fields(p.Config.OIDCScopes)),
		Sessions:          p.Sessions,
		Identity:          p.Identity,
		Redis:             p.Redis,
		PublicURL:         public,
		RolesClaim:        p.Config.OIDCRolesClaim,
		SecureCookies:     p.Config.SecureCookies(),
		LogoutIDTokenHint: p.Config.OIDCLogoutIDTokenHint,
		KeepTokens:        p.Config.OIDCRecheckInterval > 0,
		Log:               p.Log,
		Recorder:          p.Recorder,
		Guard:             p.Guard,
	}, nil
}
