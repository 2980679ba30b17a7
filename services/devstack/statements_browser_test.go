package devstack_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	webbrowser "github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// fetched is what a fetch of a binary download link gave: its status,
// type and disposition, its size and its first bytes.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Size        int    `json:"size"`
	Head        string `json:"head"`
	Text        string `json:"text"`
}

// fetchLink fetches the href of the link sel as the browser would follow
// it, in the page's session.
func fetchLink(t *testing.T, br *webbrowser.Browser, sel string) fetched {
	t.Helper()
	got, err := chromedp.Run(br.Ctx(), chromedp.Evaluate[fetched](fmt.Sprintf(`fetch(document.querySelector(%q).href).then(r =>
  r.arrayBuffer().then(b => ({status: r.status, type: r.headers.get("content-type") || "", disposition: r.headers.get("content-disposition") || "",
    size: b.byteLength, head: String.fromCharCode(...new Uint8Array(b.slice(0, 5))),
    text: (r.headers.get("content-type") || "").startsWith("text/html") ? new TextDecoder().decode(b) : ""})))`, sel), chromedp.EvalAwaitPromise))
	require.NoError(t, err, sel)
	return got
}

// TestStatementsInABrowser drives statements and pay by link through the
// console: pat runs the month's statements on the demo practice, after
// the form said what was missing beside each field; the run is listed
// with its counts and downloads, what it skipped opens, and its one PDF
// downloads; maria finds the practice's statements from the board and
// opens the run's page from its link; alice opens the account's latest
// statement from a balance item and sends a pay link by text, which the
// item's thread then shows. Each page passes the accessibility check.
func TestStatementsInABrowser(t *testing.T) {
	t.Parallel()
	b := setup(t, appDatabase(t, sqldb.SQLite))
	waitRouted(t, b)
	item, _ := textableItem(t, b)
	chicago, err := time.LoadLocation("America/Chicago")
	require.NoError(t, err)
	month := time.Now().In(chicago)
	cycle, monthName := month.Format("2006-01"), month.Format("January 2006")

	br := webbrowser.New(t)
	signIn(t, br, b.baseURL, "pat")
	br.WaitVisible("main")

	// The top bar leads to the statements page; its form starts at this
	// month in the practice's zone.
	br.Click(`nav[aria-label="Sections"] a[href$="/statements"]`)
	br.WaitVisible("#run-form")
	require.Equal(t, cycle, evaluate[string](t, br, `document.getElementById("run-cycle").value`))
	require.Equal(t, "No month has been run yet.", br.Text("#no-runs"))
	statements := evaluate[string](t, br, `location.pathname`)
	br.CheckAccessibility()

	// Both fields at fault are said at once, beside each.
	br.SetValue("#run-cycle", "")
	br.Click("#run-statements")
	br.WaitVisible("#run-office_hours-error")
	require.Contains(t, br.Text("#run-cycle-error"), "Choose the month to run")
	require.Contains(t, br.Text("#run-office_hours-error"), "Write the office hours")
	require.Equal(t, "true", evaluate[string](t, br, `document.getElementById("run-office_hours").getAttribute("aria-invalid")`))
	br.CheckAccessibility()

	// The month's run, listed with its counts.
	br.SetValue("#run-cycle", cycle)
	br.SendKeys("#run-office_hours", "Mon–Thu 8am–5pm")
	br.Click("#run-statements")
	br.WaitVisible("#flash")
	require.Contains(t, br.Text("#flash"), monthName+": ")
	require.Contains(t, br.Text("#flash"), "made")
	require.Equal(t, statements, evaluate[string](t, br, `location.pathname`))
	row := fmt.Sprintf(`#run-list tr[data-cycle=%q]`, cycle)
	br.WaitVisible(row)
	require.Contains(t, br.Text(row+" th"), monthName)
	require.Equal(t, "Done", br.Text(row+" .run-state"))
	made, err := strconv.Atoi(br.Text(row + " .run-made"))
	require.NoError(t, err)
	require.Greater(t, made, 0)
	require.Regexp(t, `\d+`, br.Text(row+" .run-skipped"))
	require.Regexp(t, ` C[SD]T$`, br.Text(row+" time"), "when, in the practice's zone")
	require.Contains(t, br.Text("#downloads-note"), "Each download is recorded in the audit trail")
	require.Equal(t, "Mon–Thu 8am–5pm", evaluate[string](t, br, `document.getElementById("run-office_hours").value`),
		"the next run starts from the last one's hours")
	br.CheckAccessibility()

	// The one PDF, as the link downloads it: a PDF of some size.
	pdf := fetchLink(t, br, row+" a.run-pdf")
	require.Equal(t, 200, pdf.Status)
	require.Equal(t, "application/pdf", pdf.Type)
	require.Contains(t, pdf.Disposition, "attachment")
	require.Equal(t, "%PDF-", pdf.Head)
	require.Greater(t, pdf.Size, 1000)
	zip := fetchLink(t, br, row+" a.run-zip")
	require.Equal(t, 200, zip.Status)
	require.Equal(t, "application/zip", zip.Type)
	require.Equal(t, "PK\x03\x04", zip.Head[:4])

	// Following the PDF link downloads the file and leaves the page be.
	br.Click(row + " a.run-pdf")
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, statements, evaluate[string](t, br, `location.pathname`), "a download is no navigation")
	br.WaitVisible(row)

	// What the run skipped, by patient with the reason in words.
	br.Click(row + " a.run-skips")
	br.WaitVisible("main h1")
	require.Equal(t, "What was skipped in "+monthName, br.Text("main h1"))
	skips := evaluate[string](t, br, `location.pathname`)
	require.True(t, strings.HasSuffix(skips, "/skips"), skips)
	if evaluate[bool](t, br, `!!document.getElementById("skip-list")`) {
		reason := br.Text("#skip-list td.skip-reason")
		require.NotContains(t, reason, "_", "a reason in words, not its code")
	} else {
		require.Contains(t, br.Text("#no-skips"), "skipped no account")
	}
	br.CheckAccessibility()
	br.Click(`nav.crumbs a`)
	br.WaitVisible("#run-list")
	br.AssertOnlyHost(t, b.baseURL)
	require.Empty(t, br.ConsoleErrors())

	// Maria finds the practice's statements from the board, sees the run
	// listed (billing managers open statements), and opens it with its
	// downloads; she does not run statements.
	signOut(t, br)
	signIn(t, br, b.baseURL, "maria")
	br.WaitVisible("main")
	br.Visit(b.baseURL + "/board")
	br.WaitVisible("#statement-links")
	require.Equal(t, "Statements of "+devstack.DemoPracticeName, br.Text("#statement-links a"))
	br.Click("#statement-links a")
	br.WaitVisible("#runs")
	require.Equal(t, statements, evaluate[string](t, br, `location.pathname`))
	br.WaitVisible("#run-list")
	require.False(t, evaluate[bool](t, br, `!!document.getElementById("runs-unlisted")`), "billing managers see the runs")
	require.False(t, evaluate[bool](t, br, `!!document.getElementById("run-form")`), "billing managers do not run statements")
	br.CheckAccessibility()
	br.Visit(b.baseURL + skips)
	br.WaitVisible("#skips-pdf")
	require.Equal(t, "What was skipped in "+monthName, br.Text("main h1"), "the run is named by its month for billing managers too")
	pdf = fetchLink(t, br, "#skips-pdf")
	require.Equal(t, 200, pdf.Status)
	require.Equal(t, "%PDF-", pdf.Head)
	br.CheckAccessibility()

	// Alice opens the account's latest statement from a balance item of
	// hers, and sends a pay link by text.
	signOut(t, br)
	signIn(t, br, b.baseURL, "alice")
	br.WaitVisible("#next")
	br.Visit(b.baseURL + "/items/" + item)
	br.WaitVisible("#latest-statement-link")
	require.Equal(t, "_blank", evaluate[string](t, br, `document.getElementById("latest-statement-link").target`))
	latest := fetchLink(t, br, "#latest-statement-link")
	require.Equal(t, 200, latest.Status)
	require.Equal(t, "application/pdf", latest.Type, "the run made the account a statement")
	require.Equal(t, "%PDF-", latest.Head)
	require.Contains(t, latest.Disposition, "inline", "shown in the browser's tab")

	// An account with no statement gets a page that says so.
	var queue struct {
		Items []struct {
			ItemID string `json:"item_id"`
		} `json:"items"`
	}
	b.api.Do("GET", "/api/v1/work/queue?kind=recare", "", bearer(b.token(t, "alice"))...).JSON(t, &queue)
	require.NotEmpty(t, queue.Items)
	br.Visit(b.baseURL + "/items/" + queue.Items[0].ItemID + "/statement/export")
	br.WaitVisible("#no-statement")
	require.Equal(t, "No statement yet for this account", br.Text("#nostatement-title"))
	br.CheckAccessibility()
	br.Visit(b.baseURL + "/items/" + item)
	br.WaitVisible("#latest-statement-link")

	// The form says what is missing beside its field, then sends.
	br.Click("#paylink-title")
	br.WaitVisible("#paylink-form")
	br.Click("#send-paylink")
	br.WaitVisible("#paylink-next-contact-error")
	require.Contains(t, br.Text("#paylink-next-contact-error"), "Write the next contact date")
	require.True(t, evaluate[bool](t, br, `document.getElementById("paylink").open`), "the form stays open on its message")
	br.CheckAccessibility()
	require.Equal(t, "text", evaluate[string](t, br, `document.getElementById("paylink-channel").value`))
	br.Click(`#paylink-form button[data-date-offset="3"]`)
	require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, evaluate[string](t, br, `document.getElementById("paylink-next-contact").value`))
	br.SendKeys("#paylink-note", "Sent the pay link after the statement")
	br.Click("#send-paylink")
	br.WaitVisible("#flash")
	require.Contains(t, br.Text("#flash"), "Pay link sent by text — next contact")
	require.Equal(t, "/items/"+item, evaluate[string](t, br, `location.pathname`), "back on the item")
	br.WaitVisible("#thread")
	sent := br.Text("#thread li.message-out:last-child")
	require.Contains(t, sent, "Alice Agent sent a text")
	require.Regexp(t, regexp.MustCompile(`/m/pay/…`), sent, "the link, its token hidden from staff")
	require.Contains(t, br.Text("#timeline"), "Sent the pay link after the statement", "logged as the outcome with its note")
	br.CheckAccessibility()

	br.AssertOnlyHost(t, b.baseURL)
	require.Empty(t, br.ConsoleErrors())
}
