package practice

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

const (
	practiceJSON = `{"id":"pr-1","name":"Demo Dental","npi":"1234567893","timezone":"America/Chicago","status":"draft","version":4,
"baa":null,"created_at":"2026-11-01T12:00:00Z","updated_at":"2026-11-01T12:00:00Z","require_mfa":false}`
	locationsJSON = `{"items":[{"id":"loc-1","name":"Main Street","address_line1":"100 Main St","address_line2":"Suite 2","city":"Austin",
"state":"TX","postal_code":"78701","phone":"+15125550100","created_at":"2026-11-20T12:00:00Z"}]}`
	policiesJSON = `{"kinds":{"recare":{"kind":"recare","thresholds":{},"cadence":[{"offset_days":0,"action":"call"},{"offset_days":7,"action":"text"}],
"sla_days":2,"max_next_contact_days":30}},"contact":{"quiet_start":"20:00","quiet_end":"08:00","max_contacts_per_week":3,
"channels":["call","text"],"text_consent_required":true},"versions":{"contact":2,"recare":1}}`
)

func setupReplies() map[string]func() (int, string) {
	return map[string]func() (int, string){
		"GET /api/v1/practices/pr-1":           answer(200, practiceJSON),
		"GET /api/v1/practices/pr-1/locations": answer(200, locationsJSON),
		"GET /api/v1/practices/pr-1/policies":  answer(200, policiesJSON),
	}
}

// TestSetupPageShowsWhatIsRecorded: the set-up page shows the practice's
// locations in its zone, its contact rules filled in, and its cadences in
// words, each part with its own form.
func TestSetupPageShowsWhatIsRecorded(t *testing.T) {
	t.Parallel()
	b := setup(t, setupReplies())
	p := b.Get(t, "pat", "/practices/pr-1/setup")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		`<h1>Set up Demo Dental</h1>`,
		`<option value="America/Chicago" selected>Central (Chicago)</option>`,
		`<input type="hidden" name="version" value="4">`,
		`<td>100 Main St, Suite 2, Austin, TX 78701</td>`,
		`<time datetime="2026-11-20T12:00:00Z">Fri 20 Nov 2026, 06:00 CST</time>`,
		`action="/practices/pr-1/setup/baa" enctype="multipart/form-data"`,
		`action="/practices/pr-1/setup/locations"`,
		`action="/practices/pr-1/setup/invitations"`,
		`<input type="time" id="contact-quiet_start" name="quiet_start" value="20:00">`,
		`<input type="checkbox" name="channels" value="call" checked> Phone calls`,
		`<input type="checkbox" name="channels" value="email"> Emails`,
		`name="text_consent_required" value="true" role="switch" checked>`,
		`<input type="hidden" name="version" value="2">`,
		`<th scope="row">Recare</th><td>day 0: call; day 7: text</td>`,
	} {
		require.Contains(t, p.Body, want)
	}
	require.NotContains(t, p.Body, "balance_followup", "no raw kinds on the page")
}

// TestSetupFormsRefuseEveryFieldAtOnce: the console's own checks put a
// message beside each field at fault, and nothing is sent.
func TestSetupFormsRefuseEveryFieldAtOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, setupReplies())
	p := b.Post(t, "pat", "/practices/pr-1/setup/locations", url.Values{"name": {""}, "address_line1": {""}, "city": {"Austin"},
		"state": {"Texas"}, "postal_code": {"787"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="location-name-error" class="field-error">Give the office a name`)
	require.Contains(t, p.Body, `<small id="location-address_line1-error" class="field-error">Enter the street address.</small>`)
	require.Contains(t, p.Body, `<small id="location-state-error" class="field-error">Enter the two-letter state code, such as TX.</small>`)
	require.Contains(t, p.Body, `<small id="location-postal_code-error" class="field-error">Enter a ZIP code such as 78701 or 78701-1234.</small>`)
	require.Contains(t, p.Body, `<input type="text" id="location-city" name="city" value="Austin" autocomplete="address-level2">`, "what was typed stays")
	require.NotContains(t, p.Body, `location-city-error`)
	require.False(t, b.API.Called("POST", "/api/v1/practices/pr-1/locations"))

	p = b.Post(t, "pat", "/practices/pr-1/setup/contact", url.Values{"version": {"2"}, "quiet_start": {"8pm"}, "quiet_end": {"08:00"},
		"max_contacts_per_week": {"40"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="contact-quiet_start-error" class="field-error">Enter a time such as 20:00.</small>`)
	require.Contains(t, p.Body, `<small id="contact-max_contacts_per_week-error" class="field-error">Enter a whole number from 1 to 14.</small>`)
	require.Contains(t, p.Body, `<small id="contact-channels-error" class="field-error">Allow at least one way to contact patients.</small>`)
	require.Contains(t, p.Body, `<input type="checkbox" name="channels" value="call"> Phone calls`, "the form as typed, not as stored")
	require.False(t, b.API.Called("PUT", "/api/v1/practices/pr-1/policies/contact"))
}

// TestSetupFormsPostToTheAPI: each form sends the API its body and comes
// back to its section; the API's refusal is shown beside its field.
func TestSetupFormsPostToTheAPI(t *testing.T) {
	t.Parallel()
	replies := setupReplies()
	replies["POST /api/v1/practices/pr-1/locations"] = answer(201, `{"id":"loc-2"}`)
	replies["PUT /api/v1/practices/pr-1/policies/contact"] = answer(200, `{"kind":"contact","version":3}`)
	replies["PATCH /api/v1/practices/pr-1"] = answer(400, `{"error":{"code":"invalid_timezone","field":"timezone","message":"must be an IANA time zone"}}`)
	replies["POST /api/v1/practices/pr-1/invitations"] = answer(201, `{"id":"inv-1"}`)
	b := setup(t, replies)

	p := b.Post(t, "pat", "/practices/pr-1/setup/locations", url.Values{"name": {" North "}, "address_line1": {"5 Oak Rd"}, "city": {"Austin"},
		"state": {"tx"}, "postal_code": {"78702"}, "phone": {"512-555-0101"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/practices/pr-1/setup#locations", p.Header.Get("Location"))
	require.Equal(t, map[string]any{"name": "North", "address_line1": "5 Oak Rd", "address_line2": "", "city": "Austin", "state": "TX",
		"postal_code": "78702", "phone": "512-555-0101"}, b.API.Last(t, "POST", "/api/v1/practices/pr-1/locations").Body)

	p = b.Post(t, "pat", "/practices/pr-1/setup/contact", url.Values{"version": {"2"}, "quiet_start": {"21:00"}, "quiet_end": {"08:30"},
		"max_contacts_per_week": {"2"}, "channels": {"call", "email"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, map[string]any{"version": float64(2), "policy": map[string]any{"quiet_start": "21:00", "quiet_end": "08:30",
		"max_contacts_per_week": float64(2), "channels": []any{"call", "email"}, "text_consent_required": false}},
		b.API.Last(t, "PUT", "/api/v1/practices/pr-1/policies/contact").Body)

	p = b.Post(t, "pat", "/practices/pr-1/setup/invitations", url.Values{"email": {"dr.lee@example.com"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, map[string]any{"email": "dr.lee@example.com"}, b.API.Last(t, "POST", "/api/v1/practices/pr-1/invitations").Body)

	p = b.Post(t, "pat", "/practices/pr-1/setup/timezone", url.Values{"version": {"4"}, "timezone": {"America/Denver"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, map[string]any{"name": "Demo Dental", "timezone": "America/Denver", "version": float64(4), "require_mfa": nil},
		b.API.Last(t, "PATCH", "/api/v1/practices/pr-1").Body, "the name kept as it is")
	require.Contains(t, p.Body, `<small id="timezone-error" class="field-error">must be an IANA time zone</small>`)
	require.Contains(t, p.Body, `<option value="America/Denver" selected>`)
}

// TestSetupRecordsTheBAAFingerprint: the signed document is read for its
// SHA-256, which is all that is sent.
func TestSetupRecordsTheBAAFingerprint(t *testing.T) {
	t.Parallel()
	replies := setupReplies()
	replies["PUT /api/v1/practices/pr-1/baa"] = answer(200, practiceJSON)
	b := setup(t, replies)
	withBAA := setup(t, map[string]func() (int, string){
		"GET /api/v1/practices/pr-1": answer(200, strings.Replace(practiceJSON, `"baa":null`,
			`"baa":{"signer_name":"Dr. Ana Lee","signer_title":"Owner","signed_on":"2026-11-02","document_sha256":"ab","recorded_at":"2026-11-03T18:30:00Z"}`, 1)),
		"GET /api/v1/practices/pr-1/locations": answer(200, `{"items":[]}`),
		"GET /api/v1/practices/pr-1/policies":  answer(503, `{"error":{"code":"unavailable","message":"down"}}`),
	})
	shown := withBAA.Get(t, "pat", "/practices/pr-1/setup")
	require.Equal(t, http.StatusOK, shown.Code, shown.Body)
	require.Contains(t, shown.Body, `<dt>Signed by</dt><dd>Dr. Ana Lee, Owner</dd>`)
	require.Contains(t, shown.Body, `<dt>Signed on</dt><dd>Mon 2 Nov 2026</dd>`)
	require.Contains(t, shown.Body, `<time datetime="2026-11-03T18:30:00Z">Tue 3 Nov 2026, 12:30 CST</time>`)
	require.Contains(t, shown.Body, "The follow-up rules could not be read just now", "the rules are left out, not overwritten blind")
	require.NotContains(t, shown.Body, `action="/practices/pr-1/setup/contact"`)
	doc := "%PDF-1.7 signed agreement"
	post := func(fields [][2]string, file string) kittest.Page {
		body, ct := importBody(t, fields, file)
		req := httptest.NewRequest(http.MethodPost, "/practices/pr-1/setup/baa", body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Test-User", "pat")
		req.Header.Set("X-CSRF-Token", "csrf-pat")
		w := httptest.NewRecorder()
		b.Engine.ServeHTTP(w, req)
		return kittest.Page{Code: w.Code, Header: w.Header(), Body: w.Body.String()}
	}
	recorded := b.Get(t, "pat", "/practices/pr-1/setup")
	require.NotContains(t, recorded.Body, `id="baa-recorded"`, "none recorded yet")

	p := post([][2]string{{"signer_name", "Dr. Ana Lee"}, {"signer_title", "Owner"}, {"signed_on", "2026-11-02"}}, doc)
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	require.Equal(t, "/practices/pr-1/setup#baa", p.Header.Get("Location"))
	sum := sha256.Sum256([]byte(doc))
	require.Equal(t, map[string]any{"signer_name": "Dr. Ana Lee", "signer_title": "Owner", "signed_on": "2026-11-02",
		"document_sha256": hex.EncodeToString(sum[:])}, b.API.Last(t, "PUT", "/api/v1/practices/pr-1/baa").Body)

	p = post([][2]string{{"signer_title", "Owner"}, {"signed_on", "yesterday"}}, "")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="baa-signer_name-error" class="field-error">Enter the name of the person who signed.</small>`)
	require.Contains(t, p.Body, `<small id="baa-signed_on-error" class="field-error">Enter the date it was signed.</small>`)
	require.Contains(t, p.Body, `<small id="baa-document-error" class="field-error">Choose the signed document.</small>`)
	require.Contains(t, p.Body, `value="Owner"`)
}

// TestChecklistLinksEveryStep: every step leads to the page that takes
// it, and a done step says when, in the practice's zone, and by whom.
func TestChecklistLinksEveryStep(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/practices/pr-1": answer(200, practiceJSON),
		"GET /api/v1/practices/pr-1/checklist": answer(200, `{"practice_id":"pr-1","next":"locations","done":1,"steps":[
{"key":"baa","title":"Sign the business associate agreement","done":true,"hint":"h","done_at":"2026-11-20T15:04:00Z","done_by":"Pat Admin"},
{"key":"locations","title":"Add your locations","done":false,"hint":"Add each office."},
{"key":"admins","title":"Invite your other admins","done":false,"hint":"Invite."},
{"key":"policy","title":"Review the follow-up policy","done":false,"hint":"Check."},
{"key":"import","title":"Import your data","done":false,"hint":"Upload."},
{"key":"grant","title":"Grant access to a billing team","done":true,"hint":"Give."}]}`),
	})
	p := b.Get(t, "pat", "/practices/pr-1/checklist")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `Done <time datetime="2026-11-20T15:04:00Z">Fri 20 Nov 2026, 09:04 CST</time> by Pat Admin. <a href="/practices/pr-1/setup#baa">Review it</a>`)
	for _, link := range []string{
		`Add each office. <a href="/practices/pr-1/setup#locations">Go there</a>`,
		`Invite. <a href="/practices/pr-1/setup#admins">Go there</a>`,
		`Check. <a href="/practices/pr-1/setup#contact">Go there</a>`,
		`Upload. <a href="/practices/pr-1/imports">Go there</a>`,
		`<p><a href="/practices/pr-1/access">Review it</a></p>`,
	} {
		require.Contains(t, p.Body, link)
	}
}

// TestGrantFormOffersKnownTeamsByName: teams the page knows by name (a
// grant's grantee, a request's team) are chosen by name, and the choice is
// sent as the grantee's id.
func TestGrantFormOffersKnownTeamsByName(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/practices/pr-1/grants": answer(200, `{"grants":[{"id":"g-1","practice_id":"pr-1","grantee":{"type":"team","id":"t-1","name":"Recall Desk"},
"kinds":["recare"],"field_groups":["identity"],"purpose":"payment","reason":"demo","granted_by":"u-pat","valid_from":"2026-01-01T00:00:00Z",
"valid_until":"2026-12-01T00:00:00Z","review_due_at":"2026-12-01T00:00:00Z","state":"active","version":1}]}`),
		"GET /api/v1/practices/pr-1/access-requests": answer(200, `{"requests":[{"id":"ar-1","practice_id":"pr-1","team_id":"t-9","team_name":"Claims Team",
"kinds":["claim_followup"],"field_groups":[],"days":30,"reason":"r","requested_by":"u-maria","requested_at":"2026-11-20T12:00:00Z","state":"pending"}]}`),
		"GET /api/v1/audit/events":           answer(200, `{"items":[]}`),
		"POST /api/v1/practices/pr-1/grants": answer(400, `{"error":{"code":"invalid","field":"grantee.id","message":"the team has no members yet"}}`),
	})
	p := b.Get(t, "pat", "/practices/pr-1/access")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Regexp(t, `(?s)<select id="grantee-team" name="grantee_team">\s*<option value="">Another team, or one agent: enter the id below</option>\s*`+
		`<option value="t-9">Claims Team</option><option value="t-1">Recall Desk</option>`, p.Body, "by name, in order")

	p = b.Post(t, "pat", "/practices/pr-1/grants", url.Values{"grantee_type": {"team"}, "grantee_team": {"t-9"}, "grantee": {""},
		"kinds": {"claim_followup"}, "reason": {"Claims work"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, map[string]any{"grantee": map[string]any{"type": "team", "id": "t-9"}, "kinds": []any{"claim_followup"},
		"reason": "Claims work"}, b.API.Last(t, "POST", "/api/v1/practices/pr-1/grants").Body)
	require.Contains(t, p.Body, `<option value="t-9" selected>Claims Team</option>`)
	require.Contains(t, p.Body, `<select id="grantee-team" name="grantee_team" aria-invalid="true" aria-describedby="grantee-error">`,
		"the refusal is beside the select the team was chosen in")
	require.Contains(t, p.Body, `<small id="grantee-error" class="field-error">the team has no members yet</small>`)
}
