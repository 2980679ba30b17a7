package practice

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/stretchr/testify/require"
)

const messageSetupJSON = `{"settings":{"text_from":"+15125550150","automatic":true,"per_minute":20},
"templates":[{"key":"balance_reminder","name":"Balance reminder","channel":"text","body":"Hi {{first_name}}, this is {{practice_name}}.","own":true},
{"key":"balance_reminder","name":"Balance reminder","channel":"email","subject":"A message from {{practice_name}}","body":"Hi {{first_name}},\n\nCall {{practice_phone}}.","own":false},
{"key":"recall_due","name":"Recall due","channel":"text","body":"Hi {{first_name}}, your checkup is due in {{due_month}}.","own":false}],
"placeholders":{"text":["practice_name","practice_phone","first_name","due_month","link"],"email":["practice_name","practice_phone","first_name","due_month","link"]}}`

// messageReplies answer what the messages pages ask.
func messageReplies() map[string]func() (int, string) {
	return map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/messages": answer(200, messageSetupJSON),
		"GET /api/v1/practices/pr-1":               answer(200, practiceJSON),
	}
}

// TestMessagesPageShowsTheSettingsAndTheTemplates: the settings as kept,
// the automatic steps said in one sentence, and each template by name and
// channel, the practice's own marked, each linked to its editor; the top
// bar links the page.
func TestMessagesPageShowsTheSettingsAndTheTemplates(t *testing.T) {
	t.Parallel()
	b := setup(t, messageReplies())
	p := b.Get(t, "pat", "/practices/pr-1/messages")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		`<a href="/practices/pr-1/messages" data-shortcut="m" aria-current="page">Messages</a>`,
		`<form method="post" action="/practices/pr-1/messages/settings" id="settings-form" novalidate>`,
		`<input type="hidden" name="csrf_token" value="csrf-pat">`,
		`name="text_from" value="&#43;15125550150"`,
		`name="automatic" value="true" role="switch" aria-describedby="settings-automatic-hint" checked>`,
		"Send the cadence's text and e-mail steps automatically",
		"under the same rules as an agent's send: consent, opt-outs, do not contact, quiet hours and the weekly limit.",
		`name="per_minute" min="1" max="600" value="20"`,
		`<tr data-template="text/balance_reminder">
      <th scope="row">Balance reminder</th><td>Text</td>
      <td class="template-version"><span class="badge badge-own">The practice's own</span></td>
      <td><a href="/practices/pr-1/messages/templates/text/balance_reminder">Edit<span class="visually-hidden"> the Balance reminder text</span></a></td></tr>`,
		`<tr data-template="email/balance_reminder">
      <th scope="row">Balance reminder</th><td>E-mail</td>
      <td class="template-version">Default</td>
      <td><a href="/practices/pr-1/messages/templates/email/balance_reminder">Edit<span class="visually-hidden"> the Balance reminder e-mail</span></a></td></tr>`,
		`<a href="/practices/pr-1/messages/problems" id="problems-link">opt-outs and undelivered messages</a>`,
	} {
		require.Contains(t, p.Body, want)
	}
	require.False(t, b.API.Called("GET", "/api/v1/work/practices/pr-1/messages/problems"), "the page names no patient, so reads none")

	// Where the platform sends no messages, the page says so.
	unset := setup(t, nil)
	p = unset.Get(t, "pat", "/practices/pr-1/messages")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "Texts and e-mails to patients are not set up on this platform.")
	require.NotContains(t, p.Body, `id="settings-form"`)
}

// TestMessageSettingsRefuseEveryFieldAtOnce: the console's own checks put
// a message beside each field at fault and send nothing; a number as
// people write it is sent in E.164; the API's refusals stand beside
// their fields, all at once.
func TestMessageSettingsRefuseEveryFieldAtOnce(t *testing.T) {
	t.Parallel()
	replies := messageReplies()
	replies["PUT /api/v1/work/practices/pr-1/messages/settings"] = answer(200, `{"text_from":"+15125550150","automatic":false,"per_minute":45}`)
	b := setup(t, replies)

	p := b.Post(t, "pat", "/practices/pr-1/messages/settings", url.Values{"text_from": {"555-01"}, "per_minute": {"many"}, "automatic": {"true"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="settings-text_from-error" class="field-error">Enter the number as &#43;15125550100 or (512) 555-0100`)
	require.Contains(t, p.Body, `<small id="settings-per_minute-error" class="field-error">Enter a whole number from 1 to 600.</small>`)
	require.Contains(t, p.Body, `aria-describedby="settings-text_from-hint settings-text_from-error" aria-invalid="true"`)
	require.Contains(t, p.Body, `value="555-01"`, "what was typed stays")
	require.Contains(t, p.Body, `aria-describedby="settings-automatic-hint" checked>`, "as ticked, not as kept")
	require.False(t, b.API.Called("PUT", "/api/v1/work/practices/pr-1/messages/settings"))

	p = b.Post(t, "pat", "/practices/pr-1/messages/settings", url.Values{"text_from": {" (512) 555-0150 "}, "per_minute": {"45"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/practices/pr-1/messages", p.Header.Get("Location"))
	require.Equal(t, map[string]any{"text_from": "+15125550150", "automatic": false, "per_minute": float64(45)},
		b.API.Last(t, "PUT", "/api/v1/work/practices/pr-1/messages/settings").Body)
	q := b.Get(t, "pat", "/practices/pr-1/messages", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "Saved. The cadence&#39;s text and e-mail steps wait for an agent.")

	refusing := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/messages": answer(200, messageSetupJSON),
		"PUT /api/v1/work/practices/pr-1/messages/settings": answer(400, `{"error":{"code":"invalid_fields","message":"2 fields need attention","field":"per_minute",
"fields":{"per_minute":"must be between 1 and 600 messages a minute","text_from":"must be a phone number in E.164 form, such as +15125550100"}}}`),
	})
	p = refusing.Post(t, "pat", "/practices/pr-1/messages/settings", url.Values{"text_from": {"+15125550150"}, "per_minute": {"30"}, "automatic": {"true"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="settings-per_minute-error" class="field-error">Must be between 1 and 600 messages a minute.</small>`)
	require.Contains(t, p.Body, `<small id="settings-text_from-error" class="field-error">Must be a phone number in E.164 form, such as &#43;15125550100.</small>`)
	require.NotContains(t, p.Body, `class="form-alert"`, "every refusal is beside its field")
}

// TestTemplateEditorListsThePlaceholders: the editor is filled with the
// template as kept, lists each placeholder the channel allows with what
// fills it, gives an e-mail a subject and a text none, and offers a reset
// only for the practice's own.
func TestTemplateEditorListsThePlaceholders(t *testing.T) {
	t.Parallel()
	b := setup(t, messageReplies())
	p := b.Get(t, "pat", "/practices/pr-1/messages/templates/email/balance_reminder")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		`<h1>Balance reminder <small>(e-mail)</small></h1>`,
		`Backdesk's default. Saving makes it the practice's own.`,
		`<form method="post" action="/practices/pr-1/messages/templates/email/balance_reminder" id="template-form"`,
		`<input type="text" id="template-name" name="name" value="Balance reminder"`,
		`<input type="text" id="template-subject" name="subject" value="A message from {{practice_name}}"`,
		">Hi {{first_name}},\n\nCall {{practice_phone}}.</textarea>",
		`<dt><code>{{practice_phone}}</code></dt><dd>The first office&#39;s phone, as people write it: (512) 555-0100.</dd>`,
		`<dt><code>{{due_month}}</code></dt><dd>The month a recall is due, such as April 2026.</dd>`,
		`<dt><code>{{link}}</code></dt><dd>A link to a page that asks the patient to confirm who they are`,
		`name="do" value="preview" class="secondary" id="preview-template" formaction="/practices/pr-1/messages/templates/email/balance_reminder#editor">Preview</button>`,
		`name="do" value="save" id="save-template">Save</button>`,
	} {
		require.Contains(t, p.Body, want)
	}
	require.NotContains(t, p.Body, `id="reset-template"`, "a default has nothing to reset")
	require.NotContains(t, p.Body, `id="template-preview"`)

	p = b.Get(t, "pat", "/practices/pr-1/messages/templates/text/balance_reminder")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<span class="badge badge-own">The practice's own</span>`)
	require.NotContains(t, p.Body, `id="template-subject"`, "a text has no subject")
	require.Contains(t, p.Body, `<form method="post" action="/practices/pr-1/messages/templates/text/balance_reminder/reset">`)

	before := len(b.API.Calls)
	for _, path := range []string{"/practices/pr-1/messages/templates/fax/balance_reminder", "/practices/pr-1/messages/templates/text/a.b"} {
		require.Equal(t, http.StatusNotFound, b.Get(t, "pat", path).Code, path)
	}
	require.Len(t, b.API.Calls, before, "what is no channel or key never reaches the API")
	require.Equal(t, http.StatusNotFound, b.Get(t, "pat", "/practices/pr-1/messages/templates/email/recall_due").Code, "not one of the practice's")
}

// TestTemplatePreviewAndSave: Preview checks the template as typed and
// shows every problem beside its field at once, or the text filled in
// with its segments, and keeps nothing; Save keeps it, or shows every
// refusal beside its field; Reset drops the practice's own.
func TestTemplatePreviewAndSave(t *testing.T) {
	t.Parallel()
	replies := messageReplies()
	const path = "/practices/pr-1/messages/templates/text/recall_due"
	check := "POST /api/v1/work/practices/pr-1/messages/templates/check"
	replies[check] = answer(200, `{"template":{},"problems":{"body":"uses {{amount}}, which do not exist; use {{practice_name}}, {{practice_phone}}, {{first_name}}, {{due_month}}, {{link}}",
"name":"give the template a name people will recognise"}}`)
	b := setup(t, replies)

	p := b.Post(t, "pat", path, url.Values{"do": {"preview"}, "name": {" "}, "body": {"Hi {{first_name}}, you owe {{amount}}."}, "subject": {"ignored"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, map[string]any{"channel": "text", "key": "recall_due", "name": "", "subject": "", "body": "Hi {{first_name}}, you owe {{amount}}."},
		b.API.Last(t, "POST", "/api/v1/work/practices/pr-1/messages/templates/check").Body, "a text is checked without a subject")
	require.Contains(t, p.Body, `<small id="template-body-error" class="field-error">Uses {{amount}}, which do not exist; use {{practice_name}}, {{practice_phone}}, {{first_name}}, {{due_month}}, {{link}}.</small>`)
	require.Contains(t, p.Body, `<small id="template-name-error" class="field-error">Give the template a name people will recognise.</small>`)
	require.Contains(t, p.Body, `aria-describedby="template-body-hint template-body-error" aria-invalid="true">Hi {{first_name}}, you owe {{amount}}.</textarea>`)
	require.NotContains(t, p.Body, `id="template-preview"`)
	require.False(t, b.API.Called("PUT", "/api/v1/work/practices/pr-1/messages/templates/text/recall_due"), "a preview keeps nothing")

	b.API.Replies[check] = answer(200, `{"template":{},"body":"Hi Alex, Demo Dental here: your checkup is due in March 2027.","segments":1}`)
	p = b.Post(t, "pat", path, url.Values{"do": {"preview"}, "name": {"Recall due"}, "body": {"Hi {{first_name}}, {{practice_name}} here: your checkup is due in {{due_month}}."}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<dd id="preview-body" class="message-body">Hi Alex, Demo Dental here: your checkup is due in March 2027.</dd>`)
	require.Contains(t, p.Body, `<dd id="preview-segments">1 segment</dd>`)
	require.Contains(t, p.Body, `>Hi {{first_name}}, {{practice_name}} here: your checkup is due in {{due_month}}.</textarea>`, "the form as typed")
	require.NotContains(t, p.Body, "field-error")

	put := "PUT /api/v1/work/practices/pr-1/messages/templates/text/recall_due"
	b.API.Replies[put] = answer(400, `{"error":{"code":"invalid_fields","message":"2 fields need attention","field":"body",
"fields":{"body":"is 4 text segments long with long values filled in; keep it to 3","name":"give the template a name people will recognise"}}}`)
	p = b.Post(t, "pat", path, url.Values{"do": {"save"}, "name": {""}, "body": {strings.Repeat("Hi {{first_name}}. ", 40)}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="template-body-error" class="field-error">Is 4 text segments long with long values filled in; keep it to 3.</small>`)
	require.Contains(t, p.Body, `<small id="template-name-error" class="field-error">Give the template a name people will recognise.</small>`)

	b.API.Replies[put] = answer(200, `{"template":{},"body":"Hi Alex.","segments":1}`)
	p = b.Post(t, "pat", path, url.Values{"do": {"save"}, "name": {" Recall due "}, "body": {"Hi {{first_name}}."}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, path, p.Header.Get("Location"))
	require.Equal(t, map[string]any{"name": "Recall due", "subject": "", "body": "Hi {{first_name}}."},
		b.API.Last(t, "PUT", "/api/v1/work/practices/pr-1/messages/templates/text/recall_due").Body)
	q := b.Get(t, "pat", path, p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "Saved. Agents and the cadence now send the practice&#39;s own Recall due text.")

	b.API.Replies["DELETE /api/v1/work/practices/pr-1/messages/templates/text/balance_reminder"] = answer(204, ``)
	p = b.Post(t, "pat", "/practices/pr-1/messages/templates/text/balance_reminder/reset", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/practices/pr-1/messages/templates/text/balance_reminder", p.Header.Get("Location"))
	require.True(t, b.API.Called("DELETE", "/api/v1/work/practices/pr-1/messages/templates/text/balance_reminder"))
	q = b.Get(t, "pat", "/practices/pr-1/messages/templates/text/balance_reminder", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "Reset. The default applies again.")

	p = b.Post(t, "pat", path+"/reset", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	q = b.Get(t, "pat", path, p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, `flash flash-error">It was already the default`)
}

// TestProblemsNameThePatientsInThePracticesZone: opt-outs and undelivered
// messages list patients by name, channels, the way out and templates in
// words, times in the practice's zone with the zone, and a link to the
// follow-up where there is one; never an id.
func TestProblemsNameThePatientsInThePracticesZone(t *testing.T) {
	t.Parallel()
	replies := messageReplies()
	replies["GET /api/v1/work/practices/pr-1/messages/problems"] = answer(200, `{
"opt_outs":[{"channel":"text","patient_id":"pt-111111111111","patient_name":"Dana Reyes","source":"keyword","at":"2026-11-20T15:04:00Z"},
{"channel":"email","patient_id":"","patient_name":"","source":"unsubscribe_link","at":"2026-11-19T12:00:00Z"}],
"failures":[{"message_id":"msg-222222222222","patient_id":"pt-111111111111","patient_name":"Dana Reyes","item_id":"wi-333333333333","channel":"text",
"template":"balance_reminder","error":"the carrier did not deliver it (30006)","at":"2026-11-20T16:30:00Z"},
{"message_id":"msg-444444444444","patient_id":"pt-555555555555","patient_name":"Sam Okafor","item_id":"","channel":"text",
"template":"keyword_stop","error":"the provider refused it","at":"2026-11-18T09:00:00Z"}]}`)
	b := setup(t, replies)
	p := b.Get(t, "pat", "/practices/pr-1/messages/problems")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		"Times are in the practice's time zone, America/Chicago.",
		`<th scope="row">Dana Reyes</th><td>Text</td><td>Replied STOP</td>
      <td><time datetime="2026-11-20T15:04:00Z">Fri 20 Nov 2026, 09:04 CST</time></td>`,
		`<th scope="row">No patient on file has this number or address now</th><td>E-mail</td><td>Unsubscribe link</td>`,
		`<th scope="row">Dana Reyes</th><td>Text</td><td>Balance reminder</td><td class="failure-reason">The carrier did not deliver it (30006).</td>
      <td><time datetime="2026-11-20T16:30:00Z">Fri 20 Nov 2026, 10:30 CST</time></td>
      <td><a href="/items/wi-333333333333">Open the follow-up<span class="visually-hidden"> of Dana Reyes</span></a></td>`,
		`<th scope="row">Sam Okafor</th><td>Text</td><td>Answer to STOP</td><td class="failure-reason">The provider refused it.</td>`,
		`<td>—</td></tr>`,
	} {
		require.Contains(t, p.Body, want)
	}
	for _, id := range []string{"pt-111111111111", "pt-555555555555", "msg-222222222222", "balance_reminder<", "keyword_stop"} {
		require.NotContains(t, p.Body, id, "names, never ids")
	}

	empty := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/messages/problems": answer(200, `{"opt_outs":[],"failures":[]}`),
	})
	p = empty.Get(t, "pat", "/practices/pr-1/messages/problems")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p id="no-optouts">Nobody has opted out.</p>`)
	require.Contains(t, p.Body, `<p id="no-failures">None in the last 90 days.</p>`)
	require.Contains(t, p.Body, "Times are in the practice's time zone, UTC.", "a practice that cannot be read is shown in UTC, which the page says")

	refused := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/messages/problems": answer(403, `{"error":{"code":"role","message":"only the practice's admins review its messages"}}`),
	})
	p = refused.Get(t, "alice", "/practices/pr-1/messages/problems")
	require.Equal(t, http.StatusForbidden, p.Code, p.Body)
	require.Contains(t, p.Body, "only the practice&#39;s admins review its messages")
}
