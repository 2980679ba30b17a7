package admin

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

const outboxJSON = `{"messages":[
{"practice_id":"pr-2","item_id":"wi-2","to":"dana@example.com","message":{"id":"m-3","direction":"out","channel":"email","subject":"Your balance",
 "body":"Dear Dana","state":"delivered","sent_by":"u-alice","created_at":"2026-11-20T18:00:00Z"}},
{"practice_id":"pr-1","item_id":"wi-1","to":"+15125550147","message":{"id":"m-2","direction":"in","channel":"text",
 "body":"Can I pay Friday?","state":"received","sent_by":"patient","created_at":"2026-11-20T17:00:00Z"}},
{"practice_id":"pr-1","item_id":"wi-1","to":"+15125550147","message":{"id":"m-1","direction":"out","channel":"text",
 "body":"Hi Dana, a balance is due.","state":"delivered","sent_by":"u-alice","created_at":"2026-11-20T15:04:00Z"}}]}`

// withOutbox is the fake API with the outbox, and the list of practices
// in two pages: the second practice is found only by asking on.
func withOutbox(t *testing.T) kittest.Bundle {
	t.Helper()
	b := setup(t, map[string]func() (int, string){"GET /api/v1/messages/outbox": answer(200, outboxJSON)})
	b.API.Handlers = map[string]http.HandlerFunc{"GET /api/v1/practices": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Query().Get("after") {
		case "":
			_, _ = io.WriteString(w, `{"items":[{"id":"pr-1","name":"Lakeside Dental","timezone":"America/Chicago"}],"next_after":"pr-1"}`)
		case "pr-1":
			_, _ = io.WriteString(w, `{"items":[{"id":"pr-2","name":"Hillside Smiles","timezone":"America/New_York"}]}`)
		default:
			w.WriteHeader(http.StatusBadRequest)
		}
	}}
	return b
}

// row is the outbox's row of message id.
func row(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `<tr data-message-id="`+id+`"`)
	require.GreaterOrEqual(t, i, 0, "no row for %s", id)
	r, _, _ := strings.Cut(body[i:], "</tr>")
	return r
}

func TestTheOutboxNamesPracticesAndOffersRepliesToTexts(t *testing.T) {
	t.Parallel()
	b := withOutbox(t)
	p := b.Get(t, "admin", "/outbox")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `href="/outbox" aria-current="page">Dev outbox</a>`, "the top bar links it for platform admins")

	text := row(t, p.Body, "m-1")
	require.Contains(t, text, `<td class="outbox-practice">Lakeside Dental</td>`)
	require.Contains(t, text, "Text to the patient")
	require.Contains(t, text, "(512) 555-0147")
	require.Contains(t, text, "Hi Dana, a balance is due.")
	require.Contains(t, text, `<td class="message-state">Delivered</td>`)
	require.Contains(t, text, "Fri 20 Nov 2026, 09:04 CST", "in the practice's zone")
	require.Contains(t, text, `<form method="post" action="/outbox/m-1/reply"`)
	require.Contains(t, text, `name="csrf_token" value="csrf-admin"`)

	email := row(t, p.Body, "m-3")
	require.Contains(t, email, `<td class="outbox-practice">Hillside Smiles</td>`, "found on the list's second page")
	require.Contains(t, email, "dana@example.com")
	require.Contains(t, email, "<strong>Your balance</strong>")
	require.NotContains(t, email, "<form", "an e-mail is not answered here")

	reply := row(t, p.Body, "m-2")
	require.Contains(t, reply, "Text from the patient")
	require.Contains(t, reply, "Received")
	require.NotContains(t, reply, "<form", "a reply is not answered again")
	for _, id := range []string{"pr-1", "pr-2"} {
		require.NotContains(t, p.Body, ">"+id+"<", "practices by name, never by id")
	}
}

func TestWithoutADevProviderTheOutboxSaysSo(t *testing.T) {
	t.Parallel()
	b := setup(t, nil) // the fake API answers 404, as without the dev provider
	p := b.Get(t, "admin", "/outbox")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, "go through the real text and e-mail providers here")
	require.NotContains(t, p.Body, `<table`)
}

func TestTheOutboxIsThePlatformAdminsAlone(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/messages/outbox": answer(403, `{"error":{"code":"forbidden","message":"platform administrators manage practices"}}`),
	})
	p := b.Get(t, "alice", "/outbox")
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "platform administrators manage practices")
	require.NotContains(t, p.Body, `href="/outbox"`, "the top bar does not offer it to an agent")
}

func TestReplyAsThePatient(t *testing.T) {
	t.Parallel()
	b := withOutbox(t)
	b.API.Replies["POST /api/v1/messages/outbox/m-1/reply"] = answer(201, `{"message_id":"m-4","item_id":"wi-1"}`)
	p := b.Post(t, "admin", "/outbox/m-1/reply", url.Values{"body": {" Can I pay Friday? "}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/outbox", p.Header.Get("Location"))
	call := b.API.Last(t, "POST", "/api/v1/messages/outbox/m-1/reply")
	require.Equal(t, map[string]any{"body": "Can I pay Friday?"}, call.Body)
	require.Equal(t, "csrf-admin", call.CSRF)
	q := b.Get(t, "admin", "/outbox", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "Answered as the patient")
}

func TestAReplyIsRefusedBesideItsField(t *testing.T) {
	t.Parallel()
	b := withOutbox(t)
	p := b.Post(t, "admin", "/outbox/m-1/reply", url.Values{"body": {"  "}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.False(t, b.API.Called("POST", "/api/v1/messages/outbox/m-1/reply"))
	text := row(t, p.Body, "m-1")
	require.Contains(t, text, `<small id="reply-m-1-error" class="field-error">Write what the patient answers`)
	require.Contains(t, text, `aria-invalid="true" aria-describedby="reply-m-1-error"`)

	b.API.Replies["POST /api/v1/messages/outbox/m-1/reply"] = answer(400,
		`{"error":{"code":"too_long","field":"body","message":"must be at most 1600 characters"}}`)
	p = b.Post(t, "admin", "/outbox/m-1/reply", url.Values{"body": {"Friday"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	text = row(t, p.Body, "m-1")
	require.Contains(t, text, "must be at most 1600 characters")
	require.Contains(t, text, `value="Friday"`, "what was typed stays")

	p = b.Post(t, "admin", "/outbox/a.b/reply", url.Values{"body": {"Friday"}})
	require.Equal(t, http.StatusNotFound, p.Code, "an id that is no id never reaches the API")
}
