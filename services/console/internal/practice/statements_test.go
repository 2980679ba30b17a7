package practice

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/stretchr/testify/require"
)

const runsJSON = `{"runs":[
{"id":"run-3","practice_id":"pr-1","cycle":"2026-03","statement_date":"2026-03-31","due_date":"2026-04-21","office_hours":"Mon–Thu 8am–5pm",
 "state":"done","made":14,"skipped":3,"created_at":"2026-03-31T14:00:00Z","finished_at":"2026-03-31T14:02:00Z"},
{"id":"run-2","practice_id":"pr-1","cycle":"2026-02","statement_date":"2026-02-01","due_date":"2026-02-22","office_hours":"Mon–Fri 9am–4pm",
 "state":"failed","made":6,"skipped":1,"error":"the run stopped; run the cycle again to carry on","created_at":"2026-02-01T15:00:00Z","finished_at":"2026-02-01T15:01:00Z"},
{"id":"run-1","practice_id":"pr-1","cycle":"2026-01","statement_date":"2026-01-01","due_date":"2026-01-22","office_hours":"Mon–Fri 9am–4pm",
 "state":"done","made":0,"skipped":2,"created_at":"2026-01-01T15:00:00Z","finished_at":"2026-01-01T15:00:30Z"}]}`

const skipsJSON = `{"skips":[{"patient_id":"pt-1","patient_name":"Dana Doe","reason":"no_address"},
{"patient_id":"pt-2","patient_name":"Sam Lee","reason":"do_not_contact"},{"patient_id":"pt-3","patient_name":"","reason":"nothing_due"},
{"patient_id":"pt-4","patient_name":"Ana Ruiz","reason":"zero_balance"}]}`

// statementReplies answer what the statements pages ask.
func statementReplies() map[string]func() (int, string) {
	return map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/statements/runs":             answer(200, runsJSON),
		"GET /api/v1/work/practices/pr-1/statements/runs/run-3/skips": answer(200, skipsJSON),
		"GET /api/v1/practices/pr-1":                                  answer(200, practiceJSON),
	}
}

// runRow is the row of the run id in the page's list of runs.
func runRow(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `data-run-id="`+id+`"`)
	require.GreaterOrEqual(t, i, 0, "run %s is listed", id)
	row, _, _ := strings.Cut(body[i:], "</tr>")
	return row
}

// TestStatementsPageListsTheRuns: the top bar links the page; the form
// starts at this month in the practice's zone with the last run's office
// hours; each run is listed by month, with its state in words, its
// counts, when it ran in the practice's zone, its two downloads and what
// it skipped, and the page says that statements hold patient data and
// that each download is recorded.
func TestStatementsPageListsTheRuns(t *testing.T) {
	t.Parallel()
	b := setup(t, statementReplies())
	p := b.Get(t, "pat", "/practices/pr-1/statements")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	for _, want := range []string{
		`<a href="/practices/pr-1/statements" aria-current="page">Statements</a>`,
		`<h1>Patient statements <small>Demo Dental</small></h1>`,
		`<form method="post" action="/practices/pr-1/statements" id="run-form" novalidate>`,
		`<input type="hidden" name="csrf_token" value="csrf-pat">`,
		`<input type="month" id="run-cycle" name="cycle" value="` + time.Now().In(chicago).Format("2006-01") + `"`,
		`name="office_hours" value="Mon–Thu 8am–5pm"`,
		"Times are in the practice's time zone, America/Chicago.",
		`<p class="notice" id="downloads-note">Statements hold patients' names, addresses and balances. Each download is recorded in the audit trail`,
	} {
		require.Contains(t, p.Body, want)
	}

	row := runRow(t, p.Body, "run-3")
	for _, want := range []string{
		`<th scope="row">March 2026<br><small>Dated 31 Mar 2026, due 21 Apr 2026</small></th>`,
		`<td class="run-state">Done</td>`, `<td class="num run-made">14</td>`, `<td class="num run-skipped">3</td>`,
		`<time datetime="2026-03-31T14:02:00Z">Tue 31 Mar 2026, 09:02 CDT</time>`,
		`<a href="/practices/pr-1/statements/runs/run-3/export/pdf" class="run-pdf" aria-describedby="downloads-note">Download for printing (PDF)<span class="visually-hidden">, March 2026</span></a>`,
		`<a href="/practices/pr-1/statements/runs/run-3/export/zip" class="run-zip" aria-describedby="downloads-note">Download for the print vendor (zip)`,
		`<a href="/practices/pr-1/statements/runs/run-3/skips" class="run-skips">What was skipped<span class="visually-hidden"> in March 2026</span></a>`,
	} {
		require.Contains(t, row, want)
	}
	require.Contains(t, runRow(t, p.Body, "run-2"), `<td class="run-state">Stopped: the run stopped; run the cycle again to carry on.</td>`)
	require.Contains(t, runRow(t, p.Body, "run-2"), `<time datetime="2026-02-01T15:01:00Z">Sun 1 Feb 2026, 09:01 CST</time>`)
	empty := runRow(t, p.Body, "run-1")
	require.Contains(t, empty, "<li>No statements to download</li>", "a run that made none has nothing to download")
	require.NotContains(t, empty, "/export/")
	require.Contains(t, empty, "/statements/runs/run-1/skips")
	require.Less(t, strings.Index(p.Body, `data-run-id="run-3"`), strings.Index(p.Body, `data-run-id="run-1"`), "newest first, as the API lists them")
	require.False(t, b.API.Called("GET", "/api/v1/work/practices/pr-1/statements/runs/run-3/skips"), "the list names no patient, so reads none")

	none := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/statements/runs": answer(200, `{"runs":[]}`),
		"GET /api/v1/practices/pr-1":                      answer(200, practiceJSON),
	})
	p = none.Get(t, "pat", "/practices/pr-1/statements")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p id="no-runs">No month has been run yet.</p>`)
	require.Contains(t, p.Body, `name="office_hours" value=""`)
}

// TestRunningAMonthSaysEveryProblemAtOnce: the console's own checks put
// a message beside each field at fault and send nothing; a month typed as
// people do is sent as the API's cycle; what the run made is said after
// it; the API's refusals stand beside their fields, all at once, and a
// practice with no office to print is told where to add one.
func TestRunningAMonthSaysEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	replies := statementReplies()
	replies["POST /api/v1/work/practices/pr-1/statements/runs"] = func() (int, string) {
		now := time.Now().UTC().Format(time.RFC3339)
		return 200, `{"id":"run-4","cycle":"2026-04","statement_date":"2026-04-01","due_date":"2026-04-22","office_hours":"Mon–Thu 8am–5pm",
"state":"done","made":1,"skipped":3,"created_at":"` + now + `","finished_at":"` + now + `"}`
	}
	b := setup(t, replies)

	p := b.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {"Spring"}, "office_hours": {"  "}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="run-cycle-error" class="field-error">Choose the month to run, such as March 2026 (2026-03).</small>`)
	require.Contains(t, p.Body, `<small id="run-office_hours-error" class="field-error">Write the office hours printed on the statements`)
	require.Contains(t, p.Body, `aria-describedby="run-cycle-hint run-cycle-error" aria-invalid="true"`)
	require.Contains(t, p.Body, `value="Spring"`, "what was typed stays")
	require.False(t, b.API.Called("POST", "/api/v1/work/practices/pr-1/statements/runs"))

	long := strings.Repeat("Mon–Thu ", 8)
	p = b.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {"2026-04"}, "office_hours": {long}})
	require.Contains(t, p.Body, `<small id="run-office_hours-error" class="field-error">Shorten the office hours`)
	require.False(t, b.API.Called("POST", "/api/v1/work/practices/pr-1/statements/runs"))

	for typed, cycle := range map[string]string{"2026-4": "2026-04", " april  2026 ": "2026-04", "Apr 2026": "2026-04", "2026-04": "2026-04"} {
		p = b.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {typed}, "office_hours": {" Mon–Thu  8am–5pm "}})
		require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
		require.Equal(t, "/practices/pr-1/statements", p.Header.Get("Location"))
		call := b.API.Last(t, "POST", "/api/v1/work/practices/pr-1/statements/runs")
		require.Equal(t, map[string]any{"cycle": cycle, "office_hours": "Mon–Thu 8am–5pm"}, call.Body, typed)
		require.Equal(t, "csrf-pat", call.CSRF)
	}
	q := b.Get(t, "pat", "/practices/pr-1/statements", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "April 2026: 1 statement made, 3 accounts skipped. Download them from the list.")

	refusing := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/statements/runs": answer(200, runsJSON),
		"POST /api/v1/work/practices/pr-1/statements/runs": answer(400, `{"error":{"code":"invalid_fields","message":"2 fields need attention","field":"cycle",
"fields":{"cycle":"must be a month as YYYY-MM, such as 2026-03","office_hours":"give the office hours printed on the statements, such as Mon–Thu 8am–5pm (at most 60 characters)"}}}`),
	})
	p = refusing.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {"2026-04"}, "office_hours": {"Mon–Thu 8am–5pm"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<small id="run-cycle-error" class="field-error">Must be a month as YYYY-MM, such as 2026-03.</small>`)
	require.Contains(t, p.Body, `<small id="run-office_hours-error" class="field-error">Give the office hours printed on the statements, such as Mon–Thu 8am–5pm (at most 60 characters).</small>`)
	require.NotContains(t, p.Body, `class="form-alert"`, "every refusal is beside its field")
	require.Contains(t, p.Body, `value="2026-04"`, "as typed, not this month")

	noOffice := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/statements/runs": answer(200, `{"runs":[]}`),
		"POST /api/v1/work/practices/pr-1/statements/runs": answer(400, `{"error":{"code":"no_office","field":"practice",
"message":"add an office with its address and phone first: statements print them"}}`),
	})
	p = noOffice.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {"2026-04"}, "office_hours": {"Mon–Thu 8am–5pm"}})
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p class="form-alert" role="alert" id="run-practice-error">Add an office with its address and phone first: statements print them. <a href="/practices/pr-1/setup#locations">Add an office</a></p>`)
}

// TestAMonthRunBeforeIsSaidSo: running a month again makes nothing new,
// and the page says so rather than counting the old run as new; a run
// that stopped is said as a problem.
func TestAMonthRunBeforeIsSaidSo(t *testing.T) {
	t.Parallel()
	replies := statementReplies()
	replies["POST /api/v1/work/practices/pr-1/statements/runs"] = answer(200, `{"id":"run-3","cycle":"2026-03","state":"done","made":14,"skipped":3,
"created_at":"2026-03-31T14:00:00Z","finished_at":"2026-03-31T14:02:00Z"}`)
	b := setup(t, replies)
	p := b.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {"2026-03"}, "office_hours": {"Mon–Thu 8am–5pm"}})
	require.Equal(t, http.StatusSeeOther, p.Code, p.Body)
	q := b.Get(t, "pat", "/practices/pr-1/statements", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, "March 2026 was already run, so nothing new was made: a month is run once.")

	replies["POST /api/v1/work/practices/pr-1/statements/runs"] = answer(200, `{"id":"run-2","cycle":"2026-02","state":"failed","made":6,"skipped":1,
"error":"the run stopped; run the cycle again to carry on","created_at":"2026-02-01T15:00:00Z"}`)
	b = setup(t, replies)
	p = b.Post(t, "pat", "/practices/pr-1/statements", url.Values{"cycle": {"2026-02"}, "office_hours": {"Mon–Thu 8am–5pm"}})
	q = b.Get(t, "pat", "/practices/pr-1/statements", p.Cookie(kit.FlashCookie))
	require.Contains(t, q.Body, `class="flash flash-error">February 2026: the run stopped before the end. Run the same month again to carry on where it stopped.</p>`)
}

// TestWhatWasSkippedNamesEachPatientWithWhy: each account left out, by
// patient, with the reason in words; the run's month heads the page and
// its downloads stand below, with what they hold.
func TestWhatWasSkippedNamesEachPatientWithWhy(t *testing.T) {
	t.Parallel()
	b := setup(t, statementReplies())
	p := b.Get(t, "pat", "/practices/pr-1/statements/runs/run-3/skips")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	for _, want := range []string{
		`<nav aria-label="Breadcrumb" class="crumbs"><a href="/practices/pr-1/statements">Statements</a> › <span aria-current="page">What was skipped in March 2026</span></nav>`,
		`<h1>What was skipped in March 2026</h1>`,
		"14 statements made, 3 accounts skipped. Dated 31 Mar 2026, due 21 Apr 2026.",
		`<tr><th scope="row">Dana Doe</th><td class="skip-reason">No mailing address: the guarantor&#39;s address is missing or incomplete.</td></tr>`,
		`<tr><th scope="row">Sam Lee</th><td class="skip-reason">Do not contact: the patient asked not to be contacted.</td></tr>`,
		`<tr><th scope="row">A patient no longer on file</th><td class="skip-reason">Less than $1.00 due once insurance is counted.</td></tr>`,
		`<tr><th scope="row">Ana Ruiz</th><td class="skip-reason">Nothing owed: the balance is zero or in credit.</td></tr>`,
		"Opening this page is recorded in the audit trail, since it names patients.",
		`<a href="/practices/pr-1/statements/runs/run-3/export/pdf" id="skips-pdf" aria-describedby="downloads-note">Download for printing (PDF)</a>`,
		`<a href="/practices/pr-1/statements/runs/run-3/export/zip" id="skips-zip" aria-describedby="downloads-note">Download for the print vendor (zip)</a>`,
	} {
		require.Contains(t, p.Body, want)
	}
	for _, id := range []string{"pt-1", "pt-2", "no_address", "do_not_contact"} {
		require.NotContains(t, p.Body, id, "patients by name and reasons in words, never codes")
	}

	// A billing manager opens the same page from its link: the API lists
	// runs to the practice's admins only, so the month is left out.
	replies := statementReplies()
	replies["GET /api/v1/work/practices/pr-1/statements/runs"] = answer(403, `{"error":{"code":"not_member","message":"you are not an administrator of this practice"}}`)
	m := setup(t, replies)
	p = m.Get(t, "maria", "/practices/pr-1/statements/runs/run-3/skips")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<h1>What was skipped</h1>`)
	require.Contains(t, p.Body, `Dana Doe`)
	require.Contains(t, p.Body, `id="skips-pdf"`)

	refused := setup(t, map[string]func() (int, string){
		"GET /api/v1/work/practices/pr-1/statements/runs/run-3/skips": answer(403, `{"error":{"code":"not_member","message":"only the practice's admins and billing managers open its statements"}}`),
	})
	p = refused.Get(t, "alice", "/practices/pr-1/statements/runs/run-3/skips")
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "only the practice&#39;s admins and billing managers open its statements")
	require.NotContains(t, p.Body, `id="skips-pdf"`)
}

// TestARunsDownloadsStreamTheAPIsFiles: each download is the API's file
// as it writes it, with its type and name, kept by no cache; a refusal
// is the error page, and what is no id never reaches the API.
func TestARunsDownloadsStreamTheAPIsFiles(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.API.Handlers = map[string]http.HandlerFunc{
		"GET /api/v1/work/practices/pr-1/statements/runs/run-3/pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/pdf")
			w.Header().Set("Content-Disposition", `attachment; filename="statements.pdf"`)
			_, _ = io.WriteString(w, "%PDF-1.7\n")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "%%EOF\n")
		},
		"GET /api/v1/work/practices/pr-1/statements/runs/run-3/zip": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/zip")
			w.Header().Set("Content-Disposition", `attachment; filename="statements.zip"`)
			_, _ = io.WriteString(w, "PK\x03\x04")
		},
		"GET /api/v1/work/practices/pr-1/statements/runs/run-9/pdf": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"code":"not_found","message":"statement run not found"}}`)
		},
	}
	for _, user := range []string{"pat", "maria"} {
		p := b.Get(t, user, "/practices/pr-1/statements/runs/run-3/export/pdf")
		require.Equal(t, http.StatusOK, p.Code)
		require.Equal(t, "%PDF-1.7\n%%EOF\n", p.Body)
		require.Equal(t, "application/pdf", p.Header.Get("Content-Type"))
		require.Equal(t, `attachment; filename="statements.pdf"`, p.Header.Get("Content-Disposition"))
		require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	}
	p := b.Get(t, "pat", "/practices/pr-1/statements/runs/run-3/export/zip")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, "PK\x03\x04", p.Body)
	require.Equal(t, `attachment; filename="statements.zip"`, p.Header.Get("Content-Disposition"))

	p = b.Get(t, "pat", "/practices/pr-1/statements/runs/run-9/export/pdf")
	require.Equal(t, http.StatusNotFound, p.Code)
	require.Contains(t, p.Body, "Not found")
	require.Empty(t, p.Header.Get("Content-Disposition"), "a refusal is a page, not a file")

	p = b.Get(t, "pat", "/practices/pr-1/statements/runs/run.3/export/zip")
	require.Equal(t, http.StatusNotFound, p.Code, "no id, no API call")
}

// TestARefusedListSaysWhoSeesRuns: where the API refuses the list of
// runs to someone who may open the page, the page says who sees runs
// instead of failing, and offers no form to run one; someone who may not
// read statements at all is refused.
func TestARefusedListSaysWhoSeesRuns(t *testing.T) {
	t.Parallel()
	replies := statementReplies()
	replies["GET /api/v1/work/practices/pr-1/statements/runs"] = answer(403, `{"error":{"code":"not_member","message":"you are not an administrator of this practice"}}`)
	b := setup(t, replies)
	p := b.Get(t, "maria", "/practices/pr-1/statements")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p class="notice" id="runs-unlisted">Statement runs are shown to the practice's admins and to billing managers only`)
	require.NotContains(t, p.Body, `id="run-form"`, "a billing manager does not run statements")
	require.False(t, b.API.Called("GET", "/api/v1/practices/pr-1"), "nothing more is asked that would be refused")

	p = b.Get(t, "alice", "/practices/pr-1/statements")
	require.Equal(t, http.StatusForbidden, p.Code)
	require.Contains(t, p.Body, "you are not an administrator of this practice")
}
