package console

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

const eventJSON = `{"seq":41,"id":"ev-1","time":"2026-11-20T12:00:00Z","actor":{"issuer":"http://idp","subject":"dev-alice","role":"agent",
"session_ref":"","ip":"127.0.0.1","user_agent":"test"},"action":"read","practice_id":"pr-1","patient_ids":["pt-1"],"fields":["first_name"],
"work_item_id":"wi-1","grant_id":"g-1","purpose":"payment","outcome":"allow","reason":"","request_id":"rq-1","trace_id":"","break_glass":false}`

func TestAuditSearchSendsEveryFilter(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/events": answer(200, `{"items":[`+eventJSON+`],"next_after":41}`),
	})
	q := url.Values{"patient_id": {"pt-1"}, "practice_id": {"pr-1"}, "actor": {"dev-alice"}, "action": {"read"}, "outcome": {"allow"},
		"from": {"2026-11-20T08:00"}, "to": {"2026-11-21T08:00"}, "tz": {"America/Chicago"}}
	p := b.get(t, "carol", "/audit?"+q.Encode())
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sent, err := url.ParseQuery(b.api.last(t, "GET", "/api/v1/audit/events").Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{"patient_id": {"pt-1"}, "practice_id": {"pr-1"}, "actor": {"dev-alice"}, "action": {"read"}, "outcome": {"allow"},
		"from": {"2026-11-20T14:00:00Z"}, "to": {"2026-11-21T14:00:00Z"}}, sent, "times typed in the browser's zone go as UTC")
	require.Contains(t, p.Body, `<tr data-event-id="ev-1" data-actor="dev-alice" data-action="read">`)
	require.Contains(t, p.Body, `<a href="/audit/events/ev-1">Details`)

	var older, csv string
	for _, m := range []struct {
		id  string
		out *string
	}{{"older", &older}, {"export-csv", &csv}} {
		i := strings.Index(p.Body, `id="`+m.id+`"`)
		require.Positive(t, i, m.id)
		start := strings.LastIndex(p.Body[:i], `href="`) + len(`href="`)
		*m.out = strings.ReplaceAll(p.Body[start:start+strings.Index(p.Body[start:], `"`)], "&amp;", "&")
	}
	next, err := url.Parse(older)
	require.NoError(t, err)
	require.Equal(t, "41", next.Query().Get("after"), "the next page starts after the last event shown")
	require.Equal(t, "2026-11-20T08:00", next.Query().Get("from"), "with the search as typed")
	exp, err := url.Parse(csv)
	require.NoError(t, err)
	require.Equal(t, "/audit/export", exp.Path)
	require.Equal(t, "csv", exp.Query().Get("format"))
	require.Equal(t, "pt-1", exp.Query().Get("patient_id"))
	require.Empty(t, exp.Query().Get("after"), "an export is the whole search")
	require.Contains(t, p.Body, `href="/audit" data-shortcut="s" aria-current="page">Audit trail</a>`)
	require.Contains(t, p.Body, `href="/audit/integrity"`, "compliance's sections")
	require.NotContains(t, p.Body, `href="/practices/`)

	// What the console cannot send is refused beside its field.
	p = b.get(t, "carol", "/audit?from=yesterday&outcome=maybe&patient_id=a.b")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="from-error" class="field-error">enter a date and time`)
	require.Contains(t, p.Body, `<small id="outcome-error" class="field-error">`)
	require.Contains(t, p.Body, `<small id="patient_id-error" class="field-error">`)
	require.NotContains(t, p.Body, `id="events"`)
}

func TestAuditExportStreamsWithTheSearch(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.api.handlers = map[string]http.HandlerFunc{
		"GET /api/v1/audit/export": func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, url.Values{"format": {"fhir"}, "actor": {"dev-alice"}, "from": {"2026-11-20T08:00:00Z"}}, r.URL.Query())
			w.Header().Set("Content-Type", "application/fhir+ndjson")
			w.Header().Set("Content-Disposition", `attachment; filename="audit-events.ndjson"`)
			for i := range 3 {
				_, _ = fmt.Fprintf(w, `{"resourceType":"AuditEvent","id":"%d"}`+"\n", i)
				w.(http.Flusher).Flush()
			}
		},
	}
	p := b.get(t, "carol", "/audit/export?format=fhir&actor=dev-alice&from=2026-11-20T08:00")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "application/fhir+ndjson", p.Header.Get("Content-Type"))
	require.Equal(t, 3, strings.Count(p.Body, `"resourceType":"AuditEvent"`))
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
}

// proven returns the event detail the API would give for the event at
// index in a log of the given canonical bodies, with its proof.
func proven(t *testing.T, bodies []string, index uint64) eventDetail {
	t.Helper()
	tree := testonly.New(rfc6962.DefaultHasher)
	for _, b := range bodies {
		tree.AppendData([]byte(b))
	}
	hashes, err := tree.InclusionProof(index, tree.Size())
	require.NoError(t, err)
	d := eventDetail{Canonical: bodies[index], LeafIndex: &index,
		Checkpoint: &checkpoint{Size: tree.Size(), RootHash: base64.StdEncoding.EncodeToString(tree.Hash()), Note: "backdesk\n" + fmt.Sprint(tree.Size())}}
	for _, h := range hashes {
		d.InclusionProof = append(d.InclusionProof, base64.StdEncoding.EncodeToString(h))
	}
	require.NoError(t, json.Unmarshal([]byte(bodies[index]), &d.Event))
	return d
}

func canonicalOf(id string) string {
	return `{"id":"` + id + `","time":"2026-11-20T12:00:00Z","actor":{"issuer":"http://idp","subject":"dev-alice","role":"agent","session_ref":"","ip":"","user_agent":""},` +
		`"action":"read","practice_id":"pr-1","patient_ids":["pt-1"],"fields":[],"work_item_id":"","grant_id":"","purpose":"payment","outcome":"allow","reason":"","request_id":"","trace_id":"","break_glass":false}`
}

func TestEventPageChecksTheProof(t *testing.T) {
	t.Parallel()
	var bodies []string
	for i := range 7 {
		bodies = append(bodies, canonicalOf(fmt.Sprintf("ev-%d", i)))
	}
	good := proven(t, bodies, 5)
	tampered := proven(t, bodies, 5)
	tampered.Canonical = strings.Replace(tampered.Canonical, `"outcome":"allow"`, `"outcome":"deny"`, 1)
	wrongRoot := proven(t, bodies, 5)
	wrongRoot.Checkpoint.RootHash = base64.StdEncoding.EncodeToString(make([]byte, 32))
	pending := eventDetail{Canonical: bodies[5], Event: good.Event}
	other := proven(t, bodies, 4)

	for name, tc := range map[string]struct {
		d    eventDetail
		want string
	}{
		"verified":    {good, `data-proof="verified"><strong>Inclusion proof: verified</strong> against the checkpoint of size 7 (leaf 5).`},
		"tampered":    {tampered, `data-proof="failed"><strong>Inclusion proof: FAILED.</strong>`},
		"wrong root":  {wrongRoot, `data-proof="failed"`},
		"pending":     {pending, `data-proof="pending"><strong>Inclusion proof: not yet in a checkpoint.</strong>`},
		"other event": {other, `data-proof="failed"><strong>Inclusion proof: FAILED.</strong> the stored canonical body is not this event.`},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(tc.d)
			require.NoError(t, err)
			b := setup(t, map[string]func() (int, string){"GET /api/v1/audit/events/ev-5": answer(200, string(raw))})
			p := b.get(t, "carol", "/audit/events/ev-5")
			require.Equal(t, http.StatusOK, p.Code, p.Body)
			require.Contains(t, p.Body, tc.want)
		})
	}
}

func TestReviewQueueClosesWithANote(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/reports/anomalies": answer(200, `{"from":"2026-11-13T12:00:00Z","to":"2026-11-20T12:00:00Z","volume_factor":3,"volume_min_reads":50,"hours_unknown":0,
"items":[{"key":"anomaly:break_glass:http://idp|dev-carol:ev-9","kind":"break_glass","actor":{"issuer":"http://idp","subject":"dev-carol","role":"compliance"},
"practice_ids":["pr-1"],"event_ids":["ev-9"],"event_count":1,"first_at":"2026-11-20T10:00:00Z","last_at":"2026-11-20T10:00:00Z","reason":"1 read under break-glass","review":null}]}`),
		"GET /api/v1/break-glass": answer(200, `{"sessions":[{"id":"bg-1","practice_id":"pr-1","patient_id":"pt-1","user_id":"u-alice",
"reason":"Patient disputes a charge on the phone now","opened_at":"2026-11-20T10:00:00Z","expires_at":"2026-11-20T10:15:00Z","open":false},
{"id":"bg-2","practice_id":"pr-1","patient_id":"pt-2","user_id":"u-carol",
"reason":"Checking a complaint about a statement","opened_at":"2026-11-20T11:00:00Z","expires_at":"2026-11-20T11:15:00Z","open":false}]}`),
		"POST /api/v1/audit/reviews":           answer(400, `{"error":{"code":"invalid_note","field":"note","message":"write what was found and done, 10 to 4000 characters"}}`),
		"POST /api/v1/break-glass/bg-1/review": answer(200, `{"id":"bg-1","open":false}`),
		"POST /api/v1/break-glass/bg-2/review": answer(403, `{"error":{"code":"self_review","message":"a break-glass session must be reviewed by someone other than the person who opened it"}}`),
	})
	p := b.get(t, "carol", "/audit/reviews?days=30")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	window, err := url.ParseQuery(b.api.last(t, "GET", "/api/v1/audit/reports/anomalies").Query)
	require.NoError(t, err)
	require.NotEmpty(t, window.Get("from"))
	require.Equal(t, "unreviewed=true", b.api.last(t, "GET", "/api/v1/break-glass").Query)
	require.Contains(t, p.Body, "1 read under break-glass")
	require.Contains(t, p.Body, `<input type="hidden" name="key" value="anomaly:break_glass:http://idp|dev-carol:ev-9">`)
	require.Contains(t, p.Body, "Patient disputes a charge on the phone now")

	p = b.post(t, "carol", "/audit/reviews", url.Values{"key": {"anomaly:break_glass:http://idp|dev-carol:ev-9"}, "note": {"ok"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, map[string]any{"key": "anomaly:break_glass:http://idp|dev-carol:ev-9", "note": "ok"}, b.api.last(t, "POST", "/api/v1/audit/reviews").Body)
	require.Contains(t, p.Body, `<small id="anomaly-0-note-error" class="field-error">write what was found and done`)
	require.Contains(t, p.Body, `aria-describedby="anomaly-0-note-hint anomaly-0-note-error" aria-invalid="true">ok</textarea>`)
	require.NotContains(t, p.Body, `id="note-bg-1-error"`)

	p = b.post(t, "carol", "/audit/break-glass/bg-1/review", url.Values{"note": {"Confirmed against the call log"}, "disposition": {"justified"}})
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/audit/reviews", p.Header.Get("Location"))
	require.Equal(t, map[string]any{"note": "Confirmed against the call log", "disposition": "justified"},
		b.api.last(t, "POST", "/api/v1/break-glass/bg-1/review").Body)

	// A session carol opened is someone else's to review: the page says so
	// beside it and keeps what she typed.
	p = b.post(t, "carol", "/audit/break-glass/bg-2/review", url.Values{"note": {"Looked fine to me, honestly"}, "disposition": {"justified"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p class="form-alert" role="alert">Not yours to close: a break-glass session must be reviewed by someone other than the person who opened it</p>`)
	require.Contains(t, p.Body, `<option value="justified" selected>Justified</option>`)
}

func TestAccessReviewsAndIntegrity(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/access-reviews": answer(200, `{"within_days":30,"overdue":1,"items":[{"grant_id":"g-1","practice_id":"pr-1","grantee_type":"team",
"grantee_id":"t-1","kinds":["recare"],"review_due_at":"2026-11-01T00:00:00Z","valid_until":"2026-12-01T00:00:00Z","overdue":true,"version":3}]}`),
		"GET /api/v1/audit/integrity": answer(200, `{"checkpoint":{"size":12,"root_hash":"cm9vdA==","note":"backdesk\n12\n"},
"last_verification":{"at":"2026-11-20T12:00:00Z","ok":true,"leaves":12,"checkpoints":3,"checkpoint_size":12,"problem":"","requested_by":"dev-carol"}}`),
		"POST /api/v1/audit/verifications": answer(200, `{"at":"2026-11-20T12:01:00Z","ok":false,"leaves":12,"checkpoints":3,"checkpoint_size":12,
"problem":"leaf 4: hash mismatch","requested_by":"dev-carol"}`),
	})
	p := b.get(t, "carol", "/audit/access-reviews?within_days=30")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "within_days=30", b.api.last(t, "GET", "/api/v1/audit/access-reviews").Query)
	require.Contains(t, p.Body, `<span class="badge badge-overdue" id="overdue-grants">1 overdue</span>`)
	require.Contains(t, p.Body, `<tr data-grant-id="g-1">`)
	p = b.get(t, "carol", "/audit/access-reviews?within_days=999")
	require.Contains(t, p.Body, `<small id="within_days-error" class="field-error">`)

	p = b.get(t, "carol", "/audit/integrity")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<dd id="checkpoint-size">12</dd>`)
	require.Contains(t, p.Body, `id="verification" data-ok="true"`)
	require.Contains(t, p.Body, `<button type="submit" id="verify"`)

	p = b.post(t, "carol", "/audit/verifications", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Code)
	p = b.get(t, "carol", "/audit/integrity", p.cookie(flashCookie))
	require.Contains(t, p.Body, `class="flash flash-error">Verification FAILED: leaf 4: hash mismatch`)

	p = b.get(t, "pat", "/audit/integrity")
	require.NotContains(t, p.Body, `id="verify"`, "only compliance verifies")
}

func TestDownloadsOverUpstream(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", maxAnswer+10)
	srv := newUpstreamServer(t, big)
	up, err := Upstream(srv, nil)
	require.NoError(t, err)
	b := setup(t, nil)
	b.api.handlers = map[string]http.HandlerFunc{"GET /api/v1/audit/export": up.ServeHTTP}
	p := b.get(t, "carol", "/audit/export")
	require.Equal(t, http.StatusOK, p.Code)
	require.Len(t, p.Body, len(big), "a download is not cut at the bound of page answers")
	require.Equal(t, "text/csv; charset=utf-8", p.Header.Get("Content-Type"))
}

func newUpstreamServer(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
