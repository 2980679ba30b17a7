package agent

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/gin-gonic/gin"
)

// The item's texts and e-mails: the thread as the API keeps it, and the
// form that previews and sends one. A send is the outcome "sent" with its
// message, which the API logs in the same step, so the form carries what
// that outcome needs (the next contact date, a note, the item's version).

// templateChoice is a template the agent may pick, as the thread's answer
// lists it.
type templateChoice struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// threadAnswer is the API's answer for an item's messages.
type threadAnswer struct {
	Messages  []kit.PatientMessage `json:"messages"`
	Templates []templateChoice     `json:"templates"`
}

// draft is a message as it would go now, as the preview answers it.
type draft struct {
	Channel      string `json:"channel"`
	Template     string `json:"template"`
	TemplateName string `json:"template_name"`
	To           string `json:"to"` // masked
	Subject      string `json:"subject"`
	Body         string `json:"body"`
	Segments     int    `json:"segments"`
	Allowed      bool   `json:"allowed"`
	Rule         string `json:"rule"`
	Reason       string `json:"reason"`
}

// threadMessage is a message of the thread with its sender named.
type threadMessage struct {
	kit.PatientMessage
	Who string
}

// What says what the sender did: "sent a text", "replied by e-mail".
func (m threadMessage) What() string {
	ch := strings.ToLower(m.ChannelText())
	if m.Inbound() {
		return "replied by " + ch
	}
	if m.Channel == "email" {
		return "sent an " + ch
	}
	return "sent a " + ch
}

// threadView is the item page's messages section.
type threadView struct {
	// Read is set when the thread could be read; Why says in words why
	// it could not.
	Read     bool
	Why      string
	Messages []threadMessage // oldest first
	// Text and Email are the templates of each channel.
	Text, Email []templateChoice
	// CanSend is set for those who work items: only the item's owner may
	// send from it, and the API says so to anyone else who tries.
	CanSend bool
}

// messageFields map the API's field names of a send to the form's. The
// version is left out: a refusal of it is said above the form.
var messageFields = map[string]string{"channel": "channel", "template": "template",
	"next_contact_at": "next_contact", "note": "note"}

// thread reads the item's messages once for the page and names who sent
// each: a colleague by name, Backdesk for the cadence and keyword
// answers, the patient for replies. A thread that cannot be read leaves
// the rest of the item page as it is.
func (p pages) thread(c *gin.Context, id string, names map[string]string, canSend bool) threadView {
	r := p.Call(c, http.MethodGet, "/api/v1/work/items/"+id+"/messages", nil, nil)
	var a threadAnswer
	switch {
	case r.Status == http.StatusNotFound:
		return threadView{Why: "Texts and e-mails to patients are not set up here."}
	case !r.OK() || r.Decode(&a) != nil:
		return threadView{Why: "The messages cannot be shown now. Reload the item to try again."}
	}
	v := threadView{Read: true, CanSend: canSend}
	for _, m := range a.Messages {
		v.Messages = append(v.Messages, threadMessage{PatientMessage: m, Who: sender(m.SentBy, names)})
	}
	for _, t := range a.Templates {
		switch t.Channel {
		case "text":
			v.Text = append(v.Text, t)
		case "email":
			v.Email = append(v.Email, t)
		}
	}
	return v
}

// sender names who sent a message; an id the page cannot name is "a
// colleague", never the id.
func sender(id string, names map[string]string) string {
	switch id {
	case "system":
		return "Backdesk"
	case "patient":
		return "Patient"
	}
	if n := names[id]; n != "" {
		return n
	}
	return "A colleague"
}

// message previews or sends a text or e-mail from the item: the form's
// Preview button shows the page again with the message as it would go,
// and its Send button sends it with the outcome "sent".
func (p pages) message(c *gin.Context) {
	if kit.PostForm(c).Get("do") == "preview" {
		p.preview(c)
		return
	}
	p.itemPost(c, "/messages", messageFields, func(f *kit.Form) any {
		ch, tmpl := messageChoice(f)
		b := sendBody{Channel: ch, Template: tmpl, Note: strings.TrimSpace(f.Get("note")), Version: f.Int("version")}
		next, err := kit.ContactAt(f.Get("next_contact"), f.Get("tz"))
		switch {
		case err != nil:
			f.Refuse("next_contact", err.Error())
		case next == nil:
			f.Refuse("next_contact", "Write the next contact date: the item waits for the patient until then.")
		}
		b.NextContactAt = next
		return b
	}, func(f *kit.Form) itemForms { return itemForms{Message: f} }, func(c *gin.Context, id string, f *kit.Form) {
		msg := kit.ChannelText(f.Get("channel")) + " sent."
		if d, err := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("next_contact"))); err == nil {
			msg = kit.ChannelText(f.Get("channel")) + " sent — next contact " + d.Format("Mon 2 Jan 2006") + "."
		}
		p.SetFlash(c, msg, false)
		kit.Redirect(c, "/items/"+id)
	})
}

// sendBody is a send as the API takes it.
type sendBody struct {
	Channel       string     `json:"channel"`
	Template      string     `json:"template"`
	NextContactAt *time.Time `json:"next_contact_at"`
	Note          string     `json:"note"`
	Version       int        `json:"version"`
}

// messageChoice reads the channel and that channel's template from the
// form, refusing in words what is missing. Each channel has its own
// template list, so a page without its script still works.
func messageChoice(f *kit.Form) (channel, template string) {
	channel = f.Get("channel")
	if channel != "text" && channel != "email" {
		f.Refuse("channel", "Choose a text or an e-mail.")
		return channel, ""
	}
	template = strings.TrimSpace(f.Get("template_" + channel))
	if template == "" {
		f.Refuse("template", "Choose what to send.")
	}
	return channel, template
}

// preview shows the item page again with the message as it would go
// now: the recipient (masked), the words and for a text its segments;
// when a rule refuses it now, the rule's reason stands beside the
// channel.
func (p pages) preview(c *gin.Context) {
	kit.ReturnTo(c, "/items/"+c.Param("itemID"))
	id, ok := p.IDParam(c, "itemID")
	if !ok {
		return
	}
	f := kit.NewForm(kit.PostForm(c))
	ch, tmpl := messageChoice(f)
	if f.Failed() {
		p.showItem(c, itemForms{Message: f})
		return
	}
	r := p.Call(c, http.MethodGet, "/api/v1/work/items/"+id+"/messages/preview", url.Values{"channel": {ch}, "template": {tmpl}}, nil)
	if !r.OK() {
		if f.Apply(r, messageFields) {
			p.showItem(c, itemForms{Message: f})
			return
		}
		p.Fail(c, r)
		return
	}
	var d draft
	if r.Decode(&d) != nil {
		p.Broken(c, r)
		return
	}
	if !d.Allowed {
		f.Refuse("channel", refusal(d))
	}
	p.showItem(c, itemForms{Message: f, Draft: &d})
}

// refusal says in a sentence why a draft cannot go now.
func refusal(d draft) string {
	why := strings.TrimSpace(d.Reason)
	if why == "" {
		why = "a contact rule of the practice (" + kit.Label(d.Rule) + ") refuses it"
	}
	return "It cannot be sent now: " + strings.TrimSuffix(why, ".") + "."
}

// SegmentsText says how many segments a text takes: the patient sees
// one message, the provider bills each segment.
func (d draft) SegmentsText() string {
	switch d.Segments {
	case 0:
		return ""
	case 1:
		return "1 segment"
	}
	return strconv.Itoa(d.Segments) + " segments, each billed as a text"
}
