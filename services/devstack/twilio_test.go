package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/devstack"
	"github.com/stretchr/testify/require"
)

const (
	twilioSID   = "AC0123456789abcdef0123456789abcdef"
	twilioToken = "twilio-test-auth-token-7e1d"
)

// twilioAPI answers the Messages resource as Twilio documents it, and
// refuses what Twilio would: another account, bad credentials, a form
// without To, Body or a sender.
type twilioAPI struct {
	mu    sync.Mutex
	texts []url.Values
}

func (a *twilioAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+twilioSID+"/Messages.json":
		http.Error(w, `{"code":20404,"status":404}`, http.StatusNotFound)
		return
	case !ok || user != twilioSID || pass != twilioToken:
		http.Error(w, `{"code":20003,"status":401}`, http.StatusUnauthorized)
		return
	case r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
		http.Error(w, `{"code":20001,"status":400}`, http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("To") == "" || form.Get("Body") == "" || (form.Get("From") == "" && form.Get("MessagingServiceSid") == "") {
		http.Error(w, `{"code":21604,"status":400}`, http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.texts = append(a.texts, form)
	n := len(a.texts)
	a.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued","to":%q}`, n, form.Get("To"))
}

func (a *twilioAPI) sent() []url.Values {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]url.Values(nil), a.texts...)
}

// Texts through Twilio: the adapter's request is the one Twilio
// documents; a signed status callback marks the text delivered, and
// unsigned or mis-signed callbacks are refused and logged without their
// values; a signed STOP opts the number out, and Backdesk leaves the
// answer to Twilio.
func TestTextsThroughTwilio(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			textsThroughTwilio(t, d)
		})
	}
}

func textsThroughTwilio(t *testing.T, d sqldb.Dialect) {
	api := &twilioAPI{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	tokenFile := filepath.Join(t.TempDir(), "twilio-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(twilioToken+"\n"), 0o600))
	b := setupWith(t, appDatabase(t, d), func(c *devstack.Config) {
		c.Messages.TextProvider, c.Messages.KeywordAnswers = "twilio", false
		c.Messages.TwilioAccountSID, c.Messages.TwilioAuthTokenRef = twilioSID, "file:"+tokenFile
		c.Messages.TwilioFrom, c.Messages.TwilioBaseURL = "+15125550999", srv.URL
	})
	ctx := context.Background()
	waitRouted(t, b)
	alice := bearer(b.token(t, "alice"))
	itemID, version := textableItem(t, b)

	next := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	res := b.api.Do("POST", "/api/v1/work/items/"+itemID+"/messages",
		fmt.Sprintf(`{"channel":"text","template":"recall_due","next_contact_at":%q,"version":%d}`, next, version), alice...)
	require.Equal(t, 201, res.Code, string(res.Body))
	var sent struct {
		Message struct {
			ID string `json:"id"`
		} `json:"message"`
	}
	res.JSON(t, &sent)
	require.Eventually(t, func() bool { return len(api.sent()) == 1 }, 20*time.Second, 50*time.Millisecond)
	form := api.sent()[0]
	require.Equal(t, "+15125550147", form.Get("To"))
	require.Equal(t, "+15125550999", form.Get("From"))
	require.Contains(t, form.Get("Body"), "Reply STOP to opt out.")
	callback := b.baseURL + "/api/v1/messages/twilio/status?message=" + sent.Message.ID
	require.Equal(t, callback, form.Get("StatusCallback"))

	state := func() string {
		var s string
		require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT state FROM patient_messages WHERE id = $1`,
			Args: []any{sent.Message.ID}, Row: func(r sqldb.Scanner) error { return r.Scan(&s) }}))
		return s
	}
	require.Eventually(t, func() bool { return state() == "sent" }, 10*time.Second, 50*time.Millisecond)

	post := func(target string, params url.Values, signature string) int {
		req, err := http.NewRequest("POST", target, strings.NewReader(params.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if signature != "" {
			req.Header.Set(twilio.SignatureHeader, signature)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	status := url.Values{"MessageSid": {"SM00000000000000000000000000000001"}, "MessageStatus": {"delivered"}, "AccountSid": {twilioSID}}
	require.Equal(t, 403, post(callback, status, ""), "an unsigned callback is refused")
	require.Equal(t, 403, post(callback, status, twilio.Signature("another-token", callback, status)), "a callback signed with another token is refused")
	forged := url.Values{"MessageSid": status["MessageSid"], "MessageStatus": {"failed"}, "AccountSid": {twilioSID}}
	require.Equal(t, 403, post(callback, forged, twilio.Signature(twilioToken, callback, status)), "a signature over other values is refused")
	require.Equal(t, "sent", state())
	require.Contains(t, b.logs.String(), "text provider callback refused")
	require.NotContains(t, b.logs.String(), "SM00000000000000000000000000000001", "the refused callback's values stay out of the log")
	require.Equal(t, 204, post(callback, status, twilio.Signature(twilioToken, callback, status)))
	require.Equal(t, "delivered", state())

	inbound := b.baseURL + "/api/v1/messages/twilio/inbound"
	stop := url.Values{"MessageSid": {"SM00000000000000000000000000000099"}, "From": {"+15125550147"}, "To": {"+15125550999"}, "Body": {"STOP"}}
	require.Equal(t, 403, post(inbound, stop, ""))
	require.Equal(t, 200, post(inbound, stop, twilio.Signature(twilioToken, inbound, stop)))
	var optedOut int
	require.NoError(t, b.stack.DB.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT COUNT(*) FROM message_optouts WHERE channel = 'text' AND address = '+15125550147'`,
		Row: func(r sqldb.Scanner) error { return r.Scan(&optedOut) }}))
	require.Equal(t, 1, optedOut)
	time.Sleep(300 * time.Millisecond)
	require.Len(t, api.sent(), 1, "Twilio answers STOP itself; Backdesk sends nothing more")
}

// textableItem readies one of alice's balance items for a text: the
// patient has a number and agreed to texts, and quiet hours are away from
// now. It returns the item and its version.
func textableItem(t *testing.T, b bundle) (string, int) {
	t.Helper()
	ctx := context.Background()
	pat := bearer(b.token(t, "pat"))
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
	b.api.Do("GET", "/api/v1/work/queue?kind=balance_followup", "", bearer(b.token(t, "alice"))...).JSON(t, &queue)
	require.NotEmpty(t, queue.Items)
	item := queue.Items[0]
	require.NoError(t, b.stack.DB.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE patients SET phone = '+15125550147', email = 'rosa@example.com', text_consent = TRUE, do_not_contact = FALSE
WHERE id = (SELECT patient_id FROM work_items WHERE id = $1)`, item.ItemID)
		return err
	}))
	return item.ItemID, item.Version
}
