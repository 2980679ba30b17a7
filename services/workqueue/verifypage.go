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
var linkTmpl = template.Must(template.New("link").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{if .Problem}}Error: {{end}}{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;font-size:1.125rem;line-height:1.5;margin:0;padding:1rem;color:#1b1b1b;background:#fff}
main{max-width:34rem;margin:0 auto}
fieldset{border:0;padding:0;margin:0 0 1rem}
legend{font-weight:700;font-size:1.25rem}
.date{display:flex;gap:1rem;flex-wrap:wrap}
.date label{display:block}
input{font:inherit;padding:.4rem;border:2px solid #1b1b1b;width:3.5rem}
input.year{width:5rem}
input:focus,button:focus,a:focus{outline:3px solid #fd0;outline-offset:0}
[aria-invalid=true]{border-color:#b00020}
.hint{color:#505a5f;margin:.25rem 0 .75rem}
.error{color:#b00020;font-weight:700;margin:.25rem 0 .75rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
button{font:inherit;padding:.5rem 1.25rem;border:0;background:#00703c;color:#fff;cursor:pointer}
</style></head><body><main>
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
<fieldset role="group" aria-describedby="dob-hint{{if .Problem}} dob-error{{end}}">
<legend>Date of birth</legend>
<p id="dob-hint" class="hint">For example, 3 27 1984</p>
{{- if .Problem}}
<p id="dob-error" class="error" role="alert"><span class="visually-hidden">Error: </span>{{.ProblemText}}</p>
{{- end}}
<div class="date">
<div><label for="dob-month">Month</label>
<input id="dob-month" name="month" inputmode="numeric" pattern="[0-9]*" maxlength="2" autocomplete="bday-month"{{if .Problem}} aria-invalid="true"{{end}}></div>
<div><label for="dob-day">Day</label>
<input id="dob-day" name="day" inputmode="numeric" pattern="[0-9]*" maxlength="2" autocomplete="bday-day"{{if .Problem}} aria-invalid="true"{{end}}></div>
<div><label for="dob-year">Year</label>
<input id="dob-year" class="year" name="year" inputmode="numeric" pattern="[0-9]*" maxlength="4" autocomplete="bday-year"{{if .Problem}} aria-invalid="true"{{end}}></div>
</div>
</fieldset>
<button type="submit">Continue</button>
</form>
{{- else if eq .State "locked"}}
<h1>This link is locked</h1>
<p>The date of birth did not match too many times. Call your dental office and they will help you.</p>
{{- else if eq .State "error"}}
<h1>Something went wrong</h1>
<p>Try again in a few minutes, or call your dental office.</p>
{{- else}}
<h1>This link does not work</h1>
<p>It may have expired. Call your dental office and they will help you.</p>
{{- end}}
</main></body></html>
`))

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
