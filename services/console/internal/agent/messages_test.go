package agent

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

// itemInChicago is itemJSON at a practice in Chicago, so that times show
// in its zone.
var itemInChicago = strings.Replace(itemJSON, `"other_items":[]`,
	`"other_items":[],"practice":{"id":"pr-1","name":"Lakeside Dental","phone":"","timezone":"America/Chicago"},"next_contact_default":"2099-01-05"`, 1)

const threadJSON = `{"messages":[
{"id":"m-1","direction":"out","channel":"text","template":"balance_reminder","body":"Hi Dana, a balance is due.\nCall us.","state":"delivered","sent_by":"u-alice","created_at":"2026-11-20T15:04:00Z"},
{"id":"m-2","direction":"out","channel":"email","template":"balance_reminder","subject":"Your balance","body":"Dear Dana","state":"failed","error":"the address bounced","sent_by":"u-bob","created_at":"2026-11-20T16:00:00Z"},
{"id":"m-3","direction":"in","channel":"text","body":"Can I pay Friday?","state":"received","sent_by":"patient","created_at":"2026-11-20T17:30:00Z"},
{"id":"m-4","direction":"out","channel":"text","body":"You are unsubscribed.","state":"sent","sent_by":"system","created_at":"2026-11-20T17:31:00Z"},
{"id":"m-5","direction":"out","channel":"text","body":"From someone gone","state":"queued","sent_by":"u-gone","created_at":"2026-11-20T17:32:00Z"}],
"templates":[{"key":"balance_reminder","name":"Balance reminder","channel":"text"},{"key":"balance_reminder","name":"Balance reminder","channel":"email"},
{"key":"recall_due","name":"Recall due","channel":"text"}]}`

// messagePage is the API behind an item page with messages.
func messagePage() map[string]func() (int, string) {
	return map[string]func() (int, string){
		"GET /api/v1/work/items/wi-1":            answer(200, itemInChicago),
		"GET /api/v1/work/items/wi-1/colleagues": answer(200, colleaguesJSON),
		"GET /api/v1/work/items/wi-1/messages":   answer(200, threadJSON),
	}
}

// calls counts the API's calls to method and path.
func calls(b kittest.Bundle, method, path string) int {
	n := 0
	for _, c := range b.API.Calls {
		if c.Method == method && c.Path == path {
			n++
		}
	}
	return n
}

func TestTheThreadNamesWhoSentEachMessageInThePracticesZone(t *testing.T) {
	t.Parallel()
	b := setup(t, messagePage())
	p := b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, 1, calls(b, "GET", "/api/v1/work/items/wi-1/messages"), "the thread is read once for the page")
	_, thread, ok := strings.Cut(p.Body, `id="thread"`)
	require.True(t, ok, "the thread is shown")
	thread, _, _ = strings.Cut(thread, `</ol>`)

	require.Contains(t, thread, `<time datetime="2026-11-20T15:04:00Z">Fri 20 Nov 2026, 09:04 CST</time>`)
	require.Contains(t, thread, `<strong class="message-who">Alice Agent</strong> sent a text`)
	require.Contains(t, thread, "Hi Dana, a balance is due.\nCall us.")
	require.Contains(t, thread, `<p class="meta message-state">Delivered</p>`)
	require.Contains(t, thread, `<strong class="message-who">Bob Biller</strong> sent an e-mail`)
	require.Contains(t, thread, "<strong>Subject:</strong> Your balance")
	require.Contains(t, thread, "Not delivered: the address bounced")
	require.Contains(t, thread, `<strong class="message-who">Patient</strong> replied by text`)
	require.Contains(t, thread, `<strong class="message-who">Backdesk</strong> sent a text`)
	require.Contains(t, thread, `<strong class="message-who">A colleague</strong> sent a text`, "one the page cannot name")
	require.Contains(t, thread, "Waiting to be sent")
	for _, id := range []string{"u-alice", "u-bob", "u-gone", "system", ">patient<"} {
		require.NotContains(t, thread, id, "people are named, never shown by id")
	}
}

func TestTheSendFormOffersEachChannelsTemplatesAndTheCadence(t *testing.T) {
	t.Parallel()
	b := setup(t, messagePage())
	p := b.Get(t, "alice", "/items/wi-1")
	_, form, ok := strings.Cut(p.Body, `id="message-form"`)
	require.True(t, ok, "an agent may send")
	form, _, _ = strings.Cut(form, `</form>`)
	require.Contains(t, form, `<option value="text" selected>Text</option>`)
	text, email, _ := strings.Cut(form, `id="message-template-email-field"`)
	require.Contains(t, text, `<option value="recall_due">Recall due</option>`)
	require.NotContains(t, email, "recall_due", "recall due is a text only")
	require.Contains(t, email, `<option value="balance_reminder">Balance reminder</option>`)
	require.Contains(t, form, `data-hide-when="message-channel" data-hide-values="email"`)
	require.Contains(t, form, `data-date-offset="7" data-date-target="message-next-contact"`)
	require.Contains(t, form, `id="message-cadence-pick"`)
	require.Contains(t, form, `name="version" value="4"`)
	require.Contains(t, form, `name="tz" value="America/Chicago"`)
	require.Contains(t, form, `name="do" value="preview" class="secondary" id="preview-message" formaction="/items/wi-1/messages#message-send"`,
		"a preview comes back at the form")
}

func TestPreviewShowsTheMessageAndWhyItCannotGoNow(t *testing.T) {
	t.Parallel()
	replies := messagePage()
	replies["GET /api/v1/work/items/wi-1/messages/preview"] = answer(200, `{"channel":"text","template":"balance_reminder",
"template_name":"Balance reminder","to":"number ending 0147","body":"Hi Dana, Lakeside Dental here.","segments":2,
"allowed":false,"rule":"quiet_hours","reason":"it is quiet hours for the patient"}`)
	b := setup(t, replies)
	p := b.Post(t, "alice", "/items/wi-1/messages", url.Values{"do": {"preview"}, "channel": {"text"},
		"template_text": {"balance_reminder"}, "template_email": {""}, "next_contact": {"2026-12-02"}, "note": {"asked about Friday"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "channel=text&template=balance_reminder", b.API.Last(t, "GET", "/api/v1/work/items/wi-1/messages/preview").Query)
	require.False(t, b.API.Called("POST", "/api/v1/work/items/wi-1/messages"), "a preview sends nothing")
	require.Equal(t, 1, calls(b, "GET", "/api/v1/work/items/wi-1/messages"), "the thread is read once for the page")

	require.Contains(t, p.Body, `<dd id="preview-to">number ending 0147</dd>`)
	require.Contains(t, p.Body, `<dd id="preview-body" class="message-body">Hi Dana, Lakeside Dental here.</dd>`)
	require.Contains(t, p.Body, `<dd id="preview-segments">2 segments, each billed as a text</dd>`)
	require.Contains(t, p.Body, `<select id="message-channel" name="channel" aria-invalid="true" aria-describedby="message-channel-error">`)
	require.Contains(t, p.Body, `<small id="message-channel-error" class="field-error">It cannot be sent now: it is quiet hours for the patient.</small>`)
	require.Contains(t, p.Body, `<option value="balance_reminder" selected>Balance reminder</option>`, "the choice stays")
	require.Contains(t, p.Body, `value="2026-12-02"`)
	require.Contains(t, p.Body, `>asked about Friday</textarea>`)
}

func TestPreviewOfAnAllowedMessageHasNoRefusal(t *testing.T) {
	t.Parallel()
	replies := messagePage()
	replies["GET /api/v1/work/items/wi-1/messages/preview"] = answer(200, `{"channel":"email","template":"balance_reminder",
"template_name":"Balance reminder","to":"address at example.com","subject":"Your balance at Lakeside Dental","body":"Dear Dana","allowed":true}`)
	b := setup(t, replies)
	p := b.Post(t, "alice", "/items/wi-1/messages", url.Values{"do": {"preview"}, "channel": {"email"},
		"template_text": {"recall_due"}, "template_email": {"balance_reminder"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "channel=email&template=balance_reminder", b.API.Last(t, "GET", "/api/v1/work/items/wi-1/messages/preview").Query,
		"the template of the chosen channel")
	require.Contains(t, p.Body, `<dd id="preview-subject">Your balance at Lakeside Dental</dd>`)
	require.Contains(t, p.Body, "It may be sent now.")
	require.NotContains(t, p.Body, `id="preview-segments"`, "an e-mail has no segments")
	require.NotContains(t, p.Body, `aria-invalid="true"`)
}

func TestSendNeedsATemplateAndADateAllSaidAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, messagePage())
	p := b.Post(t, "alice", "/items/wi-1/messages", url.Values{"do": {"send"}, "channel": {"email"},
		"template_text": {"balance_reminder"}, "template_email": {""}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.False(t, b.API.Called("POST", "/api/v1/work/items/wi-1/messages"))
	require.Contains(t, p.Body, `<small id="message-template-email-error" class="field-error">Choose what to send.</small>`,
		"beside the chosen channel's list")
	require.NotContains(t, p.Body, `id="message-template-text-error"`)
	require.Contains(t, p.Body, `<small id="message-next-contact-error" class="field-error">Write the next contact date`)
	require.Contains(t, p.Body, `<option value="email" selected>E-mail</option>`)
}

func TestSendPostsTheMessageAndComesBackToTheItem(t *testing.T) {
	t.Parallel()
	replies := messagePage()
	replies["POST /api/v1/work/items/wi-1/messages"] = answer(201, `{"message":{"id":"m-9","direction":"out","channel":"text",
"body":"Hi","state":"queued","sent_by":"u-alice","created_at":"2026-11-20T15:04:00Z"},"version":5}`)
	b := setup(t, replies)
	p := b.Post(t, "alice", "/items/wi-1/messages", url.Values{"do": {"send"}, "channel": {"text"},
		"template_text": {"balance_reminder"}, "template_email": {""}, "next_contact": {"2026-12-02"}, "tz": {"America/Chicago"},
		"note": {" texted the balance "}, "version": {"4"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/items/wi-1", p.Header.Get("Location"))
	call := b.API.Last(t, "POST", "/api/v1/work/items/wi-1/messages")
	require.Equal(t, map[string]any{"channel": "text", "template": "balance_reminder", "next_contact_at": "2026-12-02T15:00:00Z",
		"note": "texted the balance", "version": float64(4)}, call.Body)
	require.Equal(t, "csrf-alice", call.CSRF)
	q := b.Get(t, "alice", "/items/wi-1", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "Text sent — next contact Wed 2 Dec 2026.")
}

func TestARuleThatRefusesTheSendIsSaidBesideTheChannel(t *testing.T) {
	t.Parallel()
	replies := messagePage()
	replies["POST /api/v1/work/items/wi-1/messages"] = answer(400,
		`{"error":{"code":"opted_out","field":"channel","message":"the patient's number opted out of this practice's texts (replied STOP)"}}`)
	b := setup(t, replies)
	p := b.Post(t, "alice", "/items/wi-1/messages", url.Values{"do": {"send"}, "channel": {"text"},
		"template_text": {"balance_reminder"}, "next_contact": {"2026-12-02"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="message-channel-error" class="field-error">the patient&#39;s number opted out of this practice&#39;s texts (replied STOP)</small>`)

	replies["POST /api/v1/work/items/wi-1/messages"] = answer(409, `{"error":{"code":"stale","message":"the item changed"}}`)
	p = b.Post(t, "alice", "/items/wi-1/messages", url.Values{"do": {"send"}, "channel": {"text"},
		"template_text": {"balance_reminder"}, "next_contact": {"2026-12-02"}, "version": {"3"}})
	require.Contains(t, p.Body, `role="alert">The item changed since this page was loaded.`)
	require.Contains(t, p.Body, `name="version" value="3"`)
}

func TestAThreadThatCannotBeReadLeavesTheItemPage(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/items/wi-1": answer(200, itemJSON)})
	p := b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p id="messages-unavailable">Texts and e-mails to patients are not set up here.</p>`)
	require.NotContains(t, p.Body, `id="message-form"`)
	require.Contains(t, p.Body, `id="outcome-form"`, "the rest of the page is there")

	b = setup(t, map[string]func() (int, string){
		"GET /api/v1/work/items/wi-1":          answer(200, itemJSON),
		"GET /api/v1/work/items/wi-1/messages": answer(503, `{"error":{"code":"unavailable","message":"down"}}`),
	})
	p = b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, "The messages cannot be shown now.")
}

func TestTheQueueSaysWhichPatientsReplied(t *testing.T) {
	t.Parallel()
	replied := strings.Replace(queueJSON, `"version":4,"hold":null`, `"version":4,"patient_replied":true,"hold":null`, 1)
	b := setup(t, map[string]func() (int, string){"GET /api/v1/work/queue": answer(200, replied)})
	p := b.Get(t, "alice", "/queue")
	require.Equal(t, http.StatusOK, p.Code)
	row, _, _ := strings.Cut(p.Body[strings.Index(p.Body, `data-item-id="wi-1"`):], "</tr>")
	require.Contains(t, row, `<span class="badge badge-replied">Patient replied</span>`)
	require.Equal(t, 1, strings.Count(p.Body, "badge-replied\">Patient replied"), "only the item whose patient replied")
	require.Contains(t, p.Body, `<a class="badge badge-replied" id="replied-count" href="/queue?show=replied">1 patient replied</a>`)

	p = b.Get(t, "alice", "/queue?show=replied")
	require.Contains(t, p.Body, `data-item-id="wi-1"`)
	require.NotContains(t, p.Body, `data-item-id="wi-3"`)
}
