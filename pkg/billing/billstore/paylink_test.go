package billstore_test

import (
	"context"
	"database/sql"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/billing/billstore"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/payment"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/work"
	"github.com/backdesk/backdesk/pkg/work/workstore"
	"github.com/stretchr/testify/require"
)

// t0 is a Wednesday afternoon in Denver, outside quiet hours.
var t0 = time.Date(2026, 3, 4, 20, 0, 0, 0, time.UTC)

const (
	practiceID = "pr-b"
	itemID     = "wi-b"
	agent      = "agent-b"
	public     = "https://backdesk.example.com"
)

type rules struct{}

func (rules) policies() practice.Policies {
	p := practice.Policies{Kinds: map[policy.Kind]policy.Policy{}, Contact: policy.DefaultContactRules()}
	for _, k := range policy.Kinds {
		p.Kinds[k] = policy.Default(k)
	}
	return p
}

func (r rules) Rules(context.Context, string) (practice.Policies, string, error) {
	return r.policies(), "America/Denver", nil
}

func (r rules) Profile(context.Context, string) (practice.Profile, error) {
	return practice.Profile{Practice: practice.Practice{ID: practiceID, Name: "Maple Dental", Timezone: "America/Denver"},
		Policies: r.policies(), Phone: "+15125550100"}, nil
}

func exec(t *testing.T, db *sqldb.DB, q string, args ...any) {
	t.Helper()
	require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), practiceID), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(context.Background(), q, args...)
		return err
	}))
}

type world struct {
	db   *sqldb.DB
	svc  *billing.Service
	dev  *payment.DevProvider
	now  time.Time
	tok  string
	item work.Ref
	desk *work.Desk
}

// newWorld seeds a practice, a patient who agreed to texts, a balance of
// $240.00 (half of it over 90 days old) and its follow-up, which the
// agent is working; and sends the payment link by text.
func newWorld(t *testing.T, db *sqldb.DB) *world {
	exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'Maple Dental', '1', 'America/Denver', 'active', $2, $2)`, practiceID, t0)
	exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, phone, text_consent, created_at, updated_at)
VALUES ('pt-b', $1, 'E1', 'Rosa', 'Diaz', '1980-02-03', '+15125550147', true, $2, $2)`, practiceID, t0)
	exec(t, db, `INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, aged_0_30_cents, aged_over_90_cents, created_at, updated_at)
VALUES ('bal-b', $1, 'pt-b', 'A-1001', 24000, 12000, 12000, $2, $2)`, practiceID, t0)
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at)
VALUES ($1, $2, 'pt-b', 'balance_followup', 'balance', 'bal-b', 'in_progress', $3, 1, $4, $4, $4)`, itemID, practiceID, agent, t0)
	w := &world{db: db, now: t0, item: work.Ref{PracticeID: practiceID, PatientID: "pt-b", Kind: policy.BalanceFollowup}}
	clock := func() time.Time { return w.now }
	trail := auditstore.New(db)
	desk := work.NewDesk(workstore.New(db, trail), rules{}, clock)
	w.desk = desk
	msgs := message.New(message.Deps{DB: db, Store: msgstore.New(db, trail), Outcomes: desk, Profiles: rules{},
		Providers: map[message.Channel]message.Provider{message.Text: message.DevOutbox{}}, PublicURL: public, Now: clock})
	dev, err := payment.NewDevProvider(public, clock)
	require.NoError(t, err)
	w.dev = dev
	w.svc = billing.New(billing.Deps{Store: billstore.New(db, trail), Messages: msgs, Profiles: rules{}, Provider: dev,
		ProviderName: "dev", PublicURL: public, Now: clock})
	next := t0.Add(72 * time.Hour)
	m, _, err := w.svc.SendLink(context.Background(), w.item, itemID, agent, message.SendInput{Channel: message.Text, NextContactAt: &next, Version: 1},
		audit.Event{Actor: audit.Actor{Issuer: "iss", Subject: agent, Role: "agent"}})
	require.NoError(t, err)
	require.Equal(t, "payment_link", m.TemplateKey)
	found := regexp.MustCompile(`https://backdesk\.example\.com/m/pay/([A-Za-z0-9_-]{22})`).FindStringSubmatch(m.Body)
	require.Len(t, found, 2, "the text carries the payment link's page")
	w.tok = found[1]
	return w
}

func (w *world) balance(t *testing.T) (total, over90, recent int64, itemState string) {
	require.NoError(t, w.db.ReadAll(sqldb.WithPractice(context.Background(), practiceID), sqldb.Read{
		Query: `SELECT b.total_cents, b.aged_over_90_cents, b.aged_0_30_cents, w.state FROM balances b JOIN work_items w ON w.subject_id = b.id WHERE b.id = 'bal-b'`,
		Row:   func(r sqldb.Scanner) error { return r.Scan(&total, &over90, &recent, &itemState) }}))
	return
}

var patient = audit.Event{Actor: audit.Actor{Issuer: "backdesk", Subject: "link-holder", Role: "patient"}}

// The pay-by-link loop: the page shows nothing before the date of birth;
// a wrong date counts; the right one shows the amount; a checkout needs a
// recent verification; a partial payment lowers the balance, oldest part
// first, and brings the follow-up back to its owner; the event applied
// again changes nothing; the rest paid resolves the follow-up and closes
// the link.
func TestPayByLink(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		page, err := w.svc.Open(ctx, w.tok)
		require.NoError(t, err)
		require.Equal(t, billing.Page{State: billing.PageAsk, TriesLeft: billing.Tries}, page, "nothing before the date of birth")
		page, err = w.svc.Open(ctx, "no-such-token-of-ours-anywhere")
		require.NoError(t, err)
		require.Equal(t, billing.PageUnknown, page.State)

		_, err = w.svc.Checkout(ctx, w.tok, 5000, patient)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae, "no checkout before the date of birth")
		require.Equal(t, "verify_again", ae.Code)

		page, err = w.svc.Verify(ctx, w.tok, "1980-03-02", patient)
		require.NoError(t, err)
		require.Equal(t, "mismatch", page.Problem)
		require.Equal(t, billing.Tries-1, page.TriesLeft)
		require.Zero(t, page.AmountCents)
		page, err = w.svc.Verify(ctx, w.tok, "1980-02-03", patient)
		require.NoError(t, err)
		require.Equal(t, billing.PageVerified, page.State)
		require.Equal(t, int64(24000), page.AmountCents)
		require.Equal(t, "Maple Dental", page.PracticeName)

		_, err = w.svc.Checkout(ctx, w.tok, 30000, patient)
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "amount", ae.Field, "no more than is due")
		url, err := w.svc.Checkout(ctx, w.tok, 15000, patient)
		require.NoError(t, err)
		require.Contains(t, url, public+payment.DevPayPath)
		session := url[len(public+payment.DevPayPath):]
		ev, err := w.dev.Complete(session)
		require.NoError(t, err)
		paid, err := w.svc.Apply(ctx, ev)
		require.NoError(t, err)
		require.True(t, paid.Applied)
		require.Equal(t, int64(9000), paid.BalanceCents)
		total, over90, recent, state := w.balance(t)
		require.Equal(t, []int64{9000, 0, 9000}, []int64{total, over90, recent}, "the oldest part is paid first")
		require.Equal(t, "assigned", state, "the follow-up waiting after the text comes back to its owner")
		again, err := w.svc.Apply(ctx, ev)
		require.NoError(t, err)
		require.False(t, again.Applied, "a repeated event changes nothing")
		total, _, _, _ = w.balance(t)
		require.Equal(t, int64(9000), total)

		w.now = w.now.Add(20 * time.Minute)
		_, err = w.svc.Checkout(ctx, w.tok, 9000, patient)
		require.ErrorAs(t, err, &ae, "a verification is good for 15 minutes")
		_, err = w.svc.Verify(ctx, w.tok, "1980-02-03", patient)
		require.NoError(t, err)
		url, err = w.svc.Checkout(ctx, w.tok, 9000, patient)
		require.NoError(t, err)
		ev, err = w.dev.Complete(url[len(public+payment.DevPayPath):])
		require.NoError(t, err)
		paid, err = w.svc.Apply(ctx, ev)
		require.NoError(t, err)
		require.True(t, paid.Resolved)
		total, _, _, state = w.balance(t)
		require.Equal(t, int64(0), total)
		require.Equal(t, "resolved", state)
		page, err = w.svc.Open(ctx, w.tok)
		require.NoError(t, err)
		require.Equal(t, billing.PagePaid, page.State, "the link is single-use once paid")

		var payments, paidActivities int
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT
(SELECT COUNT(*) FROM payments), (SELECT COUNT(*) FROM activities WHERE outcome = 'paid' AND actor_id = 'system')`,
			Row: func(r sqldb.Scanner) error { return r.Scan(&payments, &paidActivities) }}))
		require.Equal(t, []int{2, 2}, []int{payments, paidActivities})
		actions := testenv.AuditActions(t, db, auditstore.Query{PracticeID: practiceID})
		for _, a := range []audit.Action{billing.ActionLinkCreate, billing.ActionLinkOpen, billing.ActionPaid, audit.ActionMessageSend} {
			require.Contains(t, actions, a)
		}
	})
}

// Five wrong dates lock the link, even for the right date afterwards.
func TestPayLinkLocks(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		for range billing.Tries {
			_, err := w.svc.Verify(ctx, w.tok, "1999-01-01", patient)
			require.NoError(t, err)
		}
		page, err := w.svc.Verify(ctx, w.tok, "1980-02-03", patient)
		require.NoError(t, err)
		require.Equal(t, billing.PageLocked, page.State)
		require.Zero(t, page.AmountCents)
	})
}

// Wrong dates of birth sent at once count no more than the lock allows,
// and the right date after them verifies nothing.
func TestPayLinkLockHoldsUnderParallelTries(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		var wg sync.WaitGroup
		for range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _ = w.svc.Verify(ctx, w.tok, "1999-01-01", patient)
			}()
		}
		wg.Wait()
		var failures int
		require.NoError(t, db.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT failures FROM payment_links`,
			Row: func(r sqldb.Scanner) error { return r.Scan(&failures) }}))
		require.Equal(t, billing.Tries, failures)
		page, err := w.svc.Verify(ctx, w.tok, "1980-02-03", patient)
		require.NoError(t, err)
		require.Equal(t, billing.PageLocked, page.State)
	})
}

// After a part is paid, the link takes no more than what is left.
func TestPayLinkTakesNoMoreThanIsLeft(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		_, err := w.svc.Verify(ctx, w.tok, "1980-02-03", patient)
		require.NoError(t, err)
		url, err := w.svc.Checkout(ctx, w.tok, 20000, patient)
		require.NoError(t, err)
		ev, err := w.dev.Complete(url[len(public+payment.DevPayPath):])
		require.NoError(t, err)
		_, err = w.svc.Apply(ctx, ev)
		require.NoError(t, err)
		page, err := w.svc.Reverified(ctx, w.tok)
		require.NoError(t, err)
		require.Equal(t, int64(4000), page.AmountCents, "what is left")
		_, err = w.svc.Checkout(ctx, w.tok, 24000, patient)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "amount", ae.Field)
		actions := testenv.AuditActions(t, db, auditstore.Query{PracticeID: practiceID})
		require.Contains(t, actions, billing.ActionCheckout, "starting a checkout is a disclosure")
	})
}
