package kit

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// Templates are one persona's pages, each parsed with the shared layout
// and partials.
type Templates struct {
	sets map[string]*template.Template
}

// Parse reads the pages named in pages from fsys's templates folder, each
// with the layout, the shared partials, its own file and the extra files
// listed for it (its forms, a partial of its own), and panics on a
// template that does not parse, as the binary cannot serve without it.
func Parse(fsys fs.FS, pages map[string][]string) *Templates {
	t := &Templates{sets: make(map[string]*template.Template, len(pages))}
	for name, extra := range pages {
		set := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
		files := []string{"templates/" + name + ".html"}
		for _, e := range extra {
			files = append(files, "templates/"+e+".html")
		}
		t.sets[name] = template.Must(set.ParseFS(fsys, files...))
	}
	return t
}

// own are the kit's own pages.
var own = Parse(templateFS, map[string][]string{"error": nil})

// Show renders the page name of t, filled by data, in the layout (200).
func (k *Kit) Show(c *gin.Context, t *Templates, name, title, section string, data any) {
	k.render(c, http.StatusOK, t, name, k.Page(c, title, section, data))
}

// render writes page name with status. Pages carry account data, so no
// cache keeps them, and the policy allows nothing but this origin.
func (k *Kit) render(c *gin.Context, status int, t *Templates, name string, v View) {
	var buf bytes.Buffer
	if err := t.sets[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		// The error may quote the data, which may be PHI: log the page only.
		k.d.Log.ErrorContext(c.Request.Context(), "console: page failed to render", "page", name)
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString("<!doctype html><title>Error</title><p>This page could not be shown. Reload to try again.</p>")
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", k.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.Status(status)
	_, _ = c.Writer.Write(buf.Bytes())
}

// Fragment writes the template name of page's set, without the layout:
// the part of a page that htmx swaps in.
func (k *Kit) Fragment(c *gin.Context, t *Templates, page, name string, data any) {
	var buf bytes.Buffer
	if err := t.sets[page].ExecuteTemplate(&buf, name, data); err != nil {
		k.d.Log.ErrorContext(c.Request.Context(), "console: fragment failed to render", "page", page, "fragment", name)
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

// problem is what the error page says.
type problem struct {
	Status  int
	Heading string
	Message string
	Code    string
}

// Fail renders the API's refusal or failure as a page a person can act
// on: a 403 says what rule refused and why, with its code. A 401 sends
// the browser to sign in and come back.
func (k *Kit) Fail(c *gin.Context, r Reply) {
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
	k.render(c, r.Status, own, "error", k.Page(c, p.Heading, "", p))
}

// NotFound renders the not-found page without asking the API.
func (k *Kit) NotFound(c *gin.Context) {
	k.Fail(c, Reply{Status: http.StatusNotFound, Err: errDetail("not_found", "")})
}

// IDParam returns the id in the path parameter name, or renders the
// not-found page when it is no id: it never reaches an API path.
func (k *Kit) IDParam(c *gin.Context, name string) (string, bool) {
	id := c.Param(name)
	if !ValidID(id) {
		k.NotFound(c)
		return "", false
	}
	return id, true
}

// Redirect answers a form post with a redirect to a page (303, so the
// browser follows with a GET and a reload does not post again).
func Redirect(c *gin.Context, to string) { c.Redirect(http.StatusSeeOther, to) }

// GoOn sends the browser on to a page after a form: with a redirect, or
// for the page's script, which posted the form itself, with htmx's header
// that makes it load the page.
func GoOn(c *gin.Context, to string) {
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusOK)
		return
	}
	Redirect(c, to)
}
