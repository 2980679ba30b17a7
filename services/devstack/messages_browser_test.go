package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	webbrowser "github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/stretchr/testify/require"
)

// TestTextAndReplyInABrowser drives the agent's text loop through the
// console in a real browser: alice picks the balance reminder on a
// balance item of hers, previews it (the masked number, the words, the
// segments) and sends it with a quick-picked next contact date; the
// admin sees it delivered in the dev outbox and answers as the patient;
// alice finds the reply on the item's thread, and her queue says the
// patient replied.
func TestTextAndReplyInABrowser(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			waitRouted(t, b)
			alice, pat := bearer(b.token(t, "alice")), bearer(b.token(t, "pat"))

			// Quiet hours away from now, so that the practice's rules let
			// the text go (as in TestAgentTextsAndThePatientReplies).
			chicago, err := time.LoadLocation("America/Chicago")
			require.NoError(t, err)
			local := time.Now().In(chicago)
			var me struct {
				Memberships []struct {
					PracticeID string `json:"practice_id"`
				} `json:"memberships"`
			}
			b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
			rules := fmt.Sprintf(`{"version":0,"policy":{"quiet_start":%q,"quiet_end":%q,"max_contacts_per_week":14,"channels":["call","text","email","statement","final_notice"],"text_consent_required":true}}`,
				local.Add(6*time.Hour).Format("15:04"), local.Add(7*time.Hour).Format("15:04"))
			res := b.api.Do("PUT", "/api/v1/practices/"+me.Memberships[0].PracticeID+"/policies/contact", rules, pat...)
			require.Equal(t, 200, res.Code, string(res.Body))

			// A balance item of alice's, its patient with a number that
			// may be texted.
			var queue struct {
				Items []struct {
					ItemID string `json:"item_id"`
				} `json:"items"`
			}
			b.api.Do("GET", "/api/v1/work/queue?kind=balance_followup", "", alice...).JSON(t, &queue)
			require.NotEmpty(t, queue.Items)
			item := queue.Items[0].ItemID
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE patients SET phone = '+15125550147', text_consent = TRUE, do_not_contact = FALSE
WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item)
				return err
			}))

			br := webbrowser.New(t)
			signIn(t, br, b.baseURL, "alice")
			br.WaitVisible("#next")

			// Preview: the page comes back with the message as it would go.
			br.Visit(b.baseURL + "/items/" + item)
			br.WaitVisible("#message-form")
			require.Equal(t, "No texts or e-mails yet.", br.Text("#thread-empty"))
			br.Click("#send-title")
			br.SetValue("#message-channel", "text")
			br.SetValue("#message-template-text", "balance_reminder")
			br.Click("#preview-message")
			br.WaitVisible("#message-preview")
			require.Contains(t, br.Text("#preview-title"), "Balance reminder")
			require.Equal(t, "number ending 0147", br.Text("#preview-to"))
			require.NotEmpty(t, br.Text("#preview-body"))
			require.Regexp(t, `^\d+ segments?`, br.Text("#preview-segments"))
			require.Equal(t, "It may be sent now.", br.Text("#preview-allowed"))
			require.False(t, evaluate[bool](t, br, `!!document.getElementById("message-channel-error")`), "no rule refuses it")
			require.Equal(t, "balance_reminder", evaluate[string](t, br, `document.getElementById("message-template-text").value`),
				"the choice stays")
			br.CheckAccessibility()

			// Send, with a quick pick for the next contact date.
			br.Click(`#message-form button[data-date-offset="3"]`)
			require.Regexp(t, `^\d{4}-\d{2}-\d{2}$`, evaluate[string](t, br, `document.getElementById("message-next-contact").value`))
			br.Click("#send-message")
			br.WaitVisible("#flash")
			require.Contains(t, br.Text("#flash"), "Text sent — next contact")
			require.Equal(t, "/items/"+item, evaluate[string](t, br, `location.pathname`), "back on the item")
			require.Contains(t, br.Text("#thread"), "Alice Agent sent a text")

			// The admin sees it delivered in the dev outbox and answers it
			// as the patient.
			signOut(t, br)
			signIn(t, br, b.baseURL, "admin")
			br.WaitVisible("main")
			sent := fmt.Sprintf(`#outbox tr.message-out[data-item-id=%q]`, item)
			delivered := fmt.Sprintf(`(() => { const r = document.querySelector(%q); return !!r && r.querySelector(".message-state").textContent.trim() === "Delivered"; })()`, sent)
			deadline := time.Now().Add(20 * time.Second)
			for {
				br.Visit(b.baseURL + "/outbox")
				br.WaitVisible("main h1")
				if evaluate[bool](t, br, delivered) {
					break
				}
				require.True(t, time.Now().Before(deadline), "the text never showed as delivered in the dev outbox")
				time.Sleep(250 * time.Millisecond)
			}
			require.Equal(t, devstack.DemoPracticeName, br.Text(sent+" .outbox-practice"), "the practice by name")
			require.Contains(t, br.Text(sent), "(512) 555-0147")
			br.CheckAccessibility()
			br.SendKeys(sent+` input[name="body"]`, "Can I pay Friday?")
			br.Click(sent + ` button[type="submit"]`)
			br.WaitVisible("#flash")
			require.Contains(t, br.Text("#flash"), "Answered as the patient")

			// Alice finds the reply on the item, and her queue says so.
			signOut(t, br)
			signIn(t, br, b.baseURL, "alice")
			br.WaitVisible("#next")
			br.Visit(b.baseURL + "/items/" + item)
			br.WaitVisible("#thread")
			require.Equal(t, 2, evaluate[int](t, br, `document.querySelectorAll("#thread li").length`))
			reply := br.Text("#thread li.message-in")
			require.Contains(t, reply, "Patient replied by text")
			require.Contains(t, reply, "Can I pay Friday?")
			require.Contains(t, reply, "Received")
			br.Visit(b.baseURL + "/queue")
			br.WaitVisible("#next")
			row := fmt.Sprintf(`document.querySelector('tr[data-item-id=%q] .badge-replied')`, item)
			require.Equal(t, "Patient replied", evaluate[string](t, br, row+`?.textContent ?? ""`))

			br.AssertOnlyHost(t, b.baseURL)
			require.Empty(t, br.ConsoleErrors())
		})
	}
}

// signOut signs out of the console and waits for the signed-out page.
func signOut(t *testing.T, br *webbrowser.Browser) {
	t.Helper()
	br.Click("#logout-form button")
	br.WaitVisible(`main a[href="/auth/login"]`)
}
