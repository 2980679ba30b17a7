package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

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
	noteFields    = map[string]string{"note": "note"}
)

// itemPost is the common shape of the item forms: check the id, read the
// form, call the API, then on success go on, and on a refusal a form can
// show, show the page again.
func (con *Console) itemPost(c *gin.Context, apiPath string, fields map[string]string,
	body func(f *form) map[string]any, show func(f *form) itemForms, done func(c *gin.Context, id string, f *form)) {
	id := c.Param("itemID")
	if !validID.MatchString(id) {
		con.notFound(c)
		return
	}
	f := newForm(postForm(c))
	b := body(f)
	if f.Failed() {
		con.showItem(c, show(f))
		return
	}
	r := con.call(c, http.MethodPost, "/api/v1/work/items/"+id+apiPath, nil, b)
	if !r.ok() {
		if f.apply(r, fields) {
			con.showItem(c, show(f))
			return
		}
		con.fail(c, r)
		return
	}
	done(c, id, f)
}

func version(f *form) int {
	v, _ := strconv.Atoi(f.Get("version"))
	return v
}

// outcome logs what came of a contact. Amounts are typed in dollars and
// sent in cents; the date field becomes the start of that working day in
// the agent's time zone.
func (con *Console) outcome(c *gin.Context) {
	con.itemPost(c, "/outcomes", outcomeFields, func(f *form) map[string]any {
		b := map[string]any{"channel": f.Get("channel"), "outcome": f.Get("outcome"),
			"note": strings.TrimSpace(f.Get("note")), "version": version(f)}
		next, err := contactAt(f.Get("next_contact"), f.Get("tz"))
		if err != nil {
			f.refuse("next_contact", err.Error())
		} else if next != nil {
			b["next_contact_at"] = next.Format(time.RFC3339)
		}
		for name, key := range map[string]string{"promised": "promised_cents", "paid": "paid_cents"} {
			n, err := cents(f.Get(name))
			if err != nil {
				f.refuse(name, err.Error())
			} else if n > 0 {
				b[key] = n
			}
		}
		return b
	}, func(f *form) itemForms { return itemForms{Outcome: f} }, func(c *gin.Context, _ string, f *form) {
		msg := "Resolved."
		if d, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("next_contact"))); err == nil {
			msg = "Saved — next contact " + d.Format("Mon 2 Jan 2006") + "."
		} else if f.Get("outcome") == "declined" {
			msg = "Closed."
		}
		con.setFlash(c, msg, false)
		redirect(c, "/queue")
	})
}

// handoff gives the item to another agent or to a team.
func (con *Console) handoff(c *gin.Context) {
	con.itemPost(c, "/handoff", handoffFields, func(f *form) map[string]any {
		return map[string]any{"to": strings.TrimSpace(f.Get("to")), "team": strings.TrimSpace(f.Get("team")),
			"note": strings.TrimSpace(f.Get("note")), "version": version(f)}
	}, func(f *form) itemForms { return itemForms{Handoff: f} }, func(c *gin.Context, _ string, _ *form) {
		con.setFlash(c, "Handed off.", false)
		redirect(c, "/queue")
	})
}

// release gives the item back to be routed to someone else.
func (con *Console) release(c *gin.Context) {
	con.itemPost(c, "/release", noteFields, func(f *form) map[string]any {
		return map[string]any{"note": strings.TrimSpace(f.Get("note")), "version": version(f)}
	}, func(f *form) itemForms { return itemForms{Release: f} }, func(c *gin.Context, _ string, _ *form) {
		con.setFlash(c, "Released: the router gives it to someone else.", false)
		redirect(c, "/queue")
	})
}

// note adds a note to the item's history and stays on the item.
func (con *Console) note(c *gin.Context) {
	con.itemPost(c, "/notes", noteFields, func(f *form) map[string]any {
		return map[string]any{"note": strings.TrimSpace(f.Get("note"))}
	}, func(f *form) itemForms { return itemForms{Note: f} }, func(c *gin.Context, id string, _ *form) {
		con.setFlash(c, "Note added.", false)
		redirect(c, "/items/"+id)
	})
}
