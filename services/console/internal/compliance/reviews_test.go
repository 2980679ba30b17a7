package compliance

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/stretchr/testify/require"
)

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
	p := b.Get(t, "carol", "/audit/reviews?days=30")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	window, err := url.ParseQuery(b.API.Last(t, "GET", "/api/v1/audit/reports/anomalies").Query)
	require.NoError(t, err)
	require.NotEmpty(t, window.Get("from"))
	require.Equal(t, "unreviewed=true", b.API.Last(t, "GET", "/api/v1/break-glass").Query)
	require.Contains(t, p.Body, "1 read under break-glass")
	require.Contains(t, p.Body, `<input type="hidden" name="key" value="anomaly:break_glass:http://idp|dev-carol:ev-9">`)
	require.Contains(t, p.Body, "Patient disputes a charge on the phone now")

	p = b.Post(t, "carol", "/audit/reviews", url.Values{"key": {"anomaly:break_glass:http://idp|dev-carol:ev-9"}, "note": {"ok"}})
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, map[string]any{"key": "anomaly:break_glass:http://idp|dev-carol:ev-9", "note": "ok"}, b.API.Last(t, "POST", "/api/v1/audit/reviews").Body)
	require.Contains(t, p.Body, `<small id="anomaly-0-note-error" class="field-error">write what was found and done`)
	require.Contains(t, p.Body, `aria-describedby="anomaly-0-note-hint anomaly-0-note-error" aria-invalid="true">ok</textarea>`)
	require.NotContains(t, p.Body, `id="note-bg-1-error"`)

	p = b.Post(t, "carol", "/audit/break-glass/bg-1/review", url.Values{"note": {"Confirmed against the call log"}, "disposition": {"justified"}})
	require.Equal(t, http.StatusSeeOther, p.Code)
	require.Equal(t, "/audit/reviews", p.Header.Get("Location"))
	require.Equal(t, map[string]any{"note": "Confirmed against the call log", "disposition": "justified"},
		b.API.Last(t, "POST", "/api/v1/break-glass/bg-1/review").Body)

	// A session carol opened is someone else's to review: the page says so
	// beside it and keeps what she typed.
	p = b.Post(t, "carol", "/audit/break-glass/bg-2/review", url.Values{"note": {"Looked fine to me, honestly"}, "disposition": {"justified"}})
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
	p := b.Get(t, "carol", "/audit/access-reviews?within_days=30")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "within_days=30", b.API.Last(t, "GET", "/api/v1/audit/access-reviews").Query)
	require.Contains(t, p.Body, `<span class="badge badge-overdue" id="overdue-grants">1 overdue</span>`)
	require.Contains(t, p.Body, `<tr data-grant-id="g-1">`)
	p = b.Get(t, "carol", "/audit/access-reviews?within_days=999")
	require.Contains(t, p.Body, `<small id="within_days-error" class="field-error">`)

	p = b.Get(t, "carol", "/audit/integrity")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<dd id="checkpoint-size">12</dd>`)
	require.Contains(t, p.Body, `id="verification" data-ok="true"`)
	require.Contains(t, p.Body, `<button type="submit" id="verify"`)

	p = b.Post(t, "carol", "/audit/verifications", url.Values{})
	require.Equal(t, http.StatusSeeOther, p.Code)
	p = b.Get(t, "carol", "/audit/integrity", p.Cookie(kit.FlashCookie))
	require.Contains(t, p.Body, `class="flash flash-error">Verification FAILED: leaf 4: hash mismatch`)

	p = b.Get(t, "pat", "/audit/integrity")
	require.NotContains(t, p.Body, `id="verify"`, "only compliance verifies")
}

func TestDownloadsOverUpstream(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", kit.MaxAnswer+10)
	srv := newUpstreamServer(t, big)
	up, err := kit.Upstream(srv, nil, nil)
	require.NoError(t, err)
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{"GET /api/v1/audit/export": up.ServeHTTP}
	p := b.Get(t, "carol", "/audit/export")
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

// While break-glass is open, every page of the person holding it says so:
// the patient, the reason and the time left.
func TestOpenBreakGlassShowsOnEveryPage(t *testing.T) {
	t.Parallel()
	expires := time.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339)
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/break-glass/mine": answer(200, `{"sessions":[{"id":"bg-1","practice_id":"pr-1","patient_id":"pt-9","user_id":"u-carol",
"reason":"Patient called about a wrong charge","opened_at":"2026-12-04T10:00:00Z","expires_at":"`+expires+`","open":true,"reviewed_at":null}]}`),
		"GET /api/v1/audit/integrity": answer(200, `{"checkpoint":null,"last_verification":null}`),
	})
	p := b.Get(t, "carol", "/audit/integrity")
	require.Contains(t, p.Body, `id="break-glass-banner"`)
	require.Contains(t, p.Body, "Break-glass is open")
	require.Contains(t, p.Body, "pt-9")
	require.Contains(t, p.Body, "Patient called about a wrong charge")
	require.Regexp(t, `for (9|10) more minutes`, p.Body)

	quiet := setup(t, map[string]func() (int, string){
		"GET /api/v1/break-glass/mine": answer(200, `{"sessions":[]}`),
		"GET /api/v1/audit/integrity":  answer(200, `{"checkpoint":null,"last_verification":null}`),
	})
	require.NotContains(t, quiet.Get(t, "carol", "/audit/integrity").Body, `id="break-glass-banner"`)
}
