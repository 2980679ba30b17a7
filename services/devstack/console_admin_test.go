package devstack_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	webbrowser "github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// TestPracticeAdminAndComplianceInABrowser drives the practice admin's and
// compliance's pages in a real browser against the running platform: pat
// imports a patients file with a bad row, watches it run to the end, reads
// the rejected row and downloads the report; pat approves the access maria
// asked for; carol finds alice's read of a patient in the audit trail and
// sees its inclusion proof checked.
func TestPracticeAdminAndComplianceInABrowser(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			b := setup(t, dbURL)
			waitRouted(t, b)
			// Three people's work in one browser: a wider hang guard.
			br := webbrowser.New(t, webbrowser.WithTimeout(8*time.Minute))

			signIn(t, br, b.baseURL, "pat")
			br.WaitVisible("#aging-amount-chart")
			demo := strings.TrimPrefix(evaluate[string](t, br, `location.pathname`), "/practices/")
			require.NotEmpty(t, demo, "pat starts on the practice's dashboard")
			for _, id := range []string{"aging-amount-chart", "aging-accounts-chart"} {
				js := fmt.Sprintf(`!!(window.Chart && Chart.getChart(document.getElementById(%q)))`, id)
				_, err := chromedp.Run(br.Ctx(), chromedp.Poll[bool](js, chromedp.WithPollingTimeout(0)))
				require.NoError(t, err, "no chart on #%s", id)
			}

			patImports(t, br)
			patApproves(t, b, br, demo)

			br.Click("#logout-form button")
			br.WaitVisible(`main a[href="/auth/login"]`)
			carolFindsAlicesRead(t, b, br)

			br.AssertOnlyHost(t, b.baseURL)
			require.Empty(t, br.ConsoleErrors())
		})
	}
}

// patImports uploads a patients file whose third line has an impossible
// birth date, for real (no dry run), and follows the import to its report.
func patImports(t *testing.T, br *webbrowser.Browser) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "patients.csv")
	require.NoError(t, os.WriteFile(file, []byte("patient_id,first_name,last_name,date_of_birth,phone\n"+
		"BRW-1,Rosa,Ibarra,03/14/1972,512-555-0199\n"+
		"BRW-2,Tom,Reyes,13/45/1980,512-555-0142\n"), 0o600))

	br.Press("i")
	br.WaitVisible("#import-form")
	require.True(t, evaluate[bool](t, br, `document.getElementById("dry_run").checked`), "a dry run to begin with")
	require.Equal(t, "patients", evaluate[string](t, br, `document.getElementById("kind").value`))
	br.Click("#dry_run")
	require.NoError(t, chromedp.Do(br.Ctx(), chromedp.SetUploadFiles("#file", []string{file})))
	br.Click("#upload")

	br.WaitVisible("#row-errors")
	require.Regexp(t, `^/imports/[^/]+$`, evaluate[string](t, br, `location.pathname`))
	require.Equal(t, "100%", br.Text("#import-percent"))
	require.Equal(t, 100, evaluate[int](t, br, `document.getElementById("import-progress").value`))
	require.Equal(t, "succeeded", evaluate[string](t, br, `document.getElementById("import-status").dataset.state`))
	require.False(t, evaluate[bool](t, br, `document.getElementById("import-status").hasAttribute("hx-trigger")`), "the polling has stopped")
	require.Contains(t, br.Text("#row-errors tbody"), "date_of_birth")
	require.Equal(t, "3", br.Text("#row-errors tbody td"), "the bad row's line")

	// The report, fetched as the link would download it, in pat's session.
	got, err := chromedp.Run(br.Ctx(), chromedp.Evaluate[download](`fetch(document.getElementById("error-report").href)
  .then(r => r.text().then(text => ({status: r.status, type: r.headers.get("content-type") || "", text})))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, 200, got.Status)
	require.Contains(t, got.Type, "text/csv")
	rows, err := csv.NewReader(strings.NewReader(got.Text)).ReadAll()
	require.NoError(t, err, got.Text)
	require.Equal(t, []string{"line", "column", "rule", "message"}, rows[0])
	require.Greater(t, len(rows), 1)
	for _, r := range rows[1:] {
		require.Equal(t, "3", r[0])
		require.NotContains(t, r[3], "13/45/1980", "the report never quotes the value")
	}
}

// download is what a fetch of a download link gave.
type download struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Text   string `json:"text"`
}

// patApproves has maria ask, through the API, for a team's access, and
// pat approve it on the access page.
func patApproves(t *testing.T, b bundle, br *webbrowser.Browser, demo string) {
	t.Helper()
	teams := roster.NewService(rosterstore.New(b.stack.DB, auditstore.New(b.stack.DB)))
	seeder := audit.Event{Actor: audit.SystemActor} // the platform sets the team up
	team, err := teams.CreateTeam(context.Background(), seeder, "Browser test team "+uuid.NewString(), time.Now())
	require.NoError(t, err)
	reason := "Claims team takes over payer calls"
	res := b.api.Do("POST", "/api/v1/practices/"+demo+"/access-requests",
		fmt.Sprintf(`{"team_id":%q,"kinds":["claim_followup"],"days":30,"reason":%q}`, team.ID, reason), bearer(b.token(t, "maria"))...)
	require.Equal(t, 201, res.Code, string(res.Body))
	var req struct {
		ID string `json:"id"`
	}
	res.JSON(t, &req)

	br.Press("g")
	request := fmt.Sprintf(`[data-request-id=%q]`, req.ID)
	br.WaitVisible(request)
	require.Equal(t, reason, br.Text(request+" .reason"), "pat reads why it is asked")
	br.Click(request + " .approve-form button")
	br.WaitVisible("#flash")
	require.Contains(t, br.Text("#flash"), "Approved")
	require.False(t, evaluate[bool](t, br, fmt.Sprintf(`document.querySelector('%s') !== null`, request)), "no longer pending")
	require.Contains(t, br.Text("#grants"), team.ID, "the team has its grant")
}

// carolFindsAlicesRead has alice open an item through the API, waits for
// the read to be in a signed checkpoint, and has carol search for the
// patient, find the read and open its event page.
func carolFindsAlicesRead(t *testing.T, b bundle, br *webbrowser.Browser) {
	t.Helper()
	ctx := context.Background()
	alice := bearer(b.token(t, "alice"))
	res := b.api.Do("POST", "/api/v1/work/next", "", alice...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var started struct {
		ItemID string `json:"item_id"`
	}
	res.JSON(t, &started)
	rid := "browser-read-" + uuid.NewString()
	res = b.api.Do("GET", "/api/v1/work/items/"+started.ItemID, "", append(alice, "X-Request-ID", rid)...)
	require.Equal(t, 200, res.Code, string(res.Body))
	var patientID, eventID string
	require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT patient_id FROM work_items WHERE id = $1`, started.ItemID).Scan(&patientID)
	}))
	require.NoError(t, b.stack.DB.QueryRowContext(ctx, `SELECT id FROM audit_events WHERE body LIKE $1`, "%"+rid+"%").Scan(&eventID))

	// The stack integrates every second; wait until a signed checkpoint
	// covers the read (a hang guard, not a timing).
	carol := bearer(b.token(t, "carol"))
	require.Eventually(t, func() bool {
		var d struct {
			LeafIndex  *uint64         `json:"leaf_index"`
			Checkpoint *map[string]any `json:"checkpoint"`
		}
		r := b.api.Do("GET", "/api/v1/audit/events/"+eventID, "", carol...)
		r.JSON(t, &d)
		return r.Code == 200 && d.LeafIndex != nil && d.Checkpoint != nil
	}, 2*time.Minute, 100*time.Millisecond, "the read reaches a signed checkpoint")

	signIn(t, br, b.baseURL, "carol")
	br.WaitVisible("#audit-search")
	// The newest events, listed before any search, may hold the read
	// already: mark them, so that only the search's answer counts.
	require.NoError(t, chromedp.Do(br.Ctx(), chromedp.Evaluate[chromedp.Void](
		`document.querySelectorAll("#events").forEach(e => e.dataset.stale = "1")`)))
	br.SendKeys("#patient_id", patientID)
	br.Click("#search")
	row := fmt.Sprintf(`#events:not([data-stale]) tr[data-event-id=%q]`, eventID)
	br.WaitVisible(row)
	require.Equal(t, patientID, evaluate[string](t, br, `new URLSearchParams(location.search).get("patient_id")`))
	require.Equal(t, "dev-alice", evaluate[string](t, br, fmt.Sprintf(`document.querySelector('%s').dataset.actor`, row)))
	require.Equal(t, "read", evaluate[string](t, br, fmt.Sprintf(`document.querySelector('%s').dataset.action`, row)))

	// The same search, exported, holds the read.
	got, err := chromedp.Run(br.Ctx(), chromedp.Evaluate[download](`fetch(document.getElementById("export-csv").href)
  .then(r => r.text().then(text => ({status: r.status, type: r.headers.get("content-type") || "", text})))`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.Equal(t, 200, got.Status)
	require.True(t, strings.HasPrefix(got.Text, "seq,id,time,"), got.Text)
	require.Contains(t, got.Text, eventID)

	br.Click(row + " a")
	br.WaitVisible("#proof-status")
	require.Equal(t, "verified", evaluate[string](t, br, `document.getElementById("proof-status").dataset.proof`))
	require.Contains(t, br.Text("#proof-status"), "Inclusion proof: verified against the checkpoint of size")
}
