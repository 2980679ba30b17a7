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

// TestPracticeAdminEditsMessagesInABrowser drives the practice admin's
// Messages pages in a real browser: pat opens them from the top bar,
// writes a placeholder that does not exist into the recall text and sees
// the problem beside the message, fixes it and previews it filled in with
// its segments, saves it and sees it marked the practice's own, and
// resets it. On the opt-outs page pat finds the patient who replied STOP
// and the text the carrier did not deliver, by the patient's name, in
// the practice's zone, and opens its follow-up. Every page passes the
// accessibility check.
func TestPracticeAdminEditsMessagesInABrowser(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			waitRouted(t, b)
			alice, admin, pat := bearer(b.token(t, "alice")), bearer(b.token(t, "admin")), bearer(b.token(t, "pat"))

			// A text alice sends, which the patient answers with STOP and
			// whose delivery then fails, as a carrier's receipt would say.
			var me struct {
				Memberships []struct {
					PracticeID string `json:"practice_id"`
				} `json:"memberships"`
			}
			b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
			practiceID := me.Memberships[0].PracticeID
			var practice struct {
				Timezone string `json:"timezone"`
			}
			b.api.Do("GET", "/api/v1/practices/"+practiceID, "", pat...).JSON(t, &practice)
			zone, err := time.LoadLocation(practice.Timezone)
			require.NoError(t, err)
			local := time.Now().In(zone)
			rules := fmt.Sprintf(`{"version":0,"policy":{"quiet_start":%q,"quiet_end":%q,"max_contacts_per_week":14,"channels":["call","text","email","statement","final_notice"],"text_consent_required":true}}`,
				local.Add(6*time.Hour).Format("15:04"), local.Add(7*time.Hour).Format("15:04"))
			res := b.api.Do("PUT", "/api/v1/practices/"+practiceID+"/policies/contact", rules, pat...)
			require.Equal(t, 200, res.Code, string(res.Body))

			var queue struct {
				Items []struct {
					ItemID  string `json:"item_id"`
					Version int    `json:"version"`
				} `json:"items"`
			}
			b.api.Do("GET", "/api/v1/work/queue?kind=balance_followup", "", alice...).JSON(t, &queue)
			require.NotEmpty(t, queue.Items)
			item := queue.Items[0]
			var patient string
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE patients SET phone = '+15125550147', text_consent = TRUE, do_not_contact = FALSE
WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item.ItemID); err != nil {
					return err
				}
				return tx.QueryRowContext(ctx, `SELECT first_name || ' ' || last_name FROM patients
WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item.ItemID).Scan(&patient)
			}))
			next := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
			res = b.api.Do("POST", "/api/v1/work/items/"+item.ItemID+"/messages",
				fmt.Sprintf(`{"channel":"text","template":"balance_reminder","next_contact_at":%q,"version":%d}`, next, item.Version), alice...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var sent outboxEntry
			require.Eventually(t, func() bool {
				var box struct {
					Messages []outboxEntry `json:"messages"`
				}
				res := b.api.Do("GET", "/api/v1/messages/outbox", "", admin...)
				if res.Code != 200 {
					return false
				}
				res.JSON(t, &box)
				for _, m := range box.Messages {
					if m.ItemID == item.ItemID && m.Message.Direction == "out" && m.Message.State == "delivered" {
						sent = m
						return true
					}
				}
				return false
			}, 20*time.Second, 100*time.Millisecond)
			res = b.api.Do("POST", "/api/v1/messages/outbox/"+sent.Message.ID+"/reply", `{"body":"STOP"}`, admin...)
			require.Equal(t, 201, res.Code, string(res.Body))
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE patient_messages SET state = 'failed', error = 'the carrier did not deliver it' WHERE id = $1`, sent.Message.ID)
				return err
			}))

			br := webbrowser.New(t)
			signIn(t, br, b.baseURL, "pat")
			br.WaitVisible("main")

			// The Messages page, from the top bar.
			br.Click(`header nav a[href="/practices/` + practiceID + `/messages"]`)
			br.WaitVisible("#template-list")
			require.Equal(t, "Default", br.Text(`tr[data-template="text/recall_due"] .template-version`))
			require.Equal(t, "30", evaluate[string](t, br, `document.getElementById("settings-per_minute").value`))
			br.CheckAccessibility()

			// A placeholder that does not exist is refused beside the message.
			editor := "/practices/" + practiceID + "/messages/templates/text/recall_due"
			br.Click(`tr[data-template="text/recall_due"] a`)
			br.WaitVisible("#template-form")
			require.Equal(t, editor, evaluate[string](t, br, `location.pathname`))
			br.SetValue("#template-body", "Hi {{first_name}}, you owe {{amount}}. Call {{practice_phone}}.")
			br.Click("#preview-template")
			br.WaitVisible("#template-body-error")
			require.Contains(t, br.Text("#template-body-error"), "{{amount}}")
			require.Contains(t, br.Text("#template-body-error"), "do not exist")
			require.Equal(t, "true", evaluate[string](t, br, `document.getElementById("template-body").getAttribute("aria-invalid")`))
			require.Contains(t, evaluate[string](t, br, `document.getElementById("template-body").getAttribute("aria-describedby")`), "template-body-error")
			require.Contains(t, evaluate[string](t, br, `document.getElementById("template-body").value`), "{{amount}}", "the message as typed")
			br.CheckAccessibility()

			// Fixed, it previews filled in, with its segments.
			good := "Hi {{first_name}}, {{practice_name}} here: time for your checkup in {{due_month}}. Call {{practice_phone}}. Reply STOP to opt out."
			br.SetValue("#template-body", good)
			br.Click("#preview-template")
			br.WaitVisible("#template-preview")
			require.Contains(t, br.Text("#preview-body"), "Hi Alex, "+devstack.DemoPracticeName+" here")
			require.Regexp(t, `^\d+ segments?`, br.Text("#preview-segments"))
			require.False(t, evaluate[bool](t, br, `!!document.querySelector(".field-error")`), "no problem left")
			br.CheckAccessibility()

			// Saved, it is the practice's own, here and on the list.
			br.Click("#save-template")
			br.WaitVisible("#flash")
			require.Contains(t, br.Text("#flash"), "Saved")
			require.Contains(t, br.Text("#template-version"), "The practice's own")
			require.Equal(t, good, evaluate[string](t, br, `document.getElementById("template-body").value`))
			br.Visit(b.baseURL + "/practices/" + practiceID + "/messages")
			br.WaitVisible("#template-list")
			require.Equal(t, "The practice's own", br.Text(`tr[data-template="text/recall_due"] .template-version`))

			// Reset, the default applies again.
			br.Visit(b.baseURL + editor)
			br.WaitVisible("#reset-template")
			br.CheckAccessibility()
			br.Click("#reset-template")
			br.WaitVisible("#flash")
			require.Contains(t, br.Text("#flash"), "Reset")
			require.Contains(t, br.Text("#template-version"), "Backdesk's default")
			require.False(t, evaluate[bool](t, br, `!!document.getElementById("reset-template")`))
			require.NotContains(t, evaluate[string](t, br, `document.getElementById("template-body").value`), "time for your checkup")

			// The opt-out and the undelivered text, by the patient's name,
			// in the practice's zone; the text's follow-up opens.
			br.Visit(b.baseURL + "/practices/" + practiceID + "/messages")
			br.Click("#problems-link")
			br.WaitVisible("#optout-list")
			abbrev := time.Now().In(zone).Format("MST")
			optOut := br.Text("#optout-list tbody tr")
			for _, want := range []string{patient, "Text", "Replied STOP", abbrev} {
				require.Contains(t, optOut, want)
			}
			failed := br.Text("#failure-list tbody tr")
			for _, want := range []string{patient, "Text", "Balance reminder", "The carrier did not deliver it.", abbrev} {
				require.Contains(t, failed, want)
			}
			page := evaluate[string](t, br, `document.querySelector("main").innerText`)
			for _, id := range []string{item.ItemID, sent.Message.ID, "balance_reminder"} {
				require.NotContains(t, page, id, "names, never ids")
			}
			br.CheckAccessibility()
			br.Click("#failure-list tbody tr a")
			br.WaitVisible("main h1")
			require.Equal(t, "/items/"+item.ItemID, evaluate[string](t, br, `location.pathname`))
			require.Contains(t, br.Text("main"), "STOP", "the follow-up shows the patient's STOP")
			br.CheckAccessibility()

			br.AssertOnlyHost(t, b.baseURL)
			require.Empty(t, br.ConsoleErrors())
		})
	}
}
