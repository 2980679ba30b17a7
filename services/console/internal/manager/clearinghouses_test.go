package manager

import (
	"html"
	"net/http"
	"net/url"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

// connectionsJSON are two connections as the API lists them: one over
// SFTP that failed its last poll, one carried by hand.
const connectionsJSON = `[
{"id":"acme","name":"Acme Clearinghouse","mode":"sftp","address":"sftp.acme.test:22","username":"backdesk",
"host_key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAcme","secret_ref":"env:ACME_SFTP_PASSWORD","outbound":"/outbound","inbound":"/inbound",
"archive":"/archive","sender_qualifier":"ZZ","sender_id":"BACKDESK","receiver_qualifier":"ZZ","receiver_id":"ACME","production":true,
"answer_minutes":240,"ack_minutes":60,"last_poll_at":"2026-11-20T14:05:00Z","last_error":"sftpbox: list /inbound: connection refused"},
{"id":"portal-house","name":"Portal House","mode":"manual","address":"","username":"","host_key":"","secret_ref":"",
"outbound":"","inbound":"","archive":"","sender_qualifier":"ZZ","sender_id":"BACKDESK","receiver_qualifier":"ZZ","receiver_id":"PORTAL",
"production":false,"answer_minutes":480,"ack_minutes":90}]`

// filesJSON are Acme's files, newest first, in most of their states.
const filesJSON = `[
{"id":"f-5","direction":"in","name":"999-0412.x12","kind":"999","interchange_control":"000000412","state":"applied",
"note":"0 answers: 0 verified, 0 to agents, 0 unmatched; 1 batches acknowledged","patients":0,"size":512,"created_at":"2026-11-20T15:00:00Z"},
{"id":"f-4","direction":"out","name":"270-0412.x12","kind":"270","interchange_control":"000000412","state":"rejected",
"note":"transaction set 270 0001 rejected: NM109 at segment 9 of the set, loop 2100C","patients":12,"size":18400,
"created_at":"2026-11-20T14:00:00Z","sent_at":"2026-11-20T14:01:00Z","acked_at":"2026-11-20T15:00:00Z"},
{"id":"f-3","direction":"out","name":"276-0411.x12","kind":"276","interchange_control":"000000411","state":"overdue",
"note":"","patients":3,"size":2048,"created_at":"2026-11-20T10:00:00Z","sent_at":"2026-11-20T10:01:00Z"},
{"id":"f-2","direction":"out","name":"270-0410.x12","kind":"270","interchange_control":"000000410","state":"built",
"note":"","patients":7,"size":9100,"created_at":"2026-11-20T09:00:00Z"},
{"id":"f-1","direction":"in","name":"271-0409.x12","kind":"271","interchange_control":"000000409","state":"failed",
"note":"not applied: segment 4: ISA16 missing","patients":0,"size":1500000,"created_at":"2026-11-19T09:00:00Z"}]`

const payersJSON = `[{"name":"Delta Dental","id":"DD001","eligibility":true,"claim_status":true},
{"name":"Guardian","id":"GRD77","eligibility":true,"claim_status":false}]`

// clearinghouseAPI answers the connection pages' reads; more adds or
// replaces replies.
func clearinghouseAPI(more map[string]func() (int, string)) map[string]func() (int, string) {
	r := map[string]func() (int, string){
		"GET /api/v1/clearinghouses":             answer(200, connectionsJSON),
		"GET /api/v1/clearinghouses/acme/payers": answer(200, payersJSON),
		"GET /api/v1/clearinghouses/acme/files":  answer(200, filesJSON),
	}
	for k, v := range more {
		r[k] = v
	}
	return r
}

// forbidden is the API's refusal of someone who may not manage
// clearinghouses.
var forbidden = answer(403, `{"error":{"code":"role_required","message":"billing managers and platform administrators manage clearinghouse connections"}}`)

// text is a page's body as a person reads it, without HTML's escapes.
func text(p kittest.Page) string { return html.UnescapeString(p.Body) }

func TestClearinghouseListShowsEachConnectionsHealth(t *testing.T) {
	t.Parallel()
	b := setup(t, clearinghouseAPI(nil))
	p := b.Get(t, "maria", "/clearinghouses")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		`<a href="/clearinghouses" aria-current="page">Clearinghouses</a>`,
		`<th scope="row"><a href="/clearinghouses/acme">Acme Clearinghouse</a></th><td>SFTP</td><td>Production (P)</td>`,
		`<time datetime="2026-11-20T14:05:00Z">Fri 20 Nov 2026, 14:05 UTC</time>`,
		`<span class="badge badge-overdue">Failing</span> sftpbox: list /inbound: connection refused`,
		`<th scope="row"><a href="/clearinghouses/portal-house">Portal House</a></th><td>By hand</td><td>Test files (T)</td>`,
		`<td>Not polled: files are carried by hand</td>`,
		`<form method="post" action="/clearinghouses" id="add-connection" novalidate>`,
		`<input type="hidden" name="csrf_token" value="csrf-maria">`,
		`<input type="radio" name="mode" value="sftp" checked>`,
		`<input id="answer_minutes" name="answer_minutes" value="240"`,
	} {
		require.Contains(t, p.Body, want)
	}
	require.NotContains(t, p.Body, "ACME_SFTP_PASSWORD", "the list shows no secret reference, let alone a secret")
}

func TestAddingAConnection(t *testing.T) {
	t.Parallel()
	typed := func(change map[string]string) url.Values {
		v := url.Values{"name": {"Acme Two"}, "id": {""}, "mode": {"sftp"}, "production": {"yes"}, "address": {"sftp.two.test"},
			"username": {"bd"}, "host_key": {""}, "secret_ref": {"file:/run/secrets/two"}, "outbound": {"/out"}, "inbound": {"/in"},
			"archive": {""}, "sender_qualifier": {"ZZ"}, "sender_id": {"BACKDESK-LONGER-THAN-15"}, "receiver_qualifier": {"ZZ"},
			"receiver_id": {"TWO"}, "answer_minutes": {"240"}, "ack_minutes": {""}}
		for k, s := range change {
			v.Set(k, s)
		}
		return v
	}
	refused := `{"error":{"code":"invalid_fields","field":"address","message":"3 fields need attention","fields":{
"address":"must be host:port, e.g. sftp.example.com:22",
"host_key":"is required for SFTP: the server's public key, as in known_hosts, so that no other server is trusted",
"sender_id":"must be at most 15 characters"}}}`
	saved := `{"id":"acme-two","name":"Acme Two","mode":"manual","sender_qualifier":"ZZ","sender_id":"BD","receiver_qualifier":"ZZ",
"receiver_id":"TWO","production":false,"answer_minutes":240,"ack_minutes":60}`
	cases := []struct {
		name      string
		form      url.Values
		put       string // the API path sent to, or "" when nothing is sent
		reply     func() (int, string)
		errors    map[string]string // beside each field
		kept      []string          // what was typed, shown again
		redirect  string
		forbidden []string // never on the page
	}{
		{
			name: "every field the API refuses is beside its input at once", form: typed(nil),
			put: "/api/v1/clearinghouses/acme-two", reply: answer(400, refused),
			errors: map[string]string{
				"address":   "Address must be host:port, e.g. sftp.example.com:22.",
				"host_key":  "Host key is required for SFTP: the server's public key, as in known_hosts, so that no other server is trusted.",
				"sender_id": "Sender id must be at most 15 characters.",
			},
			kept: []string{`value="Acme Two"`, `value="acme-two"`, `value="sftp.two.test"`, `value="BACKDESK-LONGER-THAN-15"`,
				`value="file:/run/secrets/two"`, `name="production" value="yes" aria-describedby="production-hint" checked`},
		},
		{
			name: "a short name in use is refused, not sent, as the API would replace that connection",
			form: typed(map[string]string{"id": "acme"}),
			errors: map[string]string{"id": "The connection Acme Clearinghouse already has this short name. " +
				"Choose another, or change Acme Clearinghouse on its page."},
			kept: []string{`value="acme"`},
		},
		{
			name: "a password typed as the secret reference is refused, and neither sent nor shown back",
			form: typed(map[string]string{"secret_ref": "hunter2-correct-horse", "ack_minutes": "soon"}),
			errors: map[string]string{
				"secret_ref":  "Secret reference must be env:NAME or file:PATH, naming where the password or key is kept. What was typed was not sent or kept: never type the password itself.",
				"ack_minutes": "Acknowledgment window must be a whole number of minutes, such as 60; empty for 60.",
			},
			kept:      []string{`value="soon"`},
			forbidden: []string{"hunter2-correct-horse"},
		},
		{
			name: "a connection saved opens its page",
			form: typed(map[string]string{"id": "acme-two", "mode": "manual", "sender_id": "BD"}),
			put:  "/api/v1/clearinghouses/acme-two", reply: answer(200, saved), redirect: "/clearinghouses/acme-two",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			more := map[string]func() (int, string){}
			if tc.put != "" {
				more["PUT "+tc.put] = tc.reply
			}
			b := setup(t, clearinghouseAPI(more))
			p := b.Post(t, "maria", "/clearinghouses", tc.form)
			for _, c := range b.API.Calls {
				if tc.put == "" {
					require.NotEqual(t, http.MethodPut, c.Method, "nothing is sent: %+v", c)
				}
				require.NotContains(t, string(c.Raw), "hunter2", "a secret never reaches the API")
			}
			if tc.redirect != "" {
				require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
				require.Equal(t, tc.redirect, p.Header.Get("Location"))
				sent := b.API.Last(t, http.MethodPut, tc.put).Body
				require.Equal(t, "manual", sent["mode"])
				require.Equal(t, true, sent["production"])
				require.Equal(t, float64(0), sent["ack_minutes"], "empty is the API's default")
				return
			}
			require.Equal(t, http.StatusOK, p.Code, p.Body)
			body := text(p)
			for field, msg := range tc.errors {
				require.Contains(t, body, `<small id="`+field+`-error" class="field-error">`+msg+`</small>`)
				require.Regexp(t, `id="`+field+`"[^>]* aria-describedby="[^"]*`+field+`-error"[^>]* aria-invalid="true"`, p.Body)
			}
			for _, v := range tc.kept {
				require.Contains(t, p.Body, v)
			}
			for _, v := range tc.forbidden {
				require.NotContains(t, p.Body, v)
			}
		})
	}
}

func TestTheSecretIsShownOnlyAsItsReference(t *testing.T) {
	t.Parallel()
	b := setup(t, clearinghouseAPI(nil))
	p := b.Get(t, "maria", "/clearinghouses/acme")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `Kept at <code>env:ACME_SFTP_PASSWORD</code>`)
	require.Contains(t, p.Body, `<input id="secret_ref" name="secret_ref" value="env:ACME_SFTP_PASSWORD"`)
	require.NotContains(t, p.Body, `type="password"`, "the secret is never asked for")

	// A value the API holds that is no reference is not shown at all.
	leaky := setup(t, clearinghouseAPI(map[string]func() (int, string){
		"GET /api/v1/clearinghouses": answer(200, `[{"id":"acme","name":"Acme Clearinghouse","mode":"sftp","secret_ref":"plain-s3cret"}]`),
	}))
	p = leaky.Get(t, "maria", "/clearinghouses/acme")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, "plain-s3cret")
	require.Contains(t, p.Body, "No reference given.")

	// Nor is a password typed into the settings by mistake.
	p = b.Post(t, "maria", "/clearinghouses/acme", url.Values{"name": {"Acme Clearinghouse"}, "mode": {"sftp"}, "secret_ref": {"env:"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, `value="env:"`)
	require.Contains(t, p.Body, `<small id="secret_ref-error" class="field-error">`)
	require.False(t, b.API.Called(http.MethodPut, "/api/v1/clearinghouses/acme"))
}

func TestChangingAConnectionsSettings(t *testing.T) {
	t.Parallel()
	b := setup(t, clearinghouseAPI(map[string]func() (int, string){
		"PUT /api/v1/clearinghouses/acme": answer(200, `{"id":"acme","name":"Acme CH","mode":"sftp","production":true}`),
	}))
	p := b.Get(t, "maria", "/clearinghouses/acme")
	require.Contains(t, p.Body, `<form method="post" action="/clearinghouses/acme" id="connection-settings" novalidate>`)
	require.Contains(t, p.Body, `value="yes" aria-describedby="production-hint" checked> Production files`)
	require.NotContains(t, p.Body, `id="id"`, "the short name is not changed once given")

	p = b.Post(t, "maria", "/clearinghouses/acme", url.Values{"name": {"Acme CH"}, "mode": {"sftp"}, "production": {"yes"},
		"secret_ref": {"env:ACME_SFTP_PASSWORD"}, "answer_minutes": {"300"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/clearinghouses/acme", p.Header.Get("Location"))
	sent := b.API.Last(t, http.MethodPut, "/api/v1/clearinghouses/acme").Body
	require.Equal(t, "Acme CH", sent["name"])
	require.Equal(t, float64(300), sent["answer_minutes"])

	// A connection that is not there is not made by its settings form.
	p = b.Post(t, "maria", "/clearinghouses/nowhere", url.Values{"name": {"Nowhere"}, "mode": {"manual"}})
	require.Equal(t, http.StatusNotFound, p.Code)
	require.False(t, b.API.Called(http.MethodPut, "/api/v1/clearinghouses/nowhere"))
}

func TestRefusalsShowTheRefusalPage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, method, path string
		api                map[string]func() (int, string)
	}{
		{name: "the list", method: http.MethodGet, path: "/clearinghouses",
			api: map[string]func() (int, string){"GET /api/v1/clearinghouses": forbidden}},
		{name: "a connection's page", method: http.MethodGet, path: "/clearinghouses/acme",
			api: map[string]func() (int, string){"GET /api/v1/clearinghouses": forbidden}},
		{name: "its files", method: http.MethodGet, path: "/clearinghouses/acme",
			api: clearinghouseAPI(map[string]func() (int, string){"GET /api/v1/clearinghouses/acme/files": forbidden})},
		{name: "exchange now", method: http.MethodPost, path: "/clearinghouses/acme/exchange",
			api: map[string]func() (int, string){"POST /api/v1/clearinghouses/acme/exchange": forbidden}},
		{name: "a download", method: http.MethodGet, path: "/clearinghouses/acme/files/f-2/export",
			api: map[string]func() (int, string){"GET /api/v1/clearinghouses/acme/files/f-2/content": forbidden}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, tc.api)
			var form url.Values
			if tc.method == http.MethodPost {
				form = url.Values{"csrf_token": {"csrf-alice"}}
			}
			p := b.Do(t, "alice", tc.method, tc.path, form)
			require.Equal(t, http.StatusForbidden, p.Code, p.Body)
			require.Contains(t, p.Body, `<h1 id="problem-title">Not allowed</h1>`)
			require.Contains(t, p.Body, "billing managers and platform administrators manage clearinghouse connections")
			require.Contains(t, p.Body, `<code id="reason-code">role_required</code>`)
			require.NotContains(t, p.Body, `href="/clearinghouses"`, "the top bar offers the pages only to those who see the board")
		})
	}
}

// flashOf follows a form's redirect and returns the message the next
// page shows.
func flashOf(t *testing.T, b kittest.Bundle, p kittest.Page) string {
	t.Helper()
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	c := p.Cookie(kit.FlashCookie)
	require.NotNil(t, c, "the form leaves a message")
	next := b.Get(t, "maria", p.Header.Get("Location"), c)
	require.Equal(t, http.StatusOK, next.Code, next.Body)
	m := flashText.FindStringSubmatch(next.Body)
	require.NotNil(t, m, "the page shows the message")
	return html.UnescapeString(m[1])
}
