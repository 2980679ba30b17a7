package devstack_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The pay-by-link loop in the dev binary: alice sends a payment link from
// a balance item; the patient's page asks for the date of birth before
// anything, then shows the amount; the patient pays part of it on the dev
// checkout page; the balance goes down and the item is back with alice,
// its history saying "paid"; the rest paid resolves the item.
func TestPayByLinkInTheDevBinary(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			waitRouted(t, b)
			ctx := context.Background()
			alice := bearer(b.token(t, "alice"))
			itemID, version := textableItem(t, b)
			var total int64
			var dob string
			read := func() {
				require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT b.total_cents, p.date_of_birth
FROM work_items w JOIN balances b ON b.id = w.subject_id JOIN patients p ON p.id = w.patient_id WHERE w.id = $1`,
					Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&total, &dob) }}))
			}
			read()
			require.Greater(t, total, int64(200))

			next := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
			res := b.api.Do("POST", "/api/v1/work/items/"+itemID+"/payment-link",
				fmt.Sprintf(`{"channel":"text","next_contact_at":%q,"version":%d}`, next, version), alice...)
			require.Equal(t, 201, res.Code, string(res.Body))
			require.Contains(t, string(res.Body), "/m/pay/…", "staff never see the link's token")
			var body string
			require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT body FROM patient_messages WHERE work_item_id = $1 AND template_key = 'payment_link'`,
				Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&body) }}))
			path := regexp.MustCompile(`/m/pay/[A-Za-z0-9_-]{22}`).FindString(body)
			require.NotEmpty(t, path)

			client := noRedirect()
			get := func(p string) (int, string) {
				resp, err := client.Get(b.baseURL + p)
				require.NoError(t, err)
				defer resp.Body.Close()
				var sb strings.Builder
				_, _ = fmt.Fprint(&sb, readAll(t, resp))
				return resp.StatusCode, sb.String()
			}
			post := func(p string, form url.Values) *http.Response {
				resp, err := client.PostForm(b.baseURL+p, form)
				require.NoError(t, err)
				return resp
			}
			code, page := get(path)
			require.Equal(t, 200, code)
			require.Contains(t, page, "Date of birth")
			require.NotContains(t, page, "$", "no amount before the date of birth")
			require.NotContains(t, page, "Lakeside", "no practice before the date of birth")

			parts := strings.Split(dob, "-")
			verify := url.Values{"year": {parts[0]}, "month": {parts[1]}, "day": {parts[2]}}
			resp := post(path, verify)
			page = readAll(t, resp)
			require.Equal(t, 200, resp.StatusCode, page)
			require.Contains(t, page, money(total))

			resp = post(path+"/checkout", url.Values{"amount": {"1.50"}})
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			checkout := resp.Header.Get("Location")
			resp.Body.Close()
			require.Contains(t, checkout, "/dev/pay/")
			u, err := url.Parse(checkout)
			require.NoError(t, err)
			resp = post(u.Path+"/complete", nil)
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			resp.Body.Close()
			before := total
			read()
			require.Equal(t, before-150, total)
			var outcome, state string
			require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT
(SELECT outcome FROM activities WHERE work_item_id = $1 ORDER BY at DESC, id DESC LIMIT 1), (SELECT state FROM work_items WHERE id = $1)`,
				Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&outcome, &state) }}))
			require.Equal(t, "paid", outcome)
			require.Equal(t, "assigned", state, "a part paid brings the item back to its owner")

			// The item view's ledger lists the payment.
			var ledger struct {
				Payments []struct {
					AmountCents int64 `json:"amount_cents"`
				} `json:"payments"`
				NextStatement string `json:"next_statement"`
			}
			res = b.api.Do("GET", "/api/v1/work/items/"+itemID+"/payments", "", alice...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &ledger)
			require.Len(t, ledger.Payments, 1)
			require.Equal(t, int64(150), ledger.Payments[0].AmountCents)
			require.NotEmpty(t, ledger.NextStatement)

			resp = post(path, verify)
			resp.Body.Close()
			resp = post(path+"/checkout", url.Values{"amount": {strings.ReplaceAll(strings.TrimPrefix(money(total), "$"), ",", "")}})
			require.Equal(t, http.StatusSeeOther, resp.StatusCode)
			u, err = url.Parse(resp.Header.Get("Location"))
			require.NoError(t, err)
			resp.Body.Close()
			resp = post(u.Path+"/complete", nil)
			resp.Body.Close()
			require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT state FROM work_items WHERE id = $1`,
				Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&state) }}))
			require.Equal(t, "resolved", state)
			code, page = get(path)
			require.Equal(t, 200, code)
			require.Contains(t, page, "This link has been used")
			// The token, the date of birth and the amounts stay out of the logs.
			logs := b.logs.String()
			for _, phi := range []string{path[len("/m/pay/"):], dob, money(before)} {
				require.NotContains(t, logs, phi)
			}
		})
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return sb.String()
}

// money writes cents as the page does: $1,234.56.
func money(cents int64) string {
	d := fmt.Sprint(cents / 100)
	var b strings.Builder
	for i, r := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("$%s.%02d", b.String(), cents%100)
}
