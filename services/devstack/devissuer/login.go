package devissuer

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// maxFormBytes caps the login and dev-token forms, which hold two short
// fields.
const maxFormBytes = 16 << 10

// loginPage lists the people as buttons of one form: one click signs in,
// and no password is asked for, which the page says plainly so nobody
// mistakes it for a real sign-in.
var loginPage = template.Must(template.New("login").Funcs(template.FuncMap{
	"join": strings.Join,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backdesk development sign-in</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#1f2933;background:#f5f7fa}
h1{font-size:1.4rem}
.warn{background:#fff4e5;border:1px solid #f0b429;border-radius:6px;padding:.75rem 1rem}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem 1rem;text-align:left;font:inherit;background:#fff;border:1px solid #cbd2d9;border-radius:6px;cursor:pointer}
button:hover,button:focus{border-color:#2f80ed;background:#f0f6ff}
.who{display:block;font-weight:600}
.meta{display:block;color:#52606d;font-size:.875rem}
</style>
</head>
<body>
<h1>Sign in to Backdesk</h1>
<p class="warn">This is the <strong>development identity provider</strong>. It asks for no password and must never face real users. Pick a demo person to sign in as.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="authRequestID" value="{{.AuthRequestID}}">
<p><label><input type="checkbox" name="mfa" value="true"> Signed in with a second factor (tokens say <code>amr: ["pwd","mfa"]</code>)</label></p>
{{range .Users}}<button type="submit" name="user" value="{{.Username}}"><span class="who">{{.Name}}</span><span class="meta">{{.Username}} · {{join .Groups ", "}}</span></button>
{{end}}</form>
</body>
</html>
`))

type loginView struct {
	Action        string
	AuthRequestID string
	Users         []User
}

func (i *Issuer) serveLogin(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		i.showLogin(w, r)
	case http.MethodPost:
		i.completeLogin(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (i *Issuer) showLogin(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("authRequestID")
	if _, err := i.storage.AuthRequestByID(r.Context(), id); err != nil {
		http.Error(w, "unknown or expired auth request; start the sign-in again from Backdesk", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_ = loginPage.Execute(w, loginView{
		Action:        i.prefix + loginPath,
		AuthRequestID: id,
		Users:         i.users.all(),
	})
}

// completeLogin marks the auth request done for the chosen person and
// sends the browser to op's callback, which issues the code and redirects
// to Backdesk. The auth request ID is unguessable and single use, which
// is all the forgery protection a password-less dev form needs.
func (i *Issuer) completeLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read form", http.StatusBadRequest)
		return
	}
	id := r.PostForm.Get("authRequestID")
	err := i.storage.complete(id, r.PostForm.Get("user"), r.PostForm.Get("mfa") == "true")
	switch {
	case errors.Is(err, errUnknownUser):
		http.Error(w, "unknown user", http.StatusBadRequest)
		return
	case errors.Is(err, errAlreadyDone):
		http.Error(w, "this sign-in is already complete", http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, "unknown or expired auth request; start the sign-in again from Backdesk", http.StatusBadRequest)
		return
	}
	// The callback URL is built from the issuer in the context, which op's
	// own router sets; this handler sits outside it, so set it here.
	ctx := op.ContextWithIssuer(r.Context(), i.issuer)
	http.Redirect(w, r, op.AuthCallbackURL(i.provider)(ctx, id), http.StatusSeeOther)
}

// serveLoggedOut is where end_session lands when the relying party names
// no post-logout redirect URI.
func (i *Issuer) serveLoggedOut(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("Signed out of the Backdesk development identity provider.\n"))
}
