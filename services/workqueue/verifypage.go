package workqueue

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/gin-gonic/gin"
)

// linkTmpl is the page a message's link opens (docs/messages-link.md).
// Until the patient verifies, it says nothing about the patient or the
// practice; what was entered is never written back into it.
var linkTmpl = template.Must(template.New("link").Parse(patientHead + `
{{- if eq .State "verified"}}
<h1>Hi {{.FirstName}}</h1>
<p>{{.PracticeName}} sent you a message about {{.About}}.</p>
{{- if .Tel}}
<p>To talk about it, call {{.PracticeName}} at <a href="{{.Tel}}">{{.PracticePhone}}</a>.</p>
{{- else}}
<p>To talk about it, call {{.PracticeName}}.</p>
{{- end}}
{{- else if eq .State "ask"}}
<h1>Confirm it is you</h1>
<p>To see this message, enter your date of birth.</p>
<form method="post" novalidate>
` + birthDateFields + `
</form>
` + patientEnd))

// linkView is what linkTmpl fills in.
type linkView struct {
	message.LinkPage
	State       string
	Title       string
	ProblemText string
	Tel         template.URL
}

// linkPage asks for the patient's date of birth; it shows nothing else.
func (a *API) linkPage(c *gin.Context) {
	p, err := a.d.Messages.OpenLink(c.Request.Context(), c.Param("token"))
	if err != nil {
		a.linkFailed(c, err)
		return
	}
	renderLink(c, p)
}

// verifyLink checks the date of birth entered; the page that answers
// shows the message's subject on a match, the form again with the
// problem next to the field on a mismatch, or that the link is locked.
func (a *API) verifyLink(c *gin.Context) {
	dob, _ := message.BirthDate(c.PostForm("month"), c.PostForm("day"), c.PostForm("year"), time.Now())
	p, err := a.d.Messages.VerifyLink(c.Request.Context(), c.Param("token"), dob, auditmw.By(c))
	if err != nil {
		a.linkFailed(c, err)
		return
	}
	renderLink(c, p)
}

// linkHeaders keep the page out of caches, out of the next site's
// Referer (the address holds the token) and out of frames.
func linkHeaders(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", "no-store")
	c.Header("X-Robots-Tag", "noindex, nofollow")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	c.Header("Content-Type", "text/html; charset=utf-8")
}

// renderLink writes the page p describes.
func renderLink(c *gin.Context, p message.LinkPage) {
	v := linkView{LinkPage: p, State: string(p.State)}
	status := http.StatusOK
	switch p.State {
	case message.LinkVerified:
		v.Title = "Your message"
		if tel := p.PracticeTel; len(tel) > 1 && strings.Trim(tel[1:], "0123456789") == "" && tel[0] == '+' {
			v.Tel = template.URL("tel:" + tel)
		}
	case message.LinkAsk:
		v.Title = "Confirm it is you"
		switch p.Problem {
		case message.ProblemMismatch:
			status = http.StatusUnprocessableEntity
			v.ProblemText = "That does not match. Check the date of birth and try again."
			if p.TriesLeft == 1 {
				v.ProblemText += " You have 1 more try."
			} else if p.TriesLeft > 1 {
				v.ProblemText += " You have " + strconv.Itoa(p.TriesLeft) + " more tries."
			}
		case message.ProblemInvalid:
			status = http.StatusUnprocessableEntity
			v.ProblemText = "Enter your date of birth as numbers: month, day and year, for example 3 27 1984."
		}
	case message.LinkLocked:
		v.Title, status = "This link is locked", http.StatusForbidden
	default:
		v.State, v.Title, status = string(message.LinkUnknown), "This link does not work", http.StatusNotFound
	}
	linkHeaders(c)
	c.Status(status)
	_ = linkTmpl.Execute(c.Writer, v)
}

// linkFailed answers a failure with a page that says to try later; the
// log has the route and the error, never the address (which holds the
// token) or what was entered.
func (a *API) linkFailed(c *gin.Context, err error) {
	a.d.Log.ErrorContext(c.Request.Context(), "message link page failed", "route", c.FullPath(), "error", err.Error())
	linkHeaders(c)
	c.Status(http.StatusServiceUnavailable)
	_ = linkTmpl.Execute(c.Writer, linkView{State: "error", Title: "Something went wrong"})
}
