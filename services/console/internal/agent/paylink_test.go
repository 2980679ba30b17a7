package agent

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/stretchr/testify/require"
)

// payLinkForm is the pay link form of an item page.
func payLinkForm(t *testing.T, body string) string {
	t.Helper()
	_, form, ok := strings.Cut(body, `id="paylink-form"`)
	require.True(t, ok, "the pay link form is offered")
	form, _, _ = strings.Cut(form, `</form>`)
	return form
}

// TestABalanceOffersItsStatementAndAPayLink: a balance follow-up links
// the account's latest statement, to open in a new tab, without asking
// the API whether there is one; its pay link form offers text or e-mail,
// the cadence's date and the quick picks, and carries the item's
// version. Other kinds of work have neither.
func TestABalanceOffersItsStatementAndAPayLink(t *testing.T) {
	t.Parallel()
	b := setup(t, messagePage())
	p := b.Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<a href="/items/wi-1/statement/export" target="_blank" rel="noopener" id="latest-statement-link">Latest statement (PDF)<span class="visually-hidden">, opens in a new tab</span></a>`)
	require.False(t, b.API.Called("GET", "/api/v1/work/items/wi-1/statement"), "the page does not ask for the statement")
	require.Contains(t, p.Body, `<form method="post" action="/items/wi-1/payment-link" id="paylink-form" aria-labelledby="paylink-title" novalidate>`)
	form := payLinkForm(t, p.Body)
	for _, want := range []string{
		`<input type="hidden" name="csrf_token" value="csrf-alice">`,
		`<input type="hidden" name="version" value="4">`,
		`<input type="hidden" name="tz" value="America/Chicago" data-browser-tz>`,
		`<option value="text" selected>Text</option>`, `<option value="email">E-mail</option>`,
		`id="paylink-cadence-pick" data-date-offset=`,
		`data-date-offset="7" data-date-target="paylink-next-contact"`,
		`<textarea id="paylink-note" name="note" rows="2"></textarea>`,
		`<button type="submit" id="send-paylink">Send pay link</button>`,
	} {
		require.Contains(t, form, want, want)
	}

	recare := strings.Replace(itemInChicago, `"kind":"balance_followup"`, `"kind":"recare"`, 1)
	replies := messagePage()
	replies["GET /api/v1/work/items/wi-1"] = answer(200, recare)
	p = setup(t, replies).Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, `id="latest-statement-link"`)
	require.NotContains(t, p.Body, `id="paylink-form"`)

	// Where texts and e-mails are not set up, no pay link can go.
	p = setup(t, map[string]func() (int, string){"GET /api/v1/work/items/wi-1": answer(200, itemJSON)}).Get(t, "alice", "/items/wi-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, `id="paylink-form"`)
	require.Contains(t, p.Body, `id="latest-statement-link"`, "a statement is not a message")
}

// TestSendingAPayLinkComesBackToTheItem: the form is sent as the API
// takes it, the next contact date as 9:00 that day in the practice's
// zone, and the item page says what went.
func TestSendingAPayLinkComesBackToTheItem(t *testing.T) {
	t.Parallel()
	replies := messagePage()
	replies["POST /api/v1/work/items/wi-1/payment-link"] = answer(201, `{"message":{"id":"m-9","direction":"out","channel":"email",
"template":"payment_link","body":"Pay at /m/pay/…","state":"queued","sent_by":"u-alice","created_at":"2026-11-20T15:04:00Z"},"version":5}`)
	b := setup(t, replies)
	p := b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"email"}, "next_contact": {"2026-12-02"},
		"tz": {"America/Chicago"}, "note": {" sent the link "}, "version": {"4"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/items/wi-1", p.Header.Get("Location"))
	call := b.API.Last(t, "POST", "/api/v1/work/items/wi-1/payment-link")
	require.Equal(t, map[string]any{"channel": "email", "next_contact_at": "2026-12-02T15:00:00Z", "note": "sent the link", "version": float64(4)}, call.Body)
	require.Equal(t, "csrf-alice", call.CSRF)
	q := b.Get(t, "alice", "/items/wi-1", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "Pay link sent by e-mail — next contact Wed 2 Dec 2026.")
}

// TestAPayLinkRefusedIsSaidBesideItsField: the console's own checks
// come all at once and send nothing; the API's rule stands beside the
// channel, nothing to pay above the form, and a stale version asks for a
// reload, the form as typed each time.
func TestAPayLinkRefusedIsSaidBesideItsField(t *testing.T) {
	t.Parallel()
	replies := messagePage()
	b := setup(t, replies)
	p := b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"fax"}, "next_contact": {"soon"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.False(t, b.API.Called("POST", "/api/v1/work/items/wi-1/payment-link"))
	form := payLinkForm(t, p.Body)
	require.Contains(t, form, `<small id="paylink-channel-error" class="field-error">Choose a text or an e-mail.</small>`)
	require.Contains(t, form, `<small id="paylink-next-contact-error" class="field-error">Enter a date, such as 2026-12-02.</small>`)
	require.Contains(t, form, `aria-describedby="paylink-next-contact-hint paylink-next-contact-error" aria-invalid="true"`)
	require.Contains(t, p.Body, `<details class="form-card" id="paylink" open>`, "the form is open on its messages")
	require.NotContains(t, p.Body, `id="message-channel-error"`, "the send form is left alone")

	p = b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"text"}, "version": {"4"}})
	require.Contains(t, payLinkForm(t, p.Body), `<small id="paylink-next-contact-error" class="field-error">Write the next contact date`)

	replies["POST /api/v1/work/items/wi-1/payment-link"] = answer(400,
		`{"error":{"code":"opted_out","field":"channel","message":"the patient's number opted out of this practice's texts (replied STOP)"}}`)
	p = b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"text"}, "next_contact": {"2026-12-02"}, "note": {"left a voicemail"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	form = payLinkForm(t, p.Body)
	require.Contains(t, form, `<small id="paylink-channel-error" class="field-error">The patient&#39;s number opted out of this practice&#39;s texts (replied STOP).</small>`)
	require.Contains(t, form, `<select id="paylink-channel" name="channel" aria-invalid="true" aria-describedby="paylink-channel-error">`)
	require.Contains(t, form, `value="2026-12-02"`)
	require.Contains(t, form, `>left a voicemail</textarea>`)

	replies["POST /api/v1/work/items/wi-1/payment-link"] = answer(400,
		`{"error":{"code":"nothing_due","field":"item","message":"the balance has less than $1.00 due; there is nothing to pay by link"}}`)
	p = b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"text"}, "next_contact": {"2026-12-02"}, "version": {"4"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, payLinkForm(t, p.Body), `<p class="form-alert" role="alert" id="paylink-item-error">The balance has less than $1.00 due; there is nothing to pay by link.</p>`)

	replies["POST /api/v1/work/items/wi-1/payment-link"] = answer(409, `{"error":{"code":"stale","message":"the item changed"}}`)
	p = b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"text"}, "next_contact": {"2026-12-02"}, "version": {"3"}})
	form = payLinkForm(t, p.Body)
	require.Contains(t, form, `role="alert">The item changed since this page was loaded.`)
	require.Contains(t, form, `name="version" value="3"`)

	replies["POST /api/v1/work/items/wi-1/payment-link"] = answer(403, `{"error":{"code":"not_yours","message":"the item is not yours"}}`)
	p = b.Post(t, "alice", "/items/wi-1/payment-link", url.Values{"channel": {"text"}, "next_contact": {"2026-12-02"}, "version": {"4"}})
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "the item is not yours")
}

// TestTheLatestStatementOpensThroughTheConsole: the statement is the
// API's PDF, shown in the browser as the API writes it; an account with
// none gets a page that says so; a refusal is the error page.
func TestTheLatestStatementOpensThroughTheConsole(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"GET /api/v1/work/items/wi-1/statement": func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "backdesk_session=sess-alice", r.Header.Get("Cookie"), "as the agent")
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `inline; filename="statement.pdf"`)
			_, _ = io.WriteString(w, "%PDF-1.7\n%%EOF\n")
		},
		"GET /api/v1/work/items/wi-2/statement": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"statement of the account not found"}}`)
		},
		"GET /api/v1/work/items/wi-3/statement": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, `{"error":{"code":"no_grant","message":"no grant covers this patient"}}`)
		},
	}
	p := b.Get(t, "alice", "/items/wi-1/statement/export")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, "%PDF-1.7\n%%EOF\n", p.Body)
	require.Equal(t, "application/pdf", p.Header.Get("Content-Type"))
	require.Equal(t, `inline; filename="statement.pdf"`, p.Header.Get("Content-Disposition"), "shown in the browser")
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))

	p = b.Get(t, "alice", "/items/wi-2/statement/export")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<h1 id="nostatement-title">No statement yet for this account</h1>`)
	require.Contains(t, p.Body, `<a href="/items/wi-2">Back to the item</a>`)
	require.Equal(t, "text/html; charset=utf-8", p.Header.Get("Content-Type"))

	p = b.Get(t, "alice", "/items/wi-3/statement/export")
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "no grant covers this patient")

	require.Equal(t, http.StatusNotFound, b.Get(t, "alice", "/items/wi.1/statement/export").Code)
	require.False(t, b.API.Called("GET", "/api/v1/work/items/wi.1/statement"), "what is no id never reaches the API")
}
