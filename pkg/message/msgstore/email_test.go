package msgstore_test

import (
	"context"
	"io"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/email"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// inbox is a real SMTP server on loopback that keeps what it is given.
type inbox struct {
	mu   sync.Mutex
	mail [][]byte
}

type inboxSession struct{ in *inbox }

func (s inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s inboxSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s inboxSession) Reset()                               {}
func (s inboxSession) Logout() error                        { return nil }
func (s inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.in.mu.Lock()
	s.in.mail = append(s.in.mail, b)
	s.in.mu.Unlock()
	return err
}

func startInbox(t *testing.T) (*inbox, email.Config) {
	in := &inbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return inboxSession{in}, nil }))
	srv.Domain, srv.AllowInsecureAuth = "127.0.0.1", true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return in, email.Config{Host: host, Port: p, TLS: email.TLSNone, From: "office@maple.example", FromName: "Maple Dental"}
}

// An e-mail from an item goes over SMTP with the one-click unsubscribe
// headers (RFC 8058) and no more about the patient than the template
// allows; the unsubscribe link opts the address out at once.
func TestEmailGoesOverSMTPAndUnsubscribes(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		in, cfg := startInbox(t)
		sender, err := email.New(cfg)
		require.NoError(t, err)
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		w.svc = message.New(message.Deps{DB: db, Store: w.cadence, Outcomes: w.desk, Profiles: rules{contact: policy.DefaultContactRules()},
			Providers: map[message.Channel]message.Provider{message.Email: message.EmailProvider{Sender: sender}},
			PublicURL: "https://backdesk.example.com", Now: func() time.Time { return w.now }})
		ctx := context.Background()
		m, _, err := w.send(t, message.Email, 1)
		require.NoError(t, err)
		w.deliverAll(t)
		require.Len(t, in.mail, 1)
		msg, err := mail.ReadMessage(strings.NewReader(string(in.mail[0])))
		require.NoError(t, err)
		require.Equal(t, "<List-Unsubscribe=One-Click>", "<"+msg.Header.Get("List-Unsubscribe-Post")+">")
		unsub := regexp.MustCompile(`<(https://backdesk\.example\.com/m/unsubscribe/[A-Za-z0-9_-]+)>`).FindStringSubmatch(msg.Header.Get("List-Unsubscribe"))
		require.Len(t, unsub, 2, msg.Header.Get("List-Unsubscribe"))
		require.Contains(t, msg.Header.Get("Message-Id"), m.ID)
		body, err := io.ReadAll(msg.Body)
		require.NoError(t, err)
		text := string(body)
		require.Contains(t, text, "Rosa")
		require.Contains(t, text, "Maple Dental")
		for _, phi := range []string{"Diaz", "1980", "$", "rosa@example.com"} {
			require.NotContains(t, text, phi, "the e-mail carries only what the template allows")
		}
		thread, err := w.svc.Store().Thread(ctx, practiceID, itemID)
		require.NoError(t, err)
		require.Equal(t, message.Sent, thread[0].State)

		token := unsub[1][strings.LastIndex(unsub[1], "/")+1:]
		ok, err := w.svc.Unsubscribe(ctx, token)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = w.svc.Unsubscribe(ctx, "not-a-token-of-ours-at-all")
		require.NoError(t, err)
		require.False(t, ok)
		d, err := w.svc.Preview(ctx, ref, itemID, message.Email, "balance_reminder")
		require.NoError(t, err)
		require.False(t, d.Allowed)
		require.Equal(t, "opted_out", d.Rule)
	})
}
