package workqueue_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/servetest"
)

// webhookClients is how many provider callbacks arrive at once.
const webhookClients = 64

// BenchmarkInboundWebhook posts signed patient replies to the inbound
// webhook from 64 clients at once: each is checked against its
// signature, threaded with the text it answers, audited, and brings its
// item back to its owner. The baseline is the same server's /healthz at
// the same concurrency. p99-ms is per callback.
func BenchmarkInboundWebhook(b *testing.B) {
	for _, d := range testenv.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db, dbURL := testenv.NewDB(b, d)
			const token = "bench-twilio-token"
			tokenFile := filepath.Join(b.TempDir(), "token")
			if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
				b.Fatal(err)
			}
			const public = "https://backdesk.example"
			proc, dom := servetest.OpenWith(b, "workqueue", dbURL, map[string]string{
				"BACKDESK_PUBLIC_URL": public, "BACKDESK_TEXT_PROVIDER": "twilio",
				"BACKDESK_TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef", "BACKDESK_TWILIO_AUTH_TOKEN_REF": "file:" + tokenFile,
				"BACKDESK_TWILIO_FROM": "+15125550999",
			})
			ctx := context.Background()
			p, err := dom.Practices.Create(ctx, practice.NewPractice{Name: "Bench", NPI: "1234567893", Timezone: "UTC"})
			if err != nil {
				b.Fatal(err)
			}
			owner := testenv.OwnerDB(b, db)
			const patients = 500
			seedTexted(b, owner, p.ID, patients)
			if err := catalog.Build(ctx, proc, dom, catalog.Options{}, "workqueue"); err != nil {
				b.Fatal(err)
			}
			h := proc.Engine
			var seq atomic.Int64
			post := func() (time.Duration, error) {
				n := seq.Add(1)
				form := url.Values{"MessageSid": {fmt.Sprintf("SMbench%026d", n)}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
					"From": {fmt.Sprintf("+1512556%04d", n%patients)}, "To": {"+15125550999"}, "Body": {"Is Friday all right?"}}
				target := public + "/api/v1/messages/twilio/inbound"
				req := httptest.NewRequest("POST", "/api/v1/messages/twilio/inbound", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set(twilio.SignatureHeader, twilio.Signature(token, target, form))
				w := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					return 0, fmt.Errorf("inbound: %d %s", w.Code, w.Body.String())
				}
				return time.Since(start), nil
			}
			b.Run("inbound", func(b *testing.B) {
				var mu sync.Mutex
				var lat []time.Duration
				b.ResetTimer()
				testenv.Clients(b, webhookClients, func() error {
					d, err := post()
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
					return err
				})
				b.StopTimer()
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
			})
			b.Run("baseline", func(b *testing.B) {
				testenv.Clients(b, webhookClients, func() error {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
					if w.Code != http.StatusOK {
						return fmt.Errorf("healthz: %d", w.Code)
					}
					return nil
				})
			})
		})
	}
}

// seedTexted writes patients, each with an item of agent-000 waiting
// and a text sent to them, so every reply finds its thread.
func seedTexted(b *testing.B, db *sqldb.DB, practiceID string, n int) {
	b.Helper()
	now := time.Now().UTC()
	err := db.Tx(context.Background(), func(tx *sql.Tx) error {
		for i := range n {
			pt, wi, phone := fmt.Sprintf("pt-t%04d", i), fmt.Sprintf("wi-t%04d", i), fmt.Sprintf("+1512556%04d", i)
			if _, err := tx.Exec(`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, phone, text_consent, created_at, updated_at)
VALUES ($1, $2, $1, 'Sam', 'Lee', '1980-01-01', $3, true, $4, $4)`, pt, practiceID, phone, now); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at, next_contact_at)
VALUES ($1, $2, $3, 'balance_followup', 'balance', $1, 'waiting', 'agent-000', 1, $4, $4, $4, $5)`, wi, practiceID, pt, now, now.AddDate(0, 0, 3)); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO patient_messages (id, practice_id, patient_id, work_item_id, direction, channel, template_key, address, body, state, actor_id, created_at, updated_at)
VALUES ($1, $2, $3, $4, 'out', 'text', 'balance_reminder', $5, 'Hi', 'delivered', 'agent-000', $6, $6)`, "msg-"+wi, practiceID, pt, wi, phone, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
