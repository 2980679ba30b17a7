package devstack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/testenv"
	webbrowser "github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// TestConsoleInABrowser drives the web console in a real browser against
// the running platform: alice signs in through the development provider,
// works her queue with the mouse and with the keyboard, is told beside the
// date field that an outcome needs a next contact date, picks one and sees
// the item leave the work for now; maria sees the board with its charts.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dbURL := appDatabase(t, d) // the application role on PostgreSQL, as in production
			b := setup(t, dbURL)
			waitRouted(t, b)
			br := webbrowser.New(t)

			signIn(t, br, b.baseURL, "alice")
			br.WaitVisible("#next")
			require.Contains(t, br.Text(".topbar .who"), "Alice Agent")
			require.Contains(t, br.Text(".topbar .who"), "Agent")
			require.True(t, evaluate[bool](t, br, `document.querySelectorAll("#queue-now tbody tr").length > 0`), "alice has work to do now")

			// The n key starts the next item, and so does the button.
			br.Press("n")
			br.WaitVisible("#outcome-form")
			br.Visit(b.baseURL + "/queue")
			br.Click("#next")
			br.WaitVisible("#outcome-form")
			item := strings.TrimPrefix(evaluate[string](t, br, `location.pathname`), "/items/")
			require.NotEmpty(t, item)

			// o goes to the outcome form.
			br.Press("o")
			require.Equal(t, "channel", evaluate[string](t, br, `document.activeElement.id`))

			// An outcome that does not finish the item needs a date; the
			// refusal sits beside the date field and what was typed stays.
			// No answer is an outcome of every kind of work, whichever
			// comes first in the queue (an eligibility check has no
			// voicemail).
			br.SetValue("#outcome-kind", "no_answer")
			br.SendKeys("#outcome-note", "Nobody answered")
			br.Click("#save-outcome")
			br.WaitVisible("#next_contact-error")
			require.Contains(t, br.Text("#next_contact-error"), "next contact date")
			require.Contains(t, evaluate[string](t, br, `document.getElementById("next_contact").getAttribute("aria-describedby")`), "next_contact-error")
			require.Equal(t, "no_answer", evaluate[string](t, br, `document.getElementById("outcome-kind").value`))
			require.Equal(t, "Nobody answered", evaluate[string](t, br, `document.getElementById("outcome-note").value`))

			// A quick pick fills the date; saved, the item waits for it.
			br.Click(`button[data-date-offset="3"]`)
			require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, evaluate[string](t, br, `document.getElementById("next_contact").value`))
			br.Click("#save-outcome")
			br.WaitVisible("#flash")
			require.Contains(t, br.Text("#flash"), "Saved — next contact")
			inNow := fmt.Sprintf(`document.querySelector('#queue-now tr[data-item-id=%q]') !== null`, item)
			require.False(t, evaluate[bool](t, br, inNow), "the item is no longer work for now")
			later := fmt.Sprintf(`document.querySelector('#queue-later tr[data-item-id=%q]') !== null`, item)
			require.True(t, evaluate[bool](t, br, later), "it waits for its next contact date")

			// The help dialog lists the shortcuts.
			br.Press("?")
			br.WaitVisible("#help")
			br.Press(kb.Escape)

			// Sign out, and maria signs in to the board.
			br.Click("#logout-form button")
			br.WaitVisible(`main a[href="/auth/login"]`) // only the signed-out page has it
			require.Contains(t, br.Text("main h1"), "signed out")
			signIn(t, br, b.baseURL, "maria")
			br.WaitVisible("#depth-chart")
			for _, id := range []string{"depth-chart", "load-chart"} {
				js := fmt.Sprintf(`!!(window.Chart && Chart.getChart(document.getElementById(%q)))`, id)
				if _, err := chromedp.Run(br.Ctx(), chromedp.Poll[bool](js)); err != nil {
					t.Fatalf("no chart on #%s: %v", id, err)
				}
			}
			require.Contains(t, br.Text(".tiles"), "Agents on shift")
			require.True(t, evaluate[bool](t, br, `document.querySelectorAll("#agents-load tbody tr").length === 2`), "alice and bob")

			br.AssertOnlyHost(t, b.baseURL)
			require.Empty(t, br.ConsoleErrors())
		})
	}
}

// signIn starts at the console's front door as a signed-out person and
// picks user on the development provider's page.
func signIn(t *testing.T, br *webbrowser.Browser, base, user string) {
	t.Helper()
	br.Visit(base + "/")
	br.Click(fmt.Sprintf(`button[name="user"][value=%q]`, user))
}

// evaluate runs js in the page and returns its value.
func evaluate[T any](t *testing.T, br *webbrowser.Browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(br.Ctx(), chromedp.Evaluate[T](js))
	require.NoError(t, err, js)
	return v
}
