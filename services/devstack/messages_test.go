package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

type outboxEntry struct {
	ItemID  string `json:"item_id"`
	To      string `json:"to"`
	Message struct {
		ID        string `json:"id"`
		Direction string `json:"direction"`
		Channel   string `json:"channel"`
		Body      string `json:"body"`
		State     string `json:"state"`
	} `json:"message"`
}

// The agent's text loop in the dev binary: pick a template, preview it,
// send it with the outcome "sent"; the dev outbox shows it delivered; a
// platform admin answers as the patient; the reply is on the item's
// thread; STOP opts the number out and the next send is refused, naming
// the rule. Every step is audited.
func TestAgentTextsAndThePatientReplies(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			waitRouted(t, b)
			alice, admin, pat := bearer(b.token(t, "alice")), bearer(b.token(t, "admin")), bearer(b.token(t, "pat"))

			// Quiet hours away from now, so that the test's own rules hold.
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

			var queue struct {
				Items []struct {
					ItemID  string `json:"item_id"`
					Version int    `json:"version"`
				} `json:"items"`
			}
			b.api.Do("GET", "/api/v1/work/queue?kind=balance_followup", "", alice...).JSON(t, &queue)
			require.NotEmpty(t, queue.Items)
			item := queue.Items[0]
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE patients SET phone = '+15125550147', text_consent = FALSE, do_not_contact = FALSE
WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item.ItemID)
				return err
			}))
			base := "/api/v1/work/items/" + item.ItemID + "/messages"

			// The agent's choices, then a preview the consent rule refuses.
			var thread struct {
				Messages []struct {
					Direction string `json:"direction"`
					Body      string `json:"body"`
				} `json:"messages"`
				Templates []struct {
					Key     string `json:"key"`
					Channel string `json:"channel"`
				} `json:"templates"`
			}
			res = b.api.Do("GET", base, "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &thread)
			require.NotEmpty(t, thread.Templates)
			var preview struct {
				Allowed bool   `json:"allowed"`
				Rule    string `json:"rule"`
				Body    string `json:"body"`
				To      string `json:"to"`
			}
			res = b.api.Do("GET", base+"/preview?channel=text&template=balance_reminder", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &preview)
			require.False(t, preview.Allowed)
			require.Equal(t, "no_text_consent", preview.Rule)
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE patients SET text_consent = TRUE WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item.ItemID)
				return err
			}))
			b.api.Do("GET", base+"/preview?channel=text&template=balance_reminder", "", alice...).JSON(t, &preview)
			require.True(t, preview.Allowed, preview.Rule)
			require.Equal(t, "number ending 0147", preview.To)

			next := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
			send := func(version int) (int, string) {
				res := b.api.Do("POST", base, fmt.Sprintf(`{"channel":"text","template":"balance_reminder","next_contact_at":%q,"version":%d}`, next, version), alice...)
				return res.Code, string(res.Body)
			}
			code, body := send(item.Version)
			require.Equal(t, 201, code, body)

			// The dev outbox shows it delivered, without its link's token.
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
					if m.ItemID == item.ItemID && m.Message.State == "delivered" {
						sent = m
						return true
					}
				}
				return false
			}, 20*time.Second, 100*time.Millisecond)
			require.Contains(t, sent.Message.Body, "/m/…")
			require.Equal(t, "+15125550147", sent.To)

			res = b.api.Do("POST", "/api/v1/messages/outbox/"+sent.Message.ID+"/reply", `{"body":"Can I pay Friday?"}`, admin...)
			require.Equal(t, 201, res.Code, string(res.Body))
			b.api.Do("GET", base, "", alice...).JSON(t, &thread)
			require.Len(t, thread.Messages, 2)
			require.Equal(t, "in", thread.Messages[1].Direction)
			require.Equal(t, "Can I pay Friday?", thread.Messages[1].Body)

			// STOP: the number is out at once, and the next send says why.
			res = b.api.Do("POST", "/api/v1/messages/outbox/"+sent.Message.ID+"/reply", `{"body":"STOP"}`, admin...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var items struct {
				Items []struct {
					ItemID  string `json:"item_id"`
					Version int    `json:"version"`
					State   string `json:"state"`
					Replied bool   `json:"patient_replied"`
				} `json:"items"`
			}
			b.api.Do("GET", "/api/v1/work/queue?kind=balance_followup", "", alice...).JSON(t, &items)
			version := 0
			for _, it := range items.Items {
				if it.ItemID == item.ItemID {
					version = it.Version
					require.True(t, it.Replied, "the queue says the patient replied")
					require.Equal(t, "assigned", it.State, "the reply brought the item back from waiting")
				}
			}
			require.NotZero(t, version)
			code, body = send(version)
			require.Equal(t, 400, code, body)
			require.Contains(t, body, "opted_out")
			require.Contains(t, body, "channel")

			// Patient data stays out of the logs: the number, the bodies,
			// the link's token.
			logs := b.logs.String()
			for _, phi := range []string{"+15125550147", "Can I pay Friday?", "balance on your account"} {
				require.NotContains(t, logs, phi)
			}

			var actions []string
			require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{
				Query: `SELECT action FROM audit_events WHERE action LIKE 'message%' ORDER BY action`,
				Row:   func(r sqldb.Scanner) error { var a string; err := r.Scan(&a); actions = append(actions, a); return err }}))
			joined := strings.Join(actions, " ")
			for _, a := range []audit.Action{audit.ActionMessageSend, audit.ActionMessageStatus, audit.ActionMessageReceive, audit.ActionMessageOptOut} {
				require.Contains(t, joined, string(a))
			}
		})
	}
}
