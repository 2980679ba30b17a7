package admin

import (
	"cmp"
	"net/http"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// outboxEntry is one message of the dev outbox, as the API answers it:
// To is the patient's number or address, unmasked, as the provider was
// given it.
type outboxEntry struct {
	PracticeID string             `json:"practice_id"`
	ItemID     string             `json:"item_id"`
	To         string             `json:"to"`
	Message    kit.PatientMessage `json:"message"`
}

// outboxRow is an entry with its practice named and its reply form.
type outboxRow struct {
	outboxEntry
	Practice string
	Zone     string // the practice's IANA zone; empty shows UTC
	// Reply is the form answering an outbound text as its patient; nil
	// for e-mails and replies, which cannot be answered here.
	Reply *kit.Form
}

type outboxPage struct {
	// Real is set where there is no dev outbox: messages go through the
	// real providers.
	Real bool
	Rows []outboxRow
}

// replyFields map the API's field of a reply to the form's.
var replyFields = map[string]string{"body": "body"}

// outbox lists the latest messages the dev provider took, newest first,
// each with its practice by name.
func (p pages) outbox(c *gin.Context) { p.showOutbox(c, "", nil) }

// showOutbox renders the outbox; the reply form of message replyTo is
// shown as submitted, with its messages.
func (p pages) showOutbox(c *gin.Context, replyTo string, reply *kit.Form) {
	r := p.Call(c, http.MethodGet, "/api/v1/messages/outbox", nil, nil)
	var page outboxPage
	var out struct {
		Messages []outboxEntry `json:"messages"`
	}
	switch {
	case r.Status == http.StatusNotFound:
		page.Real = true
		p.Show(c, views, "outbox", "Dev outbox", "outbox", page)
		return
	case !r.OK():
		p.Fail(c, r)
		return
	case r.Decode(&out) != nil:
		p.Broken(c, r)
		return
	}
	want := map[string]bool{}
	for _, e := range out.Messages {
		want[e.PracticeID] = true
	}
	practices := p.practices(c, want)
	for _, e := range out.Messages {
		pr := practices[e.PracticeID]
		row := outboxRow{outboxEntry: e, Practice: cmp.Or(pr.Name, "Unnamed practice"), Zone: pr.Timezone}
		if e.Message.Direction == "out" && e.Message.Channel == "text" {
			row.Reply = kit.NewForm(nil)
			if e.Message.ID == replyTo && reply != nil {
				row.Reply = reply
			}
		}
		page.Rows = append(page.Rows, row)
	}
	p.Show(c, views, "outbox", "Dev outbox", "outbox", page)
}

// maxPracticePages bounds the walk through the list of practices.
const maxPracticePages = 10

// practices finds the practices named by id in want, from the API's list
// of practices (platform admins see every one), a page at a time until
// all are found. One the list does not give stays unnamed.
func (p pages) practices(c *gin.Context, want map[string]bool) map[string]api.Practice {
	found := map[string]api.Practice{}
	q := url.Values{"limit": {"200"}}
	for range maxPracticePages {
		if len(found) == len(want) {
			break
		}
		var list api.PracticeList
		if r := p.Call(c, http.MethodGet, "/api/v1/practices", q, nil); !r.OK() || r.Decode(&list) != nil {
			break
		}
		for _, pr := range list.Items {
			if want[pr.ID] {
				found[pr.ID] = pr
			}
		}
		if list.NextAfter == "" {
			break
		}
		q.Set("after", list.NextAfter)
	}
	return found
}

// reply answers an outbound text as its patient: the API takes it as the
// provider's inbound webhook would, so it lands on the item's thread, and
// STOP opts the number out.
func (p pages) reply(c *gin.Context) {
	kit.ReturnTo(c, "/outbox")
	id, ok := p.IDParam(c, "messageID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	body := strings.TrimSpace(f.Get("body"))
	if body == "" {
		f.Refuse("body", "Write what the patient answers, such as “Can I pay Friday?”, or STOP.")
		p.showOutbox(c, id, f)
		return
	}
	r := p.Call(c, http.MethodPost, "/api/v1/messages/outbox/"+id+"/reply", nil, map[string]string{"body": body})
	if !r.OK() {
		if f.Apply(r, replyFields) {
			p.showOutbox(c, id, f)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, "Answered as the patient: the reply is on the item's messages.", false)
	kit.Redirect(c, "/outbox")
}
