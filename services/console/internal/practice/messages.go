package practice

import (
	"cmp"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

// The practice's texts and e-mails to patients: how they go out (the
// sending number, the cadence's automatic steps, the rate), the templates
// agents and the cadence send, each with its editor, and the opt-outs and
// undelivered messages an admin reviews. The API checks and keeps all of
// it; these pages show its answers and put each refusal beside its field.

// messageSettings are how the practice's messages go out, as the API
// keeps them.
type messageSettings struct {
	TextFrom  string `json:"text_from"`
	Automatic bool   `json:"automatic"`
	PerMinute int    `json:"per_minute"`
}

// messageTemplate is one template as the API lists it; Own is set when
// the practice replaced the default.
type messageTemplate struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Channel string `json:"channel"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Own     bool   `json:"own"`
}

// ChannelText names the template's channel: "Text" or "E-mail".
func (t messageTemplate) ChannelText() string { return kit.ChannelText(t.Channel) }

// Email reports an e-mail's template, which has a subject.
func (t messageTemplate) Email() bool { return t.Channel == "email" }

// messageSetup is the API's answer for the practice's messages.
type messageSetup struct {
	Settings     messageSettings     `json:"settings"`
	Templates    []messageTemplate   `json:"templates"`
	Placeholders map[string][]string `json:"placeholders"`
}

// find returns the template of channel ch with key, if the practice has
// one.
func (s messageSetup) find(ch, key string) (messageTemplate, bool) {
	for _, t := range s.Templates {
		if t.Channel == ch && t.Key == key {
			return t, true
		}
	}
	return messageTemplate{}, false
}

// notSetUp says why a practice's messages cannot be shown: the platform
// sends no texts or e-mails.
const notSetUp = "Texts and e-mails to patients are not set up on this platform."

// messagesBase is the API's path of a practice's messages.
func messagesBase(id string) string { return "/api/v1/work/practices/" + id + "/messages" }

// messagesPage is the practice's messages: its settings form and its
// templates.
type messagesPage struct {
	ID        string
	CSRF      string
	Unset     string // why there is nothing to show, when there is not
	Templates []messageTemplate
	Form      *kit.Form // the settings, as kept or as typed
}

// EditLink is the editor of a template.
func (p messagesPage) EditLink(t messageTemplate) string { return templatePath(p.ID, t.Channel, t.Key) }

// templatePath is the console's page of a template.
func templatePath(id, ch, key string) string {
	return "/practices/" + id + "/messages/templates/" + ch + "/" + key
}

// settingsFields map the API's fields of the settings to the form's.
var settingsFields = map[string]string{"text_from": "text_from", "automatic": "automatic", "per_minute": "per_minute"}

// messagesHome is the practice's messages page.
func (p pages) messagesHome(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	p.showMessages(c, id, nil)
}

// showMessages renders the messages page; f is the settings form as
// typed when it was refused, else nil to show what the API keeps.
func (p pages) showMessages(c *gin.Context, id string, f *kit.Form) {
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := messagesPage{ID: id, CSRF: me.CSRF, Form: f}
	r := p.Call(c, http.MethodGet, messagesBase(id), nil, nil)
	var s messageSetup
	switch {
	case r.Status == http.StatusNotFound:
		page.Unset = notSetUp
	case !r.OK():
		p.Fail(c, r)
		return
	case r.Decode(&s) != nil:
		p.Broken(c, r)
		return
	}
	page.Templates = s.Templates
	if page.Form == nil {
		st := s.Settings
		v := map[string][]string{"text_from": {st.TextFrom}, "per_minute": {strconv.Itoa(st.PerMinute)}}
		if st.PerMinute == 0 {
			v["per_minute"] = nil
		}
		if st.Automatic {
			v["automatic"] = []string{"true"}
		}
		page.Form = kit.NewForm(v)
	}
	p.Show(c, views, "messages", "Messages to patients", "messages", page)
}

// e164 is a phone number as texts are sent from it: a plus and 8 to 15
// digits, as the API takes it.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)

// sendingNumber reads the number typed into the settings form: a US
// number as people write it, (512) 555-0100, becomes +15125550100; one
// with its country code is kept; anything else is returned as typed, for
// the check to refuse.
func sendingNumber(s string) string {
	s = strings.TrimSpace(s)
	bare := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "").Replace(s)
	if strings.HasPrefix(bare, "+") {
		return bare
	}
	if strings.Trim(bare, "0123456789") != "" {
		return s
	}
	switch {
	case len(bare) == 10:
		return "+1" + bare
	case len(bare) == 11 && bare[0] == '1':
		return "+" + bare
	}
	return s
}

// saveMessageSettings saves the sending number, the automatic steps and
// the rate at once; every field at fault is refused beside it.
func (p pages) saveMessageSettings(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	kit.ReturnTo(c, "/practices/"+id+"/messages")
	f := kit.NewForm(kit.PostForm(c))
	b := messageSettings{TextFrom: sendingNumber(f.Get("text_from")), Automatic: f.Has("automatic", "true")}
	if b.TextFrom != "" && !e164.MatchString(b.TextFrom) {
		f.Refuse("text_from", "Enter the number as +15125550100 or (512) 555-0100, or leave it empty to send from the platform's own number.")
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("per_minute")))
	if err != nil || n < 1 || n > 600 {
		f.Refuse("per_minute", "Enter a whole number from 1 to 600.")
	}
	b.PerMinute = n
	if f.Failed() {
		p.showMessages(c, id, f)
		return
	}
	r := p.Call(c, http.MethodPut, messagesBase(id)+"/settings", nil, b)
	if !r.OK() {
		if f.Apply(r, settingsFields) {
			sentences(f)
			p.showMessages(c, id, f)
			return
		}
		p.Fail(c, r)
		return
	}
	done := "Saved. The cadence's text and e-mail steps wait for an agent."
	if b.Automatic {
		done = "Saved. The cadence's text and e-mail steps now go out by themselves."
	}
	p.SetFlash(c, done, false)
	kit.Redirect(c, "/practices/"+id+"/messages")
}

// sentences writes each of the form's messages as a sentence: the API
// words its refusals as the end of one ("must be …", "uses …").
func sentences(f *kit.Form) {
	for k, v := range f.Errors {
		f.Errors[k] = sentence(v)
	}
}

// sentence starts s with a capital and ends it with a full stop.
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

// placeholderWords say what each placeholder is filled with, for the
// editor's list.
var placeholderWords = map[string]string{
	"practice_name":  "The practice's name.",
	"practice_phone": "The first office's phone, as people write it: (512) 555-0100.",
	"first_name":     "The patient's first name.",
	"due_month":      "The month a recall is due, such as April 2026.",
	"link":           "A link to a page that asks the patient to confirm who they are before it shows anything.",
}

// placeholder is one the editor lists.
type placeholder struct{ Name, Words string }

// Code is the placeholder as a template writes it: {{first_name}}.
func (p placeholder) Code() string { return "{{" + p.Name + "}}" }

// checked is the API's check of a template: every problem by field, or
// how it reads filled with sample values.
type checked struct {
	Problems map[string]string `json:"problems"`
	Subject  string            `json:"subject"`
	Body     string            `json:"body"`
	Segments int               `json:"segments"`
}

// SegmentsText says how many segments a text takes.
func (c checked) SegmentsText() string {
	switch c.Segments {
	case 0:
		return ""
	case 1:
		return "1 segment"
	}
	return strconv.Itoa(c.Segments) + " segments, each billed as a text"
}

// templatePage is the editor of one template.
type templatePage struct {
	ID           string
	CSRF         string
	Template     messageTemplate // as the API keeps it
	Placeholders []placeholder
	Form         *kit.Form
	Preview      *checked // how it reads, after Preview
}

// Path is the editor's own page.
func (p templatePage) Path() string { return templatePath(p.ID, p.Template.Channel, p.Template.Key) }

// templateFields map the API's fields of a template to the form's; a
// refusal of the key or channel, which the page's address names, is said
// above the form.
var templateFields = map[string]string{"name": "name", "subject": "subject", "body": "body"}

// templateParams reads the template's channel and key from the path, or
// renders the not-found page.
func (p pages) templateParams(c *gin.Context) (id, ch, key string, ok bool) {
	id, ok = p.IDParam(c, "practiceID")
	if !ok {
		return "", "", "", false
	}
	ch, key = c.Param("channel"), c.Param("key")
	if (ch != "text" && ch != "email") || !kit.ValidID(key) {
		p.NotFound(c)
		return "", "", "", false
	}
	return id, ch, key, true
}

// templateEditor is a template's editor, filled with what the API keeps.
func (p pages) templateEditor(c *gin.Context) {
	id, ch, key, ok := p.templateParams(c)
	if !ok {
		return
	}
	p.showTemplate(c, id, ch, key, nil, nil)
}

// showTemplate renders the editor; f is the form as typed (nil: as
// kept), and preview how it reads, after Preview.
func (p pages) showTemplate(c *gin.Context, id, ch, key string, f *kit.Form, preview *checked) {
	r := p.Call(c, http.MethodGet, messagesBase(id), nil, nil)
	var s messageSetup
	switch {
	case !r.OK():
		p.Fail(c, r)
		return
	case r.Decode(&s) != nil:
		p.Broken(c, r)
		return
	}
	t, found := s.find(ch, key)
	if !found {
		p.NotFound(c)
		return
	}
	me, _ := authn.PrincipalFrom(c.Request.Context())
	page := templatePage{ID: id, CSRF: me.CSRF, Template: t, Form: f, Preview: preview}
	for _, name := range s.Placeholders[ch] {
		page.Placeholders = append(page.Placeholders, placeholder{Name: name, Words: cmp.Or(placeholderWords[name], kit.Label(name)+".")})
	}
	if page.Form == nil {
		page.Form = kit.NewForm(map[string][]string{"name": {t.Name}, "subject": {t.Subject}, "body": {t.Body}})
	}
	p.Show(c, views, "messagetemplate", t.Name+" ("+strings.ToLower(t.ChannelText())+")", "messages", page)
}

// templateBody is a template as the API checks and keeps it.
type templateBody struct {
	Channel string `json:"channel"`
	Key     string `json:"key"`
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// saveTemplate previews or saves a template: the form's Preview button
// shows the editor again with the template filled with sample values (or
// every problem beside its field), and its Save button keeps it as the
// practice's own.
func (p pages) saveTemplate(c *gin.Context) {
	id, ch, key, ok := p.templateParams(c)
	if !ok {
		return
	}
	kit.ReturnTo(c, templatePath(id, ch, key))
	f := kit.NewForm(kit.PostForm(c))
	b := templateBody{Channel: ch, Key: key, Name: strings.TrimSpace(f.Get("name")), Body: f.Get("body")}
	if ch == "email" {
		b.Subject = strings.TrimSpace(f.Get("subject"))
	}
	if f.Get("do") == "preview" {
		r := p.Call(c, http.MethodPost, messagesBase(id)+"/templates/check", nil, b)
		var out checked
		switch {
		case !r.OK():
			if f.Apply(r, templateFields) {
				sentences(f)
				p.showTemplate(c, id, ch, key, f, nil)
				return
			}
			p.Fail(c, r)
			return
		case r.Decode(&out) != nil:
			p.Broken(c, r)
			return
		}
		if len(out.Problems) > 0 {
			f.Apply(kit.Reply{Status: http.StatusBadRequest, Err: web.ErrorDetail{Code: "invalid_fields", Fields: out.Problems}}, templateFields)
			sentences(f)
			p.showTemplate(c, id, ch, key, f, nil)
			return
		}
		p.showTemplate(c, id, ch, key, f, &out)
		return
	}
	r := p.Call(c, http.MethodPut, messagesBase(id)+"/templates/"+ch+"/"+key, nil,
		map[string]string{"name": b.Name, "subject": b.Subject, "body": b.Body})
	if !r.OK() {
		if f.Apply(r, templateFields) {
			sentences(f)
			p.showTemplate(c, id, ch, key, f, nil)
			return
		}
		p.Fail(c, r)
		return
	}
	p.SetFlash(c, "Saved. Agents and the cadence now send the practice's own "+b.Name+" "+strings.ToLower(kit.ChannelText(ch))+".", false)
	kit.Redirect(c, templatePath(id, ch, key))
}

// resetTemplate drops the practice's own version of a template, so the
// default applies again.
func (p pages) resetTemplate(c *gin.Context) {
	id, ch, key, ok := p.templateParams(c)
	if !ok {
		return
	}
	r := p.Call(c, http.MethodDelete, messagesBase(id)+"/templates/"+ch+"/"+key, nil, nil)
	switch {
	case r.Status == http.StatusNotFound:
		p.SetFlash(c, "It was already the default: there was no version of the practice's own to drop.", true)
	case !r.OK():
		p.Fail(c, r)
		return
	default:
		p.SetFlash(c, "Reset. The default applies again.", false)
	}
	kit.Redirect(c, templatePath(id, ch, key))
}

// problemsAnswer is the API's list of opt-outs and undelivered messages.
type problemsAnswer struct {
	OptOuts []struct {
		Channel     string    `json:"channel"`
		PatientName string    `json:"patient_name"`
		Source      string    `json:"source"`
		At          time.Time `json:"at"`
	} `json:"opt_outs"`
	Failures []struct {
		PatientName string    `json:"patient_name"`
		ItemID      string    `json:"item_id"`
		Channel     string    `json:"channel"`
		Template    string    `json:"template"`
		Error       string    `json:"error"`
		At          time.Time `json:"at"`
	} `json:"failures"`
}

// optOutRow is a number or address that asked the practice to stop.
type optOutRow struct {
	Patient, Channel, How string
	At                    time.Time
}

// failureRow is a message that was not delivered.
type failureRow struct {
	Patient, Channel, Template, Reason string
	Item                               string // the item's page, or "" when it was about none
	At                                 time.Time
}

// problemsPage lists the practice's opt-outs and undelivered messages.
type problemsPage struct {
	ID       string
	Zone     string // the practice's IANA zone; "" shows UTC
	Unset    string
	OptOuts  []optOutRow
	Failures []failureRow
}

// optOutWays say how a patient opted out.
var optOutWays = map[string]string{"keyword": "Replied STOP", "unsubscribe_link": "Unsubscribe link"}

// messageProblems lists the numbers and addresses that opted out of the
// practice's messages, and the messages not delivered, each with its
// patient by name. The API records the read, since it names patients.
func (p pages) messageProblems(c *gin.Context) {
	id, ok := p.IDParam(c, "practiceID")
	if !ok {
		return
	}
	page := problemsPage{ID: id}
	r := p.Call(c, http.MethodGet, messagesBase(id)+"/problems", nil, nil)
	var a problemsAnswer
	switch {
	case r.Status == http.StatusNotFound:
		page.Unset = notSetUp
		p.Show(c, views, "messageproblems", "Opt-outs and undelivered messages", "messages", page)
		return
	case !r.OK():
		p.Fail(c, r)
		return
	case r.Decode(&a) != nil:
		p.Broken(c, r)
		return
	}
	page.Zone = p.practiceZone(c, id)
	// Templates by name; a key the practice no longer lists is said in
	// words from the key itself.
	names := map[string]string{}
	var s messageSetup
	if r := p.Call(c, http.MethodGet, messagesBase(id), nil, nil); r.OK() && r.Decode(&s) == nil {
		for _, t := range s.Templates {
			names[t.Channel+" "+t.Key] = t.Name
		}
	}
	for _, o := range a.OptOuts {
		page.OptOuts = append(page.OptOuts, optOutRow{Patient: o.PatientName, Channel: kit.ChannelText(o.Channel),
			How: cmp.Or(optOutWays[o.Source], kit.Label(o.Source)), At: o.At})
	}
	for _, f := range a.Failures {
		row := failureRow{Patient: cmp.Or(f.PatientName, "A patient"), Channel: kit.ChannelText(f.Channel),
			Template: templateName(names, f.Channel, f.Template), Reason: sentence(f.Error), At: f.At}
		if kit.ValidID(f.ItemID) {
			row.Item = "/items/" + f.ItemID
		}
		page.Failures = append(page.Failures, row)
	}
	p.Show(c, views, "messageproblems", "Opt-outs and undelivered messages", "messages", page)
}

// templateName names a message's template: by the practice's name for
// it, as the answer to a keyword, or in words from its key.
func templateName(names map[string]string, ch, key string) string {
	switch {
	case names[ch+" "+key] != "":
		return names[ch+" "+key]
	case strings.HasPrefix(key, "keyword_"):
		return "Answer to " + strings.ToUpper(strings.TrimPrefix(key, "keyword_"))
	case key == "":
		return "—"
	}
	return kit.Label(key)
}
