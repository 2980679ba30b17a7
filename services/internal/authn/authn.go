// Package authn is the one authentication middleware every service uses:
// a bearer token (verified against the OpenID provider) or a session
// cookie (from the browser login) becomes an identity.Principal on the
// request. Without either, API routes answer 401 with the JSON error body
// and pages redirect to the login. Session-authenticated requests that
// change state must carry the session's CSRF token.
package authn

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/gin-gonic/gin"
)

// Cookie and header names.
const (
	SessionCookie = "backdesk_session"
	CSRFHeader    = "X-CSRF-Token"
	CSRFField     = "csrf_token"
	// ActivityHeader set to "background" marks a request nobody asked for
	// just now (polling, a lease heartbeat): it is served, but it does not
	// keep the session from idling out.
	ActivityHeader = "X-Backdesk-Activity"
)

// backgroundKey marks, on the gin context, a request that must not count
// as the person's activity.
const backgroundKey = "backdesk.background"

// Background is a handler for routes that pages call on their own, such
// as a lease heartbeat: whatever the client says, they never extend the
// session's idle time.
func Background(c *gin.Context) {
	c.Set(backgroundKey, true)
	c.Next()
}

// IsBackground reports whether the request was marked as background.
func IsBackground(c *gin.Context) bool {
	return c.GetBool(backgroundKey) || strings.EqualFold(c.GetHeader(ActivityHeader), "background")
}

// Authenticator resolves the caller of each request.
type Authenticator struct {
	Verifier   *oidcauth.Verifier
	Sessions   *session.Store
	Identity   *identity.Service
	RolesClaim string
	Log        *slog.Logger
	// Recheck, when set with RecheckEvery, asks the provider again about
	// a browser session's person once RecheckEvery has passed since it
	// last vouched for them (BACKDESK_OIDC_RECHECK_INTERVAL): a person
	// disabled there loses the session, and changed groups take effect.
	Recheck      Rechecker
	RecheckEvery time.Duration
	// Now is the clock of re-checks; nil is time.Now.
	Now func() time.Time
}

// Rechecker asks the identity provider again about a signed-in person
// (oidcauth.Login does).
type Rechecker interface {
	Recheck(ctx context.Context, subject string, t oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error)
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p, so domain code can see who acts.
func WithPrincipal(ctx context.Context, p identity.Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the principal of an authenticated request.
func PrincipalFrom(ctx context.Context) (identity.Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(identity.Principal)
	return p, ok
}

var (
	errNoCredentials = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "unauthenticated", Message: "sign in or send a bearer token"}
	errBadToken      = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "invalid_token", Message: "the bearer token is not valid"}
	errBadScheme     = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "invalid_token", Message: "the Authorization header must be: Bearer <token>"}
	errSession       = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "session_expired", Message: "your session has ended; sign in again"}
	errRevoked       = &apperr.Error{Kind: apperr.KindUnauthenticated, Code: "session_expired", Message: "your identity provider no longer vouches for this sign-in; sign in again"}
	errCSRF          = &apperr.Error{Kind: apperr.KindForbidden, Code: "csrf", Message: "missing or wrong CSRF token; reload the page and try again"}
	errIdP           = apperr.Unavailable("the identity provider cannot be reached", nil)
)

// Require is the middleware: no principal, no entry.
func (a *Authenticator) Require() gin.HandlerFunc {
	return func(c *gin.Context) {
		p, sid, err := a.authenticate(c)
		if err != nil {
			a.refuse(c, err)
			return
		}
		c.Request = c.Request.WithContext(WithPrincipal(c.Request.Context(), p))
		c.Next()
		if sid != "" && !IsBackground(c) {
			// Only what the person does restarts the idle timer. The touch
			// is a compare-and-set: a logout meanwhile stays a logout.
			if err := a.Sessions.Touch(context.WithoutCancel(c.Request.Context()), sid); err != nil && !errors.Is(err, session.ErrNoSession) {
				a.Log.WarnContext(c.Request.Context(), "session activity not recorded", "error", err.Error())
			}
		}
	}
}

// authenticate returns the caller and, for a browser session, the
// session id (the cookie), which stays out of the principal.
func (a *Authenticator) authenticate(c *gin.Context) (identity.Principal, string, error) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return identity.Principal{}, "", errBadScheme
		}
		claims, err := a.Verifier.Verify(ctx, strings.TrimSpace(tok))
		if err != nil {
			if errors.Is(err, oidcauth.ErrInvalidToken) {
				a.Log.InfoContext(ctx, "bearer token refused", "reason", err.Error())
				return identity.Principal{}, "", errBadToken
			}
			a.Log.WarnContext(ctx, "token verification unavailable", "error", err.Error())
			var mm *oidcauth.IssuerMismatchError
			if errors.As(err, &mm) {
				return identity.Principal{}, "", apperr.Unavailable("the identity provider is misconfigured: "+mm.Error(), err)
			}
			return identity.Principal{}, "", errIdP
		}
		p, err := a.Identity.Principal(ctx, identity.Identity{
			Issuer: claims.Issuer, Subject: claims.Subject, Name: claims.Name,
			Email: claims.Email, EmailVerified: claims.EmailVerified, Groups: claims.Groups(a.RolesClaim),
			MFA: claims.MFA,
		})
		return p, "", err
	}
	id, err := c.Cookie(SessionCookie)
	if err != nil || id == "" {
		return identity.Principal{}, "", errNoCredentials
	}
	sess, err := a.Sessions.Get(ctx, id)
	if errors.Is(err, session.ErrNoSession) {
		return identity.Principal{}, "", errSession
	}
	if err != nil {
		return identity.Principal{}, "", apperr.Unavailable("sessions are unavailable", err)
	}
	if unsafeMethod(c.Request.Method) && !csrfOK(c, sess.CSRF) {
		return identity.Principal{}, "", errCSRF
	}
	if a.Recheck != nil && a.RecheckEvery > 0 && a.now().Sub(sess.CheckedAt) >= a.RecheckEvery {
		if sess, err = a.recheck(ctx, id, sess); err != nil {
			return identity.Principal{}, "", err
		}
	}
	p, err := a.Identity.Principal(ctx, identity.Identity{
		Issuer: sess.Issuer, Subject: sess.Subject, Name: sess.Name,
		Email: sess.Email, EmailVerified: sess.EmailVerified, Groups: sess.Groups, MFA: sess.MFA,
	})
	if err != nil {
		return identity.Principal{}, "", err
	}
	p.SessionRef, p.CSRF = sess.Ref, sess.CSRF
	return p, id, nil
}

func (a *Authenticator) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// recheck asks the provider about the person of session id, ends the
// session when it no longer vouches for them, and otherwise records what
// it says now. When the provider cannot be asked the session goes on,
// and the next request after a minute asks again.
func (a *Authenticator) recheck(ctx context.Context, id string, sess session.Session) (session.Session, error) {
	sec := a.Sessions.Secrets(id, sess)
	c, tok, err := a.Recheck.Recheck(ctx, sess.Subject, oidcauth.Tokens{ID: sec.IDToken, Access: sec.AccessToken, Refresh: sec.RefreshToken})
	now := a.now()
	switch {
	case errors.Is(err, oidcauth.ErrRevoked):
		if err := a.Sessions.Delete(ctx, id); err != nil {
			return sess, apperr.Unavailable("sessions are unavailable", err)
		}
		a.Log.InfoContext(ctx, "session ended at re-check", "session_ref", sess.Ref, "reason", err.Error())
		return sess, errRevoked
	case err != nil:
		a.Log.WarnContext(ctx, "session re-check postponed: the identity provider could not be asked", "session_ref", sess.Ref, "error", err.Error())
		retry := now.Add(time.Minute - a.RecheckEvery)
		if retry.After(sess.CheckedAt) {
			_ = a.Sessions.Rechecked(ctx, id, sess, retry, nil, sec)
		}
		return sess, nil
	}
	apply := func(s *session.Session) {
		// The roles claim is applied even when absent: a person removed
		// from every group loses every role.
		s.Groups = c.Groups(a.RolesClaim)
		if c.Name != "" {
			s.Name = c.Name
		}
		if c.Email != "" {
			s.Email, s.EmailVerified = c.Email, c.EmailVerified
		}
	}
	next := session.Secrets{AccessToken: tok.Access, RefreshToken: tok.Refresh}
	if sec.IDToken != "" {
		next.IDToken = tok.ID // kept only where the sign-in kept one
	}
	if err := a.Sessions.Rechecked(ctx, id, sess, now, apply, next); err != nil {
		if errors.Is(err, session.ErrNoSession) {
			return sess, errSession
		}
		return sess, apperr.Unavailable("sessions are unavailable", err)
	}
	apply(&sess)
	return sess, nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// csrfOK checks the session's CSRF token, from the header scripts send or
// from a form posted without script. The form is read no further than the
// token: a URL-encoded form is small (the body limit holds it), and of a
// multipart form only the first part is read, where the console's forms
// put the token, and then put back, so an upload is never parsed (or
// spilled to disk) before the caller is known.
func csrfOK(c *gin.Context, want string) bool {
	got := c.GetHeader(CSRFHeader)
	if got == "" {
		got = FormToken(c)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// FormToken reads the CSRF field of a form posted without script, as the
// authentication does: the whole of a URL-encoded form, only the first
// part of a multipart one (which is then put back for the handler).
func FormToken(c *gin.Context) string {
	switch c.ContentType() {
	case "application/x-www-form-urlencoded":
		return c.PostForm(CSRFField)
	case "multipart/form-data":
		return firstPartToken(c.Request)
	}
	return ""
}

// refuse answers an unauthenticated request: JSON for the API, a redirect
// to the login for pages.
func (a *Authenticator) refuse(c *gin.Context, err error) {
	if IsAPI(c.Request.URL.Path) || apperr.KindOf(err) != apperr.KindUnauthenticated || c.Request.Method != http.MethodGet {
		if apperr.KindOf(err) == apperr.KindUnauthenticated {
			c.Header("WWW-Authenticate", `Bearer realm="backdesk"`)
		}
		web.Fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/auth/login?return_to="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// IsAPI tells JSON endpoints from pages.
func IsAPI(path string) bool { return strings.HasPrefix(path, "/api/") }
