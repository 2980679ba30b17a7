package kit

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// The console's own cookies hold no account data: a message for the next
// page, the presence last set, the ids of access requests made here.
const (
	FlashCookie    = "backdesk_flash"
	PresenceCookie = "backdesk_presence"
	RequestsCookie = "backdesk_requests"
)

// Flash is a one-time message shown on the page a form redirects to.
type Flash struct {
	Text  string
	Error bool
}

// SetCookie sets one of the console's cookies: HttpOnly, same-site lax,
// Secure on an https site; maxAge in seconds, negative to delete it.
func (k *Kit) SetCookie(c *gin.Context, name, value string, maxAge int) {
	setCookie(c, k.d.SecureCookies, name, value, maxAge)
}

func setCookie(c *gin.Context, secure bool, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// SetFlash keeps text for the next page, for a minute at most.
func (k *Kit) SetFlash(c *gin.Context, text string, isError bool) {
	kind := "ok"
	if isError {
		kind = "error"
	}
	k.SetCookie(c, FlashCookie, url.QueryEscape(kind+"|"+text), 60)
}

// takeFlash returns the waiting message, if any, and clears it.
func takeFlash(c *gin.Context, secure bool) Flash {
	raw, err := c.Cookie(FlashCookie)
	if err != nil || raw == "" {
		return Flash{}
	}
	setCookie(c, secure, FlashCookie, "", -1)
	s, err := url.QueryUnescape(raw)
	if err != nil {
		return Flash{}
	}
	kind, text, _ := strings.Cut(s, "|")
	return Flash{Text: text, Error: kind == "error"}
}

// maxRemembered bounds the access requests a browser remembers.
const maxRemembered = 20

// Remembered returns the ids of the access requests made from this
// browser, newest first.
func Remembered(c *gin.Context) []string {
	raw, _ := c.Cookie(RequestsCookie)
	var out []string
	for _, id := range strings.Split(raw, ".") {
		if ValidID(id) {
			out = append(out, id)
		}
	}
	return out
}

// Remember adds an access request id to those this browser shows.
func (k *Kit) Remember(c *gin.Context, id string) {
	ids := append([]string{id}, Remembered(c)...)
	if len(ids) > maxRemembered {
		ids = ids[:maxRemembered]
	}
	k.SetCookie(c, RequestsCookie, strings.Join(ids, "."), 90*24*3600)
}
