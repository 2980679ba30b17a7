package access

import (
	"html/template"

	"github.com/gin-gonic/gin"
)

// The access service's few pages (sign-in problems, signed out) are plain
// and self-contained: they are shown without a session, so they use none
// of the console's layout or files.
var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Backdesk</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
a,button{font:inherit}button{padding:.4rem 1rem;cursor:pointer}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}</style>
</head><body><main>
<h1>{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="/auth/login">Sign in</a></p>
</main></body></html>`))

type pageData struct {
	Title, Message string
}

func (a *API) page(c *gin.Context, status int, title, message string) {
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	_ = pageTmpl.Execute(c.Writer, pageData{Title: title, Message: message})
}
