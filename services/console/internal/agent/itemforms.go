package agent

import (
	"net/http"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// The item page's forms post here; each forwards to the API and either
// moves on or shows the page again with the form as typed and the API's
// message beside the field it names. These map the API's field names to
// the forms' own.
var (
	outcomeFields = map[string]string{"channel": "channel", "outcome": "outcome", "note": "note",
		"next_contact_at": "next_contact", "promised_cents": "promised", "paid_cents": "paid"}
	handoffFields = map[string]string{"to": "to", "team": "team", "note": "note"}
)

// itemPost is the common shape of the item forms: check the id, read the
// form, call the API, then on success go on, and on a refusal a form can
// show, show the page again.
func (p pages) itemPost(c *gin.Context, apiPath string, fields map[string]string,
	body func(f *kit.Form) any, show func(f *kit.Form) itemForms, done func(c *gin.Context, id string, f *kit.Form)) {
	kit.ReturnTo(c, "/items/"+c.Param("itemID"))
	id, ok := p.IDParam(c, "itemID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	b := body(f)
	if f.Failed() {
		p.showItem(c, show(f))
		return
	}
	r := p.CallKeyed(c, http.MethodPost, "/api/v1/work/items/"+id+apiPath, f.Get(noteKeyField), b)
	if !r.OK() {
		if f.Apply(r, fields) {
			p.showItem(c, show(f))
			return
		}
		p.Fail(c, r)
		return
	}
	done(c, id, f)
}

// outcome logs what came of a contact. Amounts are typed in dollars and
// sent in cents; the date field becomes the start of that working day in
// the agent's time zone.
func (p pages) outcome(c *gin.Context) {
	p.itemPost(c, "/outcomes", outcomeFields, func(f *kit.Form) any {
		b := api.OutcomeBody{Channel: work.Channel(f.Get("channel")), Outcome: work.Outcome(f.Get("outcome")),
			Note: strings.TrimSpace(f.Get("note")), Version: f.Int("version")}
		switch {
		case b.Outcome == "":
			f.Refuse("outcome", "Choose what came of the contact.")
		case b.Outcome.Finishes():
			// A finishing outcome takes no date: one typed anyway, where no
			// script hid the field, is left out.
		default:
			next, err := kit.ContactAt(f.Get("next_contact"), f.Get("tz"))
			switch {
			case err != nil:
				f.Refuse("next_contact", err.Error())
			case next == nil:
				f.Refuse("next_contact", "Write the next contact date: it is needed for '"+kit.Label(string(b.Outcome))+"'.")
			}
			b.NextContactAt = next
		}
		for name, amount := range map[string]*int64{"promised": &b.PromisedCents, "paid": &b.PaidCents} {
			n, err := kit.Cents(f.Get(name))
			if err != nil {
				f.Refuse(name, err.Error())
			}
			*amount = n
		}
		return b
	}, func(f *kit.Form) itemForms { return itemForms{Outcome: f} }, func(c *gin.Context, _ string, f *kit.Form) {
		msg := "Resolved."
		if d, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("next_contact"))); err == nil && !work.Outcome(f.Get("outcome")).Finishes() {
			msg = "Saved — next contact " + d.Format("Mon 2 Jan 2006") + "."
		} else if f.Get("outcome") == "declined" {
			msg = "Closed."
		}
		p.SetFlash(c, msg, false)
		kit.Redirect(c, "/queue")
	})
}

// handoff gives the item to another agent or to a team.
func (p pages) handoff(c *gin.Context) {
	p.itemPost(c, "/handoff", handoffFields, func(f *kit.Form) any {
		return api.HandoffBody{To: strings.TrimSpace(f.Get("to")), Team: strings.TrimSpace(f.Get("team")),
			Note: strings.TrimSpace(f.Get("note")), Version: f.Int("version")}
	}, func(f *kit.Form) itemForms { return itemForms{Handoff: f} }, func(c *gin.Context, _ string, _ *kit.Form) {
		p.SetFlash(c, "Handed off.", false)
		kit.Redirect(c, "/queue")
	})
}

// release gives the item back to be routed to someone else.
func (p pages) release(c *gin.Context) {
	p.itemPost(c, "/release", kit.NoteFields, func(f *kit.Form) any {
		return api.HandoffBody{Note: strings.TrimSpace(f.Get("note")), Version: f.Int("version")}
	}, func(f *kit.Form) itemForms { return itemForms{Release: f} }, func(c *gin.Context, _ string, _ *kit.Form) {
		p.SetFlash(c, "Released: the router gives it to someone else.", false)
		kit.Redirect(c, "/queue")
	})
}

// noteKeyField is the note form's hidden field holding its
// Idempotency-Key (itemPage.NoteKey); the other forms have none.
const noteKeyField = "key"

// note adds a note to the item's history and stays on the item. The
// form's key makes a note sent twice land once.
func (p pages) note(c *gin.Context) {
	p.itemPost(c, "/notes", kit.NoteFields, func(f *kit.Form) any {
		return api.NoteBody{Note: strings.TrimSpace(f.Get("note"))}
	}, func(f *kit.Form) itemForms { return itemForms{Note: f} }, func(c *gin.Context, id string, _ *kit.Form) {
		p.SetFlash(c, "Note added.", false)
		kit.Redirect(c, "/items/"+id)
	})
}
