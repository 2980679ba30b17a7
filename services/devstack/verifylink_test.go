package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The page a message's link opens, in the dev binary: an agent texts a
// patient; the link's page asks for the date of birth and shows nothing
// about the patient or the practice until it matches; a wrong date says
// so next to the field without repeating it; the right one shows the
// practice, the patient's first name and what the message was about.
// Each try is audited; neither the date nor the token reaches the audit
// trail or the log.
func TestMessageLinkAsksBeforeItShows(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			ctx := context.Background()
			waitRouted(t, b)
			alice, pat := bearer(b.token(t, "alice")), bearer(b.token(t, "pat"))

			// Quiet hours away from now, so that the text may go.
			chicago, err := time.LoadLocation("America/Chicago")
			require.NoError(t, err)
			local := time.Now().In(chicago)
			var me struct {
				Memberships []struct {
					PracticeID string `json:"practice_id"`
				} `json:"memberships"`
			}
			b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
			practiceID := me.Memberships[0].PracticeID
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
			const dob = "1979-11-05"
			var first, last, practiceName string
			var phones []string
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `UPDATE patients SET phone = '+15125550147', text_consent = TRUE, do_not_contact = FALSE,
date_of_birth = $2 WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item.ItemID, dob); err != nil {
					return err
				}
				if err := tx.QueryRowContext(ctx, `SELECT p.first_name, p.last_name, pr.name FROM work_items w JOIN patients p ON p.id = w.patient_id
JOIN practices pr ON pr.id = w.practice_id WHERE w.id = $1`, item.ItemID).Scan(&first, &last, &practiceName); err != nil {
					return err
				}
				rows, err := tx.QueryContext(ctx, `SELECT phone FROM locations WHERE practice_id = $1 AND phone <> ''`, practiceID)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var p string
					if err := rows.Scan(&p); err != nil {
						return err
					}
					phones = append(phones, p)
				}
				return rows.Err()
			}))
			require.NotEmpty(t, phones, "the demo practice has an office phone")

			next := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
			res = b.api.Do("POST", "/api/v1/work/items/"+item.ItemID+"/messages",
				fmt.Sprintf(`{"channel":"text","template":"balance_reminder","next_contact_at":%q,"version":%d}`, next, item.Version), alice...)
			require.Equal(t, 201, res.Code, string(res.Body))
			var body string
			require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT body FROM patient_messages WHERE work_item_id = $1 AND direction = 'out'`, item.ItemID).Scan(&body)
			}))
			found := regexp.MustCompile(`/m/([A-Za-z0-9_-]{32})`).FindStringSubmatch(body)
			require.Len(t, found, 2, "the text carries its link")
			token := found[1]

			page := func(method, path string, form url.Values) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				w := httptest.NewRecorder()
				b.engine.ServeHTTP(w, req)
				require.Equal(t, "no-referrer", w.Header().Get("Referrer-Policy"), path)
				require.Equal(t, "no-store", w.Header().Get("Cache-Control"), path)
				require.True(t, strings.HasPrefix(w.Header().Get("Content-Type"), "text/html"), path)
				return w
			}
			// nothing checks that a page names no one: not the patient, the
			// practice or its phone, and never the date of birth.
			nothing := func(html string) {
				t.Helper()
				for _, s := range append([]string{first, last, practiceName, dob, "1979", "tel:"}, phones...) {
					require.NotContains(t, html, s)
				}
			}
			dateForm := func(m, d, y string) url.Values { return url.Values{"month": {m}, "day": {d}, "year": {y}} }

			// Before verifying: a form with labelled fields, and nothing else.
			w := page("GET", "/m/"+token, nil)
			require.Equal(t, http.StatusOK, w.Code)
			html := w.Body.String()
			nothing(html)
			for _, s := range []string{`<html lang="en">`, "<legend>Date of birth</legend>", `<label for="dob-month">Month</label>`,
				`<label for="dob-day">Day</label>`, `<label for="dob-year">Year</label>`, `autocomplete="bday-year"`, `<form method="post"`} {
				require.Contains(t, html, s)
			}

			// An unknown link: the neutral page.
			w = page("GET", "/m/"+strings.Repeat("A", 32), nil)
			require.Equal(t, http.StatusNotFound, w.Code)
			require.Contains(t, w.Body.String(), "This link does not work")
			require.Contains(t, w.Body.String(), "Call your dental office")
			w = page("POST", "/m/"+strings.Repeat("A", 32), dateForm("11", "5", "1979"))
			require.Equal(t, http.StatusNotFound, w.Code)
			nothing(w.Body.String())

			// A wrong date: said next to the field, without the date.
			w = page("POST", "/m/"+token, dateForm("11", "6", "1979"))
			require.Equal(t, http.StatusUnprocessableEntity, w.Code)
			html = w.Body.String()
			nothing(html)
			require.NotContains(t, html, "1979")
			require.Contains(t, html, "That does not match")
			require.Contains(t, html, `aria-invalid="true"`)
			require.Contains(t, html, `aria-describedby="dob-hint dob-error"`)

			// The right date: the practice, the first name, what it was about.
			w = page("POST", "/m/"+token, dateForm("11", "05", "1979"))
			require.Equal(t, http.StatusOK, w.Code)
			html = w.Body.String()
			require.Contains(t, html, "Hi "+first)
			require.Contains(t, html, practiceName)
			require.Contains(t, html, "a balance on your account")
			require.Contains(t, html, `href="tel:`)
			require.NotContains(t, html, last)
			require.NotContains(t, html, dob)
			require.NotContains(t, html, "$")

			// Both tries are audited; no audit row or log line holds the date
			// of birth or the token.
			var reasons []string
			var bodies []string
			require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{
				Query: `SELECT body FROM audit_events ORDER BY seq`,
				Row:   func(r sqldb.Scanner) error { var s string; err := r.Scan(&s); bodies = append(bodies, s); return err }}))
			for _, s := range bodies {
				require.NotContains(t, s, dob)
				require.NotContains(t, s, "1979-11-06")
				require.NotContains(t, s, token)
				if strings.Contains(s, string(audit.ActionMessageLinkOpen)) {
					for _, r := range []string{"verified", "mismatch"} {
						if strings.Contains(s, `"`+r+`"`) {
							reasons = append(reasons, r)
						}
					}
				}
			}
			require.Equal(t, []string{"mismatch", "verified"}, reasons)
			logs := b.logs.String()
			require.NotContains(t, logs, token)
			require.NotContains(t, logs, dob)
			require.NotContains(t, logs, "1979-11-06")
		})
	}
}
