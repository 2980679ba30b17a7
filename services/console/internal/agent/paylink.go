package agent

import (
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/gin-gonic/gin"
)

// A balance follow-up's statement and pay link: the latest statement of
// the account, opened through the console as the API writes it, and the
// form that texts or e-mails the patient a link to pay what is due. A
// send is the outcome "sent" with its message, as the send form's is, so
// the form carries the next contact date, a note and the item's version.

// payLinkBody is a pay link's send as the API takes it: the API picks
// the template and the amount.
type payLinkBody struct {
	Channel       string     `json:"channel"`
	NextContactAt *time.Time `json:"next_contact_at"`
	Note          string     `json:"note"`
	Version       int        `json:"version"`
}

// payLinkFields map the API's field names of a pay link's send to the
// form's. A refusal of the item itself (nothing due, not a balance) is
// said at the top of the form; one of the version above it.
var payLinkFields = map[string]string{"channel": "channel", "next_contact_at": "next_contact", "note": "note", "item": "item"}

// payLink sends the patient a link to pay the balance, by text or
// e-mail, and comes back to the item, whose thread then shows it.
func (p pages) payLink(c *gin.Context) {
	p.itemPost(c, "/payment-link", payLinkFields, func(f *kit.Form) any {
		b := payLinkBody{Channel: f.Get("channel"), Note: strings.TrimSpace(f.Get("note")), Version: f.Int("version")}
		if b.Channel != "text" && b.Channel != "email" {
			f.Refuse("channel", "Choose a text or an e-mail.")
		}
		next, err := kit.ContactAt(f.Get("next_contact"), f.Get("tz"))
		switch {
		case err != nil:
			f.Refuse("next_contact", err.Error())
		case next == nil:
			f.Refuse("next_contact", "Write the next contact date: the item waits for the patient to pay until then.")
		}
		b.NextContactAt = next
		return b
	}, func(f *kit.Form) itemForms {
		for k, v := range f.Errors {
			f.Errors[k] = sentence(v)
		}
		return itemForms{PayLink: f}
	}, func(c *gin.Context, id string, f *kit.Form) {
		msg := "Pay link sent by " + strings.ToLower(kit.ChannelText(f.Get("channel"))) + "."
		if d, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("next_contact"))); err == nil {
			msg = strings.TrimSuffix(msg, ".") + " — next contact " + d.Format("Mon 2 Jan 2006") + "."
		}
		p.SetFlash(c, msg, false)
		kit.Redirect(c, "/items/"+id)
	})
}

// sentence starts s with a capital and ends it with a full stop: the
// API words its refusals as the end of one.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// statement opens the newest statement of the account the item is about,
// as the API writes it; the API records the look as a disclosure first.
// An account with no statement yet gets a page that says so.
func (p pages) statement(c *gin.Context) {
	id, ok := p.IDParam(c, "itemID")
	if !ok {
		return
	}
	r, ok := p.Stream(c, "/api/v1/work/items/"+id+"/statement", nil)
	switch {
	case ok:
	case r.Status == http.StatusNotFound:
		// A page like any other (200): there is nothing to fix.
		p.Show(c, views, "nostatement", "No statement yet", "queue", id)
	default:
		p.Fail(c, r)
	}
}
