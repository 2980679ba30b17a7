package access

import (
	"html/template"
	"net/http"

	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// The access service's few pages are plain and self-contained; the shared
// layout of the web console replaces them.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Backdesk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
a,button{font:inherit}button{padding:.4rem 1rem;cursor:pointer}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}</style>
</head><body><main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
{{if .User}}
<p>Signed in as <strong>{{.User}}</strong>{{if .Roles}} ({{range $i, $r := .Roles}}{{if $i}}, {{end}}{{$r}}{{end}}){{end}}.</p>
<form method="post" action="/auth/logout"><input type="hidden" name="csrf_token" value="{{.CSRF}}"><button type="submit">Sign out</button></form>
{{else}}
<p><a href="/auth/login">Sign in</a></p>
{{end}}
</main></body></html>`))

type pageData struct {
	Title, Message, User, CSRF string
	Roles                      []string
}

func (a *API) page(c *gin.Context, status int, title, message string) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	_ = pageTmpl.Execute(c.Writer, pageData{Title: title, Message: message})
}

func (a *API) home(c *gin.Context) {
	p, _ := authn.PrincipalFrom(c.Request.Context())
	d := pageData{Title: "Backdesk", Message: "Your work will appear here.", User: p.Name, CSRF: p.CSRF}
	if d.User == "" {
		d.User = p.Subject
	}
	for _, r := range p.Roles {
		d.Roles = append(d.Roles, string(r))
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	_ = pageTmpl.Execute(c.Writer, d)
}
