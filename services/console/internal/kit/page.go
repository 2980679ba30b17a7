package kit

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/gin-gonic/gin"
)

// View is what the layout renders around a page.
type View struct {
	Title    string
	Section  string // the top bar's current entry: queue, board, agents, requests
	User     string
	Role     string
	CSRF     string
	Flash    Flash
	Offer    Offer
	Presence string // the agent's presence as last set here, if known
	Return   string // where the presence form comes back to
	// IdleWarn and IdleLogout are seconds of inactivity before the warning
	// and before signing out; zero leaves the page alone.
	IdleWarn, IdleLogout int
	// BreakGlass lists the person's own open break-glass sessions: every
	// page says so while one is open.
	BreakGlass []BreakGlassBanner
	Data       any
}

// BreakGlassBanner is one open break-glass session as the banner shows it.
type BreakGlassBanner struct {
	PatientID string
	Reason    string
	ExpiresAt time.Time
	Minutes   int // left, rounded up
}

// Offer says which sections the top bar links to: those whose API the
// person may call. It is a courtesy; the API decides each call.
type Offer struct {
	Queue, Board bool
	// Practice is the practice whose pages are linked, for its admins:
	// the one the page is about, or the first they administer.
	Practice string
	// Audit links the audit trail's search; Compliance the reviews, the
	// grants due for review and the log's integrity.
	Audit, Compliance bool
	// Platform links the platform admins' pages: the dev outbox.
	Platform bool
}

// The keys of what a handler tells the layout through the gin context.
const (
	practiceKey = "console.practice"
	returnKey   = "console.return"
)

// SetPractice names the practice a page is about when its path does not
// (an import's page, an audit event), for the top bar's links.
func SetPractice(c *gin.Context, id string) { c.Set(practiceKey, id) }

// ReturnTo names the page a post's form belongs to, where the top bar's
// presence form comes back to when the post shows a page again.
func ReturnTo(c *gin.Context, path string) { c.Set(returnKey, path) }

// Page fills the layout for the person behind c.
func (k *Kit) Page(c *gin.Context, title, section string, data any) View {
	ctx := c.Request.Context()
	p, _ := authn.PrincipalFrom(ctx)
	v := View{Title: title, Section: section, User: p.Name, Role: roleLabel(p), CSRF: p.CSRF, Data: data,
		Flash: takeFlash(c, k.d.SecureCookies), Return: returnPath(c)}
	if v.User == "" {
		v.User = p.Subject
	}
	v.Offer.Queue = k.Allowed(c, access.WorkOwnQueue)
	v.Offer.Board = k.Allowed(c, access.ManageAgents)
	v.Offer.Practice = k.practiceOffer(c, p)
	v.Offer.Audit = k.Allowed(c, access.ReadAudit)
	v.Offer.Compliance = k.Allowed(c, access.ReviewBreakGlass)
	v.Offer.Platform = k.Allowed(c, access.ManagePlatform)
	if v.Offer.Queue {
		v.Presence, _ = c.Cookie(PresenceCookie)
	}
	if p.Has(identity.Agent, identity.Compliance) {
		v.BreakGlass = k.openBreakGlass(c)
	}
	if idle := int(k.d.IdleTimeout.Seconds()); idle > 0 && p.SessionRef != "" {
		v.IdleLogout = idle
		v.IdleWarn = max(idle-60, idle/2)
	}
	return v
}

// openBreakGlass asks the API for the person's open break-glass sessions;
// a failure shows no banner rather than no page.
func (k *Kit) openBreakGlass(c *gin.Context) []BreakGlassBanner {
	var list api.BreakGlassList
	r := k.Call(c, http.MethodGet, "/api/v1/break-glass/mine", nil, nil)
	if !r.OK() || r.Decode(&list) != nil {
		return nil
	}
	now := time.Now()
	var out []BreakGlassBanner
	for _, s := range list.Sessions {
		if !s.Open {
			continue
		}
		left := int(math.Ceil(s.ExpiresAt.Sub(now).Minutes()))
		out = append(out, BreakGlassBanner{PatientID: s.PatientID, Reason: s.Reason, ExpiresAt: s.ExpiresAt, Minutes: max(left, 0)})
	}
	return out
}

// returnPath is the page to come back to after the top bar's presence
// form: this page, or for a form shown again after a post, the page the
// form belongs to.
func returnPath(c *gin.Context) string {
	if c.Request.Method == http.MethodGet {
		return c.Request.URL.RequestURI()
	}
	if to := c.GetString(returnKey); to != "" {
		return to
	}
	return "/"
}

// Allowed asks the decision function, without recording anything,
// whether the person may do action; it only picks what to offer.
func (k *Kit) Allowed(c *gin.Context, action access.Action) bool {
	d, _, err := k.d.Guard.Decide(c.Request.Context(), authz.Policy{Action: action}, func(string) string { return "" })
	return err == nil && d.Allow
}

// AllowedOn is Allowed for an action on one practice.
func (k *Kit) AllowedOn(c *gin.Context, action access.Action, practice string) bool {
	pol := authz.Policy{Action: action, Resolve: authz.Practice("practiceID")}
	d, _, err := k.d.Guard.Decide(c.Request.Context(), pol, func(name string) string {
		if name == "practiceID" {
			return practice
		}
		return ""
	})
	return err == nil && d.Allow
}

// practiceOffer picks the practice whose pages the top bar links to: the
// page's own when p administers it, else the first p administers, if the
// decision function lets p read it.
func (k *Kit) practiceOffer(c *gin.Context, p identity.Principal) string {
	id := c.Param("practiceID")
	if id == "" {
		id = c.GetString(practiceKey)
	}
	if id == "" || !p.AdminOf(id) {
		id = FirstPractice(p)
	}
	if id == "" || !k.AllowedOn(c, access.ReadPractice, id) {
		return ""
	}
	return id
}

// FirstPractice is the first practice p administers, or "".
func FirstPractice(p identity.Principal) string {
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
