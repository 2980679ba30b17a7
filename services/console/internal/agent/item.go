package agent

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// itemAnswer is the API's item view with the patient kept as it came:
// the account is laid out in the order of its keys.
type itemAnswer struct {
	api.ItemView
	Patient json.RawMessage `json:"patient"`
}

// itemForms are the item page's forms, as submitted when one is shown
// again with its messages.
type itemForms struct {
	Outcome, Handoff, Release, Note, Message, PayLink *kit.Form
	// Draft is the message the send form previewed, if it did.
	Draft *draft
}

type itemPage struct {
	api.ItemView
	itemForms
	ID       string
	Me       string
	CSRF     string // the forms' token: their templates see only this page
	Account  []section
	Timeline []api.Activity // newest first
	Teams    []api.Team     // nil unless the person may list teams
	Channels []work.Channel
	Outcomes []work.Outcome // those of the item's kind
	// NoteKey names the note form's one note, sent as its Idempotency-Key:
	// a double click, or a form sent again from the browser's history,
	// keeps the note once. A refused form keeps its key.
	NoteKey string
	// Finishing are the offered outcomes that finish the item and so
	// take no next contact date, space-separated for the form's script.
	Finishing string
	// FinishingText says in words which outcomes need no date.
	FinishingText string
	// Suggest is the next contact date the practice's cadence suggests,
	// offered as a quick pick: in how many days, and the date in words.
	SuggestDays int
	SuggestDate string
	Picks       []int // quick picks for the next contact date, in days
	Sheet       callSheet
	Names       map[string]string // colleagues' display names by user id (and the agent's own), for the history
	Others      []row             // the patient's other items, at the same practice
	Colleagues  []api.Colleague   // whom the item may be handed to, by name
	Inquiry     *inquiryView      // the last question a clearinghouse was asked about it
	Thread      threadView        // the item's texts and e-mails
	// Balance is set on a balance follow-up: the page links the account's
	// latest statement and offers to send a pay link.
	Balance bool
}

// item is the account as the agent works it. Opening it is a read of
// PHI: the API records it before answering, and refuses it (403 with the
// rule) when the item is not the agent's.
func (p pages) item(c *gin.Context) {
	p.showItem(c, itemForms{})
}

// showItem renders the item page with the given forms, which carry what
// was typed and the messages when a post was refused. A form shown again
// is a page like any other (200): the browser would log a 4xx page as a
// failed load, and the person has nothing to fix but the form.
func (p pages) showItem(c *gin.Context, forms itemForms) {
	id, ok := p.IDParam(c, "itemID")
	if !ok {
		return
	}
	r := p.Call(c, http.MethodGet, "/api/v1/work/items/"+id, nil, nil)
	if !r.OK() {
		p.Fail(c, r)
		return
	}
	var a itemAnswer
	if r.Decode(&a) != nil {
		p.Broken(c, r)
		return
	}
	account, err := accountSections(a.Patient, a.Practice.Timezone)
	if err != nil {
		p.Broken(c, r)
		return
	}
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := itemPage{ItemView: a.ItemView, itemForms: forms, ID: id, Me: me.UserID, CSRF: me.CSRF, Account: account,
		Timeline: slices.Clone(a.History), Channels: work.KindChannels(a.Item.Kind), Outcomes: work.KindOutcomes(a.Item.Kind),
		Picks: []int{1, 3, 7, 14, 30}, Sheet: sheetFrom(a.ItemView, a.Patient), Inquiry: inquiryOf(a.LastInquiry),
		Balance: a.Item.Kind == policy.BalanceFollowup}
	slices.Reverse(page.Timeline)
	page.NoteKey = rand.Text()
	if forms.Note != nil && forms.Note.Get(noteKeyField) != "" {
		page.NoteKey = forms.Note.Get(noteKeyField)
	}
	page.Others = rowsOf(a.OtherItems, map[string]api.QueuePractice{a.Practice.ID: {Name: a.Practice.Name, Timezone: a.Practice.Timezone}})
	var finishing, words []string
	for _, o := range page.Outcomes {
		if o.Finishes() {
			finishing = append(finishing, string(o))
			words = append(words, "'"+kit.Label(string(o))+"'")
		}
	}
	page.Finishing = strings.Join(finishing, " ")
	if n := len(words); n > 0 {
		list := words[0]
		if n > 1 {
			list = strings.Join(words[:n-1], ", ") + " or " + words[n-1]
		}
		page.FinishingText = "Needed unless the outcome is " + list + map[bool]string{true: ": that finishes the item.", false: ": those finish the item."}[n == 1]
	}
	if d, err := time.Parse(time.DateOnly, a.NextContactDefault); err == nil {
		loc, _ := time.LoadLocation(page.Sheet.Zone)
		y, m, dd := p.Now().In(loc).Date()
		if days := int(d.Sub(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)).Hours() / 24); days > 0 {
			page.SuggestDays, page.SuggestDate = days, d.Format("Mon 2 Jan")
		}
	}
	for _, f := range []**kit.Form{&page.Outcome, &page.Handoff, &page.Release, &page.Note, &page.Message, &page.PayLink} {
		if *f == nil {
			*f = kit.NewForm(nil)
		}
	}
	// Colleagues are offered by name to those who work items (someone
	// who works no queue, an admin reading the item, is not asked for a
	// list it would be refused); the history names them too. When they
	// cannot be listed the form says so and offers teams or a release.
	works := p.Allowed(c, access.WorkOwnQueue)
	if works {
		page.Colleagues = p.colleagues(c, id)
	}
	page.Names = map[string]string{}
	for _, x := range page.Colleagues {
		page.Names[x.UserID] = x.DisplayName
	}
	if me.Name != "" {
		page.Names[me.UserID] = me.Name
	}
	page.Thread = p.thread(c, id, page.Names, works)
	// Teams are offered by name only to those who may list them; asking
	// otherwise would only earn a recorded refusal.
	if p.Allowed(c, access.ManageAgents) {
		page.Teams = p.Teams(c)
	}
	p.Show(c, views, "item", kit.KindLabel(a.Item.Kind), "queue", page)
}

// colleagues lists whom the item may be handed to, by name; none when
// the API cannot say.
func (p pages) colleagues(c *gin.Context, id string) []api.Colleague {
	var cs api.Colleagues
	if r := p.Call(c, http.MethodGet, "/api/v1/work/items/"+id+"/colleagues", nil, nil); !r.OK() || r.Decode(&cs) != nil {
		return nil
	}
	return cs.Colleagues
}
