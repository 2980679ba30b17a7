package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/identity"
	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
)

// pending is a login waiting for the provider's callback. It lives in Redis
// under a hash of its state and is taken (read and deleted) exactly once.
type pending struct {
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	ReturnTo string `json:"return_to"`
}

func pendingKey(state string) string {
	h := sha256.Sum256([]byte(state))
	return "backdesk:login:" + hex.EncodeToString(h[:])
}

func (a *API) login(c *gin.Context) {
	ctx := c.Request.Context()
	attempt, err := a.d.Login.Begin(ctx)
	if err != nil {
		a.d.Log.WarnContext(ctx, "login cannot start", "error", err.Error())
		a.page(c, http.StatusServiceUnavailable, "Sign-in is unavailable", "The identity provider cannot be reached. Try again in a minute.")
		return
	}
	raw, _ := json.Marshal(pending{Nonce: attempt.Nonce, Verifier: attempt.Verifier, ReturnTo: safeReturn(c.Query("return_to"))})
	if err := a.d.Redis.Set(ctx, pendingKey(attempt.State), raw, loginTTL).Err(); err != nil {
		a.page(c, http.StatusServiceUnavailable, "Sign-in is unavailable", "Sessions cannot be stored right now. Try again in a minute.")
		return
	}
	// The cookie ties the callback to this browser, so nobody can complete
	// a login they started into someone else's browser.
	a.setCookie(c, loginCookie, attempt.State, "/auth", int(loginTTL.Seconds()))
	c.Redirect(http.StatusFound, attempt.URL)
}

func (a *API) callback(c *gin.Context) {
	ctx := c.Request.Context()
	a.setCookie(c, loginCookie, "", "/auth", -1)
	if e := c.Query("error"); e != "" {
		a.page(c, http.StatusBadRequest, "Sign-in was not completed", "The identity provider answered: "+clip(e)+". Sign in again.")
		return
	}
	state := c.Query("state")
	cookie, _ := c.Cookie(loginCookie)
	if state == "" || cookie != state {
		a.page(c, http.StatusBadRequest, "Sign-in could not be verified", "This sign-in did not start in this browser, or it was already used. Sign in again.")
		return
	}
	raw, err := a.d.Redis.GetDel(ctx, pendingKey(state)).Bytes()
	var p pending
	if errors.Is(err, redis.Nil) || (err == nil && json.Unmarshal(raw, &p) != nil) {
		a.page(c, http.StatusBadRequest, "Sign-in expired", "This sign-in took too long or was already used. Sign in again.")
		return
	}
	if err != nil {
		a.page(c, http.StatusServiceUnavailable, "Sign-in is unavailable", "Sessions cannot be read right now. Try again in a minute.")
		return
	}
	claims, tokens, err := a.d.Login.Finish(ctx, oidcauth.Attempt{State: state, Nonce: p.Nonce, Verifier: p.Verifier}, state, c.Query("code"))
	if err != nil {
		a.d.Log.InfoContext(ctx, "login refused", "reason", err.Error())
		// A refusal gives nothing away, so it is answered even when its
		// event cannot be recorded.
		refuse := func() {
			a.page(c, http.StatusBadRequest, "Sign-in could not be verified", "The identity provider's answer did not check out. Sign in again.")
		}
		var pe *oidcauth.ProviderError
		if errors.As(err, &pe) {
			// The provider said why; a configuration mistake (a wrong
			// client secret) must not pass for a bad answer.
			refuse = func() {
				msg := "The identity provider refused to complete the sign-in: " + pe.Code
				if pe.Description != "" {
					msg += " (" + pe.Description + ")"
				}
				msg += "."
				if h := pe.Hint(); h != "" {
					msg += " " + h
				}
				a.page(c, http.StatusBadGateway, "Sign-in was refused by the identity provider", msg)
			}
		}
		a.recordLogin(c, audit.Actor{Subject: "unverified"}, audit.ActionLogin, audit.OutcomeDeny, "the provider's answer did not verify", refuse, refuse)
		return
	}
	id := identity.Identity{Issuer: claims.Issuer, Subject: claims.Subject, Name: claims.Name, Email: claims.Email,
		EmailVerified: claims.EmailVerified, Groups: claims.Groups(a.d.RolesClaim), MFA: claims.MFA}
	// Resolving now records the user and binds invitations at first login.
	if _, err := a.d.Identity.Principal(ctx, id); err != nil {
		a.d.Log.WarnContext(ctx, "login: principal", "error", err.Error())
		a.page(c, http.StatusServiceUnavailable, "Sign-in is unavailable", "Your account could not be loaded. Try again in a minute.")
		return
	}
	actor := auditmw.ActorFrom(c)
	actor.Issuer, actor.Subject = id.Issuer, id.Subject
	a.recordLogin(c, actor, audit.ActionLogin, audit.OutcomeAllow, "", func() { a.signIn(c, id, tokens, p.ReturnTo) }, func() {
		a.page(c, http.StatusServiceUnavailable, "Sign-in is unavailable", "Sign-ins cannot be recorded right now, so none are allowed. Try again in a minute.")
	})
}

// signIn starts the session of a sign-in whose event is recorded and
// sends the browser back where it was going.
func (a *API) signIn(c *gin.Context, id identity.Identity, tokens oidcauth.Tokens, returnTo string) {
	ctx := c.Request.Context()
	// The ID token is kept only for providers that need it back at
	// logout, the access and refresh tokens only for re-checks, and all
	// of them sealed under the cookie.
	var sec session.Secrets
	if a.d.LogoutIDTokenHint {
		sec.IDToken = tokens.ID
	}
	if a.d.KeepTokens {
		sec.AccessToken, sec.RefreshToken = tokens.Access, tokens.Refresh
	}
	sid, _, err := a.d.Sessions.Create(ctx, session.Session{
		Issuer: id.Issuer, Subject: id.Subject, Name: id.Name, Email: id.Email,
		EmailVerified: id.EmailVerified, Groups: id.Groups, MFA: id.MFA,
	}, sec)
	if err != nil {
		a.page(c, http.StatusServiceUnavailable, "Sign-in is unavailable", "Sessions cannot be stored right now. Try again in a minute.")
		return
	}
	a.setCookie(c, authn.SessionCookie, sid, "/", 0)
	a.d.Log.InfoContext(ctx, "signed in", "issuer", id.Issuer, "subject", id.Subject)
	c.Redirect(http.StatusSeeOther, returnTo)
}

func (a *API) logout(c *gin.Context) {
	ctx := c.Request.Context()
	var hint string
	if sid, _ := c.Cookie(authn.SessionCookie); sid != "" {
		if sess, err := a.d.Sessions.Get(ctx, sid); err == nil {
			hint = a.d.Sessions.OpenIDToken(sid, sess)
		}
		_ = a.d.Sessions.Delete(ctx, sid)
	}
	a.setCookie(c, authn.SessionCookie, "", "/", -1)
	// The session is gone already: the browser leaves whether or not the
	// sign-out could be recorded.
	leave := func() {
		back := strings.TrimSuffix(a.d.PublicURL, "/") + "/auth/logged-out"
		if u, ok := a.d.Login.EndSessionURL(context.WithoutCancel(ctx), hint, back); ok {
			c.Redirect(http.StatusSeeOther, u)
			return
		}
		c.Redirect(http.StatusSeeOther, "/auth/logged-out")
	}
	a.recordLogin(c, auditmw.ActorFrom(c), audit.ActionLogout, audit.OutcomeAllow, "", leave, leave)
}

func (a *API) loggedOut(c *gin.Context) {
	a.page(c, http.StatusOK, "You are signed out", "Your session has ended on this computer.")
}

// safeReturn keeps the post-login redirect on this site: only a local
// absolute path. Control characters and backslashes are refused outright,
// because browsers drop or rewrite them ("/\t/evil" becomes "//evil").
func safeReturn(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return "/"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return s
}

func clip(s string) string {
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// recordLogin writes a sign-in or sign-out event, then answers with
// answer. An event that cannot be recorded is logged and answered with
// unrecorded instead. Without a recorder nothing is recorded.
func (a *API) recordLogin(c *gin.Context, actor audit.Actor, action audit.Action, outcome audit.Outcome, reason string,
	answer, unrecorded func()) {
	if a.d.Recorder == nil {
		answer()
		return
	}
	e := auditmw.Event(c, action)
	e.Actor, e.Outcome, e.Reason = actor, outcome, reason
	auditmw.Then(c, a.d.Recorder, e, answer, func(err error) {
		a.d.Log.WarnContext(c.Request.Context(), "sign-in event not recorded", "action", string(action), "error", err.Error())
		unrecorded()
	})
}
