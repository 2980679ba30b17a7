package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// The console's own cookies hold no account data: a message for the next
// page, the presence last set, the ids of access requests made here.
const (
	flashCookie    = "backdesk_flash"
	presenceCookie = "backdesk_presence"
	requestsCookie = "backdesk_requests"
)

// flash is a one-time message shown on the page a form redirects to.
type flash struct {
	Text  string
	Error bool
}

func setCookie(c *gin.Context, secure bool, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode})
}

// setFlash keeps text for the next page, for a minute at most.
func (con *Console) setFlash(c *gin.Context, text string, isError bool) {
	kind := "ok"
	if isError {
		kind = "error"
	}
	setCookie(c, con.d.SecureCookies, flashCookie, url.QueryEscape(kind+"|"+text), 60)
}

// takeFlash returns the waiting message, if any, and clears it.
func takeFlash(c *gin.Context, secure bool) flash {
	raw, err := c.Cookie(flashCookie)
	if err != nil || raw == "" {
		return flash{}
	}
	setCookie(c, secure, flashCookie, "", -1)
	s, err := url.QueryUnescape(raw)
	if err != nil {
		return flash{}
	}
	kind, text, _ := strings.Cut(s, "|")
	return flash{Text: text, Error: kind == "error"}
}

// maxRemembered bounds the access requests a browser remembers.
const maxRemembered = 20

// remembered returns the ids of the access requests made from this
// browser, newest first.
func remembered(c *gin.Context) []string {
	raw, _ := c.Cookie(requestsCookie)
	var out []string
	for _, id := range strings.Split(raw, ".") {
		if validID.MatchString(id) {
			out = append(out, id)
		}
	}
	return out
}

// remember adds an access request id to those this browser shows.
func (con *Console) remember(c *gin.Context, id string) {
	ids := append([]string{id}, remembered(c)...)
	if len(ids) > maxRemembered {
		ids = ids[:maxRemembered]
	}
	setCookie(c, con.d.SecureCookies, requestsCookie, strings.Join(ids, "."), 90*24*3600)
}
