package console

import (
	"net/http"
	"strings"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// home sends each person to where their day starts: agents to their
// queue, billing managers to the board, practice admins to their
// practice's dashboard, compliance to the audit trail. Anyone else gets a
// short page listing what they can open here.
func (con *Console) home(c *gin.Context) {
	p, _ := authn.PrincipalFrom(c.Request.Context())
	switch practice := firstPractice(p); {
	case con.allowed(c, access.WorkOwnQueue):
		redirect(c, "/queue")
	case con.allowed(c, access.ManageAgents):
		redirect(c, "/board")
	case practice != "" && con.allowedOn(c, access.ReadPractice, practice):
		redirect(c, "/practices/"+practice)
	case con.allowed(c, access.ReviewBreakGlass):
		redirect(c, "/audit")
	default:
		con.render(c, http.StatusOK, "home", con.page(c, "Backdesk", "", nil))
	}
}

var presences = map[string]string{"available": "Available", "away": "Away", "offline": "Offline"}

// presence sets the agent's presence from the top bar and goes back to
// the page the form was on.
func (con *Console) presence(c *gin.Context) {
	in := postForm(c)
	back := in.Get("return")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n\t") {
		back = "/"
	}
	want := in.Get("presence")
	if _, ok := presences[want]; !ok {
		con.setFlash(c, "Choose available, away or offline.", true)
		redirect(c, back)
		return
	}
	r := con.call(c, http.MethodPut, "/api/v1/work/presence", nil, map[string]string{"presence": want})
	if !r.ok() {
		if r.Status == http.StatusBadRequest || r.Status == http.StatusNotFound {
			con.setFlash(c, r.Err.Message, true)
			redirect(c, back)
			return
		}
		con.fail(c, r)
		return
	}
	var out struct {
		Presence string `json:"presence"`
	}
	if err := r.decode(&out); err != nil || presences[out.Presence] == "" {
		out.Presence = want
	}
	setCookie(c, con.d.SecureCookies, presenceCookie, out.Presence, 12*3600)
	con.setFlash(c, "You are "+strings.ToLower(presences[out.Presence])+".", false)
	redirect(c, back)
}
