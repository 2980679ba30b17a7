package console

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// pages holds one template set per page: the shared layout and partials,
// the page, and the page's own extra files.
var pages = loadPages(map[string][]string{
	"home": nil, "queue": nil, "item": {"itemforms"}, "board": nil, "agents": nil,
	"requests": nil, "request": nil, "error": nil,
	"practice": nil, "checklist": nil, "imports": nil, "import": nil, "access": {"accessforms"},
	"audit": nil, "event": nil, "reviews": nil, "accessreviews": nil, "integrity": nil,
})

func loadPages(names map[string][]string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for n, extra := range names {
		files := []string{"templates/layout.html", "templates/partials.html", "templates/" + n + ".html"}
		for _, e := range extra {
			files = append(files, "templates/"+e+".html")
		}
		out[n] = template.Must(template.New(n).Funcs(funcs).ParseFS(templateFS, files...))
	}
	return out
}

// view is what the layout renders around a page.
type view struct {
	Title    string
	Section  string // the top bar's current entry: queue, board, agents, requests
	User     string
	Role     string
	CSRF     string
	Flash    flash
	Offer    offer
	Presence string // the agent's presence as last set here, if known
	Return   string // where the presence form comes back to
	// IdleWarn and IdleLogout are seconds of inactivity before the warning
	// and before signing out; zero leaves the page alone.
	IdleWarn, IdleLogout int
	Data                 any
}

// offer says which sections the top bar links to: those whose API the
// person may call. It is a courtesy; the API decides each call.
type offer struct {
	Queue, Board bool
	// Practice is the practice whose pages are linked, for its admins:
	// the one the page is about, or the first they administer.
	Practice string
	// Audit links the audit trail's search; Compliance the reviews, the
	// grants due for review and the log's integrity.
	Audit, Compliance bool
}

// practiceKey names the practice a page is about when its path does not
// (an import's page), for the top bar's links.
const practiceKey = "console.practice"

// page fills the layout for the person behind c.
func (con *Console) page(c *gin.Context, title, section string, data any) view {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	v := view{Title: title, Section: section, User: p.Name, Role: roleLabel(p), CSRF: p.CSRF, Data: data,
		Flash: takeFlash(c, con.d.SecureCookies), Return: returnPath(c)}
	if v.User == "" {
		v.User = p.Subject
	}
	v.Offer.Queue = con.allowed(c, access.WorkOwnQueue)
	v.Offer.Board = con.allowed(c, access.ManageAgents)
	v.Offer.Practice = con.practiceOffer(c, p)
	v.Offer.Audit = con.allowed(c, access.ReadAudit)
	v.Offer.Compliance = con.allowed(c, access.ReviewBreakGlass)
	if v.Offer.Queue {
		v.Presence, _ = c.Cookie(presenceCookie)
	}
	if idle := int(con.d.IdleTimeout.Seconds()); idle > 0 && p.SessionRef != "" {
		v.IdleLogout = idle
		v.IdleWarn = max(idle-60, idle/2)
	}
	return v
}

// returnPath is the page to come back to after the top bar's presence
// form: this page, or for a form shown again after a post, the page the
// form belongs to.
func returnPath(c *gin.Context) string {
	if c.Request.Method == http.MethodGet {
		return c.Request.URL.RequestURI()
	}
	switch route := c.FullPath(); {
	case strings.HasPrefix(route, "/items/:itemID"):
		return "/items/" + c.Param("itemID")
	case strings.HasPrefix(route, "/agents"):
		return "/agents"
	case strings.HasPrefix(route, "/access-requests"):
		return "/access-requests"
	}
	return "/"
}

// allowed asks the decision function, without recording anything,
// whether the person may do action; it only picks what to offer.
func (con *Console) allowed(c *gin.Context, action access.Action) bool {
	d, _, err := con.d.Guard.Decide(c.Request.Context(), authz.Policy{Action: action}, func(string) string { return "" })
	return err == nil && d.Allow
}

// allowedOn is allowed for an action on one practice.
func (con *Console) allowedOn(c *gin.Context, action access.Action, practice string) bool {
	pol := authz.Policy{Action: action, Resolve: authz.Practice("practiceID")}
	d, _, err := con.d.Guard.Decide(c.Request.Context(), pol, func(k string) string {
		if k == "practiceID" {
			return practice
		}
		return ""
	})
	return err == nil && d.Allow
}

// practiceOffer picks the practice whose pages the top bar links to: the
// page's own when p administers it, else the first p administers, if the
// decision function lets p read it.
func (con *Console) practiceOffer(c *gin.Context, p identity.Principal) string {
	id := c.Param("practiceID")
	if id == "" {
		id = c.GetString(practiceKey)
	}
	if id == "" || !p.AdminOf(id) {
		id = firstPractice(p)
	}
	if id == "" || !con.allowedOn(c, access.ReadPractice, id) {
		return ""
	}
	return id
}

// firstPractice is the first practice p administers, or "".
func firstPractice(p identity.Principal) string {
	for _, m := range p.Memberships {
		if m.Role == identity.PracticeAdmin {
			return m.PracticeID
		}
	}
	return ""
}

var roleLabels = map[identity.Role]string{
	identity.Agent: "Agent", identity.BillingManager: "Billing manager", identity.PracticeAdmin: "Practice admin",
	identity.Compliance: "Compliance", identity.PlatformAdmin: "Platform admin",
}

func roleLabel(p identity.Principal) string {
	var out []string
	for _, r := range p.Roles {
		if l, ok := roleLabels[r]; ok {
			out = append(out, l)
		}
	}
	return strings.Join(out, ", ")
}

// render writes page name with status. Pages carry account data, so no
// cache keeps them, and the policy allows nothing but this origin.
func (con *Console) render(c *gin.Context, status int, name string, v view) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		// The error may quote the data, which may be PHI: log the page only.
		con.d.Log.ErrorContext(c.Request.Context(), "console: page failed to render", "page", name)
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString("<!doctype html><title>Error</title><p>This page could not be shown. Reload to try again.</p>")
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", con.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.Status(status)
	_, _ = c.Writer.Write(buf.Bytes())
}

// fragment writes one template of a page's set, without the layout: the
// part of a page that htmx swaps in.
func (con *Console) fragment(c *gin.Context, page, name string, data any) {
	var buf bytes.Buffer
	if err := pages[page].ExecuteTemplate(&buf, name, data); err != nil {
		con.d.Log.ErrorContext(c.Request.Context(), "console: fragment failed to render", "page", page, "fragment", name)
		buf.Reset()
		buf.WriteString(`<p class="form-alert" role="alert">This part of the page could not be shown. Reload to try again.</p>`)
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(buf.Bytes())
}

// practiceParam returns the practice id of the path, or renders the
// not-found page when it is no id.
func (con *Console) practiceParam(c *gin.Context) (string, bool) {
	id := c.Param("practiceID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return "", false
	}
	return id, true
}

// problem is what the error page says.
type problem struct {
	Status  int
	Heading string
	Message string
	Code    string
}

// fail renders the API's refusal or failure as a page a person can act
// on: a 403 says what rule refused and why, with its code.
func (con *Console) fail(c *gin.Context, r reply) {
	if r.Status == http.StatusUnauthorized {
		back := "/"
		if c.Request.Method == http.MethodGet {
			back = c.Request.URL.RequestURI()
		}
		c.Redirect(http.StatusSeeOther, "/auth/login?return_to="+url.QueryEscape(back))
		return
	}
	p := problem{Status: r.Status, Message: r.Err.Message, Code: r.Err.Code}
	switch r.Status {
	case http.StatusForbidden:
		p.Heading = "Not allowed"
	case http.StatusNotFound:
		p.Heading, p.Message = "Not found", "There is nothing here, or it is no longer there."
	case http.StatusConflict:
		p.Heading = "Changed meanwhile"
	case http.StatusServiceUnavailable:
		p.Heading = "Unavailable for a moment"
	case http.StatusBadRequest:
		p.Heading = "Not accepted"
	default:
		p.Heading = "Something went wrong"
	}
	con.render(c, r.Status, "error", con.page(c, p.Heading, "", p))
}

// notFound renders the not-found page without asking the API.
func (con *Console) notFound(c *gin.Context) {
	con.fail(c, reply{Status: http.StatusNotFound, Err: errDetail("not_found", "")})
}

// redirect answers a form post with a redirect to a page (303, so the
// browser follows with a GET and a reload does not post again).
func redirect(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }
