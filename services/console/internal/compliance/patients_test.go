package compliance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

// accessJSON is a patient report page as the API answers it: alice read
// the patient under a grant, dave opened break-glass, and the platform
// itself (never signed in) touched the record.
const accessJSON = `{"patient_id":"pt-1","next_after":7,"items":[` +
	`{"seq":9,"id":"ev-9","time":"2026-11-20T15:00:00Z","actor":{"issuer":"http://idp","subject":"dev-dave","role":"agent","session_ref":"","ip":"","user_agent":""},
"action":"break_glass","practice_id":"pr-1","patient_ids":["pt-1"],"fields":["first_name","phone","balance"],"work_item_id":"","grant_id":"","purpose":"",
"outcome":"allow","reason":"","request_id":"","trace_id":"","break_glass":true},` +
	`{"seq":8,"id":"ev-8","time":"2026-11-20T12:00:00Z","actor":{"issuer":"http://idp","subject":"dev-alice","role":"agent","session_ref":"","ip":"","user_agent":""},
"action":"read","practice_id":"pr-1","patient_ids":["pt-1"],"fields":["claims","insurance"],"work_item_id":"wi-1","grant_id":"g-1","purpose":"payment",
"outcome":"allow","reason":"","request_id":"","trace_id":"","break_glass":false},` +
	`{"seq":7,"id":"ev-7","time":"2026-11-19T12:00:00Z","actor":{"issuer":"http://idp","subject":"dev-ghost","role":"agent","session_ref":"","ip":"","user_agent":""},
"action":"read","practice_id":"pr-1","patient_ids":["pt-1"],"fields":[],"work_item_id":"","grant_id":"","purpose":"",
"outcome":"deny","reason":"no_owned_work_item","request_id":"","trace_id":"","break_glass":false}],
"people":[{"issuer":"http://idp","subject":"dev-dave","name":"Dave Desk","email":"dave@billing.test"},
{"issuer":"http://idp","subject":"dev-alice","name":"Alice Agent","email":"alice@billing.test"},
{"issuer":"http://idp","subject":"dev-ghost","name":"","email":""}]}`

func TestPatientAccessReport(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/reports/patients/pt-1": answer(200, accessJSON),
	})
	q := url.Values{"from": {"2026-11-01T00:00"}, "to": {"2026-12-01T00:00"}, "tz": {"America/Chicago"}}
	p := b.Get(t, "carol", "/audit?view=accesses&patient_id=pt-1&"+q.Encode())
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sent, err := url.ParseQuery(b.API.Last(t, "GET", "/api/v1/audit/reports/patients/pt-1").Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{"from": {"2026-11-01T05:00:00Z"}, "to": {"2026-12-01T06:00:00Z"}}, sent,
		"the period typed in the browser's zone goes as UTC, across the change of clocks")

	// Who by name and e-mail, when with its zone, what in words, under what.
	require.Contains(t, p.Body, `<span class="who-name">Alice Agent</span><br><small>alice@billing.test</small>`)
	require.Contains(t, p.Body, `Fri 20 Nov 2026, 12:00 UTC`)
	require.Contains(t, p.Body, `Read: claims, insurance <small>(Payment)</small>`)
	require.Contains(t, p.Body, `Grant <code>g-1</code>, for a work item`)
	require.Contains(t, p.Body, `Break glass: identity (name, date of birth, chart number), contact details, balance`)
	require.Contains(t, p.Body, `<span class="badge badge-overdue">Break-glass</span>`)
	require.Contains(t, p.Body, `dev-ghost <small>(never signed in)</small>`)
	require.Contains(t, p.Body, `<strong>Denied</strong>`)
	require.NotContains(t, p.Body, `>break_glass<`, "no raw codes")
	require.NotContains(t, p.Body, `dev-alice`, "a name where there is one")

	older := between(t, p.Body, `<a href="`, `" id="older"`)
	next, err := url.Parse(strings.ReplaceAll(older, "&amp;", "&"))
	require.NoError(t, err)
	require.Equal(t, "/audit", next.Path)
	require.Equal(t, "accesses", next.Query().Get("view"))
	require.Equal(t, "pt-1", next.Query().Get("patient_id"))
	require.Equal(t, "7", next.Query().Get("after"))
	require.Equal(t, "2026-11-01T00:00", next.Query().Get("from"), "with the period as typed")
	csv := strings.ReplaceAll(between(t, p.Body, `<p class="exports"><a href="`, `" id="export-csv"`), "&amp;", "&")
	exp, err := url.Parse(csv)
	require.NoError(t, err)
	require.Equal(t, "/audit/export", exp.Path)
	require.Equal(t, "accesses", exp.Query().Get("format"))
	require.Equal(t, "pt-1", exp.Query().Get("patient_id"))
	require.Equal(t, "America/Chicago", exp.Query().Get("tz"))

	// A period the console cannot read is refused beside its field.
	p = b.Get(t, "carol", "/audit?view=accesses&patient_id=pt-1&from=last+week")
	require.Equal(t, http.StatusOK, p.Code)
	require.Contains(t, p.Body, `<small id="from-error" class="field-error">enter a date and time`)
	require.NotContains(t, p.Body, `id="accesses"`)

	// An id that is no id never reaches the API.
	require.Equal(t, http.StatusNotFound, b.Get(t, "carol", "/audit?view=accesses&patient_id=a.b").Code)
	require.Equal(t, http.StatusNotFound, b.Get(t, "carol", "/audit?view=accesses").Code)
}

func TestPatientAccessReportDownloadsCSV(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"GET /api/v1/audit/reports/patients/pt-1": func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, url.Values{"format": {"csv"}, "from": {"2026-11-01T00:00:00Z"}, "practice_id": {"pr-1"}}, r.URL.Query())
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="patient-access-report.csv"`)
			_, _ = w.Write([]byte("time_utc,actor_name\n2026-11-20T12:00:00Z,Alice Agent\n"))
		},
	}
	p := b.Get(t, "pat", "/audit/export?format=accesses&patient_id=pt-1&from=2026-11-01T00:00&practice_id=pr-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Equal(t, "text/csv; charset=utf-8", p.Header.Get("Content-Type"))
	require.Contains(t, p.Body, "Alice Agent")

	b.API.Handlers = nil
	b.API.Replies = map[string]func() (int, string){
		"GET /api/v1/audit/reports/patients/pt-1": kittest.Answer(403, `{"error":{"code":"role_not_permitted","message":"reading the audit trail is for compliance and practice admins"}}`),
	}
	p = b.Get(t, "alice", "/audit/export?format=accesses&patient_id=pt-1")
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "reading the audit trail is for compliance and practice admins")
}

func TestAuditSearchByPersonShowsNames(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/events": answer(200, `{"items":[`+kittest.EventJSON+`],
"people":[{"issuer":"http://idp","subject":"dev-alice","name":"Alice Agent","email":"alice@billing.test"}]}`),
	})
	p := b.Get(t, "carol", "/audit?person=alice%40billing&patient_id=pt-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sent, err := url.ParseQuery(b.API.Last(t, "GET", "/api/v1/audit/events").Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{"person": {"alice@billing"}, "patient_id": {"pt-1"}}, sent)
	require.Contains(t, p.Body, `<td>Alice Agent <small>alice@billing.test</small> <small>Agent</small></td>`)
	require.Contains(t, p.Body, `<a href="/audit?view=accesses&amp;patient_id=pt-1" id="patient-report">`)

	p = b.Get(t, "carol", "/audit?person=a")
	require.Contains(t, p.Body, `<small id="person-error" class="field-error">Type at least two letters`)
}

// between is the text of s between the first before and the after that
// follows it.
func between(t *testing.T, s, before, after string) string {
	t.Helper()
	end := strings.Index(s, after)
	require.Positive(t, end, after)
	start := strings.LastIndex(s[:end], before)
	require.GreaterOrEqual(t, start, 0, before)
	return s[start+len(before) : end]
}

func TestAuditSearchByPatientName(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/audit/events": answer(400, `{"error":{"code":"practice_required","field":"practice_id","message":"choose the practice whose patient this is"}}`),
	})
	p := b.Get(t, "carol", "/audit?patient_last_name=Roe&patient_birth_date=1980-03-04")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	sent, err := url.ParseQuery(b.API.Last(t, "GET", "/api/v1/audit/events").Query)
	require.NoError(t, err)
	require.Equal(t, url.Values{"patient_last_name": {"Roe"}, "patient_birth_date": {"1980-03-04"}}, sent)
	require.Contains(t, p.Body, `<small id="practice_id-error" class="field-error">choose the practice whose patient this is</small>`)
	require.Contains(t, p.Body, `value="Roe"`, "the search as typed")

	p = b.Get(t, "carol", "/audit?patient_last_name=Roe&patient_birth_date=4%2F3%2F1980")
	require.Contains(t, p.Body, `<small id="patient_birth_date-error" class="field-error">Enter the date of birth`)
}
