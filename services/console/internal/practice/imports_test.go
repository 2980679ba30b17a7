package practice

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/stretchr/testify/require"
)

func TestImportPagePollsUntilFinished(t *testing.T) {
	t.Parallel()
	state := "running"
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/imports/im-1": func() (int, string) {
			progress := 40
			if state == "succeeded" {
				progress = 100
			}
			return 200, fmt.Sprintf(importJSON, state, progress)
		},
	})
	p := b.Get(t, "pat", "/imports/im-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `hx-get="/imports/im-1/status" hx-trigger="every 500ms" hx-swap="outerHTML" data-poll`)
	require.Contains(t, p.Body, `<progress id="import-progress" value="40" max="100">40%</progress>`)
	require.NotContains(t, p.Body, `id="row-errors"`, "the report comes once the import has run")
	require.Contains(t, p.Body, `<a href="/practices/pr-1/imports" data-shortcut="i" aria-current="page">`, "the practice comes from the import")

	state = "succeeded"
	p = b.Get(t, "pat", "/imports/im-1/status")
	require.Equal(t, http.StatusOK, p.Code)
	require.NotContains(t, p.Body, "<html", "a fragment, without the layout")
	require.NotContains(t, p.Body, "hx-trigger", "a finished import stops the polling")
	require.Contains(t, p.Body, `<span id="import-percent">100%</span>`)
	require.Contains(t, p.Body, `<td class="num">3</td><td>date_of_birth</td><td><code>date</code></td><td>not a date: use MM/DD/YYYY</td>`)
	require.Contains(t, p.Body, `<a href="/imports/im-1/errors.csv" id="error-report" download>`)

	p = b.Get(t, "pat", "/imports/im-2/status")
	require.Equal(t, http.StatusOK, p.Code, "a fragment htmx swaps in, which ends the polling")
	require.Contains(t, p.Body, "could not be read")
	require.NotContains(t, p.Body, "hx-trigger")
}

func TestErrorReportStreamsThrough(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/imports/im-2/errors.csv": answer(403, `{"error":{"code":"not_a_member","message":"you are not an administrator of this practice"}}`),
	})
	b.API.Handlers = map[string]http.HandlerFunc{
		"GET /api/v1/imports/im-1/errors.csv": func(w http.ResponseWriter, r *http.Request) {
			require.Equal(t, "backdesk_session=sess-pat", r.Header.Get("Cookie"), "with pat's own session")
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="import-im-1-errors.csv"`)
			w.Header().Set("Set-Cookie", "leak=1")
			_, _ = io.WriteString(w, "line,column,rule,message\n")
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, "3,date_of_birth,date,not a date\n")
		},
	}
	p := b.Get(t, "pat", "/imports/im-1/errors.csv")
	require.Equal(t, http.StatusOK, p.Code)
	require.Equal(t, "line,column,rule,message\n3,date_of_birth,date,not a date\n", p.Body)
	require.Equal(t, "text/csv; charset=utf-8", p.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="import-im-1-errors.csv"`, p.Header.Get("Content-Disposition"))
	require.Equal(t, "no-store", p.Header.Get("Cache-Control"))
	require.Empty(t, p.Header.Get("Set-Cookie"), "only the file's own headers pass")

	p = b.Get(t, "pat", "/imports/im-2/errors.csv")
	require.Equal(t, http.StatusForbidden, p.Code, "a refusal is a page, not a file")
	require.Contains(t, p.Body, `<code id="reason-code">not_a_member</code>`)
	require.Equal(t, kittest.WantCSP, p.Header.Get("Content-Security-Policy"))
}

func TestPageAnswersAreBounded(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/imports/im-1": answer(200, `{"id":"`+strings.Repeat("x", kit.MaxAnswer)+`"}`),
	})
	p := b.Get(t, "pat", "/imports/im-1")
	require.Equal(t, http.StatusBadGateway, p.Code)
}

// The import form lists the practice's earlier imports, each linking to
// its report; when they cannot be listed the form still works and says so.
func TestImportFormListsEarlierImports(t *testing.T) {
	t.Parallel()
	listed := true
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/practices/pr-1/imports": func() (int, string) {
			if !listed {
				return 503, `{"error":{"code":"unavailable","message":"down"}}`
			}
			return 200, `{"imports":[` + fmt.Sprintf(importJSON, "succeeded", 100) + `]}`
		},
	})
	p := b.Get(t, "pat", "/practices/pr-1/imports")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `id="past-imports"`)
	require.Contains(t, p.Body, `<a href="/imports/im-1">`)
	require.Contains(t, p.Body, `id="import-form"`)

	listed = false
	p = b.Get(t, "pat", "/practices/pr-1/imports")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, `id="past-imports"`)
	require.Contains(t, p.Body, "cannot be listed right now")
	require.Contains(t, p.Body, `id="import-form"`)
}

// importAs is importJSON with its kind, dry run, state and counts.
func importAs(kind string, dry bool, state string, read, applied, rejected int) string {
	s := fmt.Sprintf(importJSON, state, 100)
	s = strings.Replace(s, `"kind":"patients"`, `"kind":"`+kind+`"`, 1)
	s = strings.Replace(s, `"dry_run":false`, fmt.Sprintf(`"dry_run":%t`, dry), 1)
	return strings.Replace(s, `"rows_read":2,"rows_applied":1,"rows_rejected":1`,
		fmt.Sprintf(`"rows_read":%d,"rows_applied":%d,"rows_rejected":%d`, read, applied, rejected), 1)
}

// TestImportStatesSayHowItWent: an import that rejected rows says how
// many, never that it succeeded; the list shows each file's kind and state
// in words, and when, in the practice's zone with the zone.
func TestImportStatesSayHowItWent(t *testing.T) {
	t.Parallel()
	list := `{"imports":[` + strings.Join([]string{
		importAs("patients", false, "succeeded", 40, 28, 12),
		importAs("claims", true, "succeeded", 40, 0, 12),
		importAs("era835", false, "succeeded", 3, 3, 0),
		importAs("recalls", false, "failed", 0, 0, 0),
		importAs("balances", true, "queued", 0, 0, 0),
	}, ",") + `]}`
	b := setup(t, map[string]func() (int, string){
		"GET /api/v1/practices/pr-1/imports": answer(200, list),
		"GET /api/v1/practices/pr-1":         answer(200, `{"id":"pr-1","name":"Demo Dental","timezone":"America/Chicago","version":1}`),
		"GET /api/v1/imports/im-1":           answer(200, importAs("patients", false, "succeeded", 40, 28, 12)),
		"GET /api/v1/imports/im-2":           answer(200, importAs("claims", true, "succeeded", 40, 0, 12)),
	})
	p := b.Get(t, "pat", "/practices/pr-1/imports")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.NotContains(t, p.Body, "Succeeded")
	for _, want := range []string{
		`<td>Patients</td><td class="import-state" data-state="succeeded">Applied with 12 rows rejected</td>`,
		`<td>Claims</td><td class="import-state" data-state="succeeded">Would apply 28 rows, 12 rejected</td>`,
		`<td>835 remittance advice (X12)</td><td class="import-state" data-state="succeeded">Applied</td>`,
		`<td>Recalls</td><td class="import-state" data-state="failed">Failed: nothing was applied</td>`,
		`<td>Balances (aging report)</td><td class="import-state" data-state="queued">Waiting to start</td>`,
		`<a href="/imports/im-1">patients.csv</a>`,
		`<time datetime="2026-11-20T12:00:00Z">Fri 20 Nov 2026, 06:00 CST</time>`,
	} {
		require.Contains(t, p.Body, want)
	}

	p = b.Get(t, "pat", "/imports/im-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p id="import-state" class="import-state" data-state="succeeded"><strong>Applied with 12 rows rejected</strong></p>`)
	require.Contains(t, p.Body, `uploaded <time datetime="2026-11-20T12:00:00Z">Fri 20 Nov 2026, 06:00 CST</time>`)
	require.Contains(t, p.Body, `id="row-errors"`, "the rejected rows stay a table")
	require.Contains(t, p.Body, `<a href="/imports/im-1/errors.csv" id="error-report" download>`, "with the whole report to download")

	p = b.Get(t, "pat", "/imports/im-2/status")
	require.Contains(t, p.Body, `<strong>Would apply 28 rows, 12 rejected</strong>`)
}

// TestImportPageListsPayerNotices: a payer's file shows no preset, and
// what it posted to no claim is listed under its own heading.
func TestImportPageListsPayerNotices(t *testing.T) {
	t.Parallel()
	imp := strings.Replace(importAs("era835", false, "succeeded", 2, 2, 0), `"preset":"canonical"`, `"preset":"x12"`, 1)
	imp = strings.Replace(imp, `"errors":[{"line":3,"column":"date_of_birth","rule":"date","message":"not a date: use MM/DD/YYYY"}]`,
		`"errors":[],"notices":[{"line":41,"element":"PLB03","kind":"provider_adjustment","code":"WO","message":"Overpayment recovery","amount_cents":-2500,"reference":"R-77"}]`, 1)
	b := setup(t, map[string]func() (int, string){"GET /api/v1/imports/im-1": answer(200, imp)})
	p := b.Get(t, "pat", "/imports/im-1")
	require.Equal(t, http.StatusOK, p.Code, p.Body)
	require.Contains(t, p.Body, `<p class="meta">835 remittance advice (X12) · uploaded`)
	require.Contains(t, p.Body, `<h2 id="notices-title">Not posted to any claim</h2>`)
	require.Contains(t, p.Body, `<td>R-77</td><td>Overpayment recovery</td>`)
	require.Contains(t, p.Body, `Fri 20 Nov 2026, 12:00 UTC`, "without the practice's zone, UTC, said so")
}
