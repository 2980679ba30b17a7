package msgstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/message/sms"
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
	practiceID = "pr-m"
	itemID     = "wi-m"
	agent      = "agent-m"
	phone      = "+15125550147"
)

// rules gives one practice's rules and profile, with the defaults.
type rules struct{ contact policy.ContactRules }

func (r rules) policies() practice.Policies {
	p := practice.Policies{Kinds: map[policy.Kind]policy.Policy{}, Contact: r.contact}
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

// seed writes a practice, a patient who agreed to texts and a balance
// item the agent is working.
func seed(t *testing.T, db *sqldb.DB) {
	exec(t, db, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'Maple Dental', '1', 'America/Denver', 'active', $2, $2)`, practiceID, t0)
	exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, phone, email, text_consent, created_at, updated_at)
VALUES ('pt-m', $1, 'E1', 'Rosa', 'Diaz', '1980-01-01', $2, 'rosa@example.com', true, $3, $3)`, practiceID, phone, t0)
	exec(t, db, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, priority, due_at, created_at, updated_at)
VALUES ($1, $2, 'pt-m', 'balance_followup', 'balance', 'b1', 'in_progress', $3, 1, $4, $4, $4)`, itemID, practiceID, agent, t0)
}

type world struct {
	db      *sqldb.DB
	svc     *message.Service
	desk    *work.Desk
	cadence *msgstore.Store
	now     time.Time
}

func newWorld(t *testing.T, db *sqldb.DB, r rules) *world {
	seed(t, db)
	w := &world{db: db, now: t0}
	clock := func() time.Time { return w.now }
	w.desk = work.NewDesk(workstore.New(db, auditstore.New(db)), r, clock)
	w.cadence = msgstore.New(db, auditstore.New(db))
	w.svc = message.New(message.Deps{DB: db, Store: w.cadence, Cadence: w.cadence, Outcomes: w.desk, Profiles: r,
		Providers: map[message.Channel]message.Provider{message.Text: message.DevOutbox{}, message.Email: message.DevOutbox{}},
		PublicURL: "https://backdesk.example.com", KeywordAnswers: true, Now: clock})
	return w
}

var ref = work.Ref{PracticeID: practiceID, PatientID: "pt-m", Kind: policy.BalanceFollowup}

func by() audit.Event {
	return audit.Event{Actor: audit.Actor{Issuer: "iss", Subject: agent, Role: "agent"}}
}

func (w *world) send(t *testing.T, ch message.Channel, version int) (message.Message, int, error) {
	t.Helper()
	next := w.now.Add(72 * time.Hour)
	return w.svc.Send(context.Background(), ref, itemID, agent, message.SendInput{Channel: ch, Template: "balance_reminder",
		NextContactAt: &next, Version: version}, by())
}

// deliverAll runs the delivery task of every queued message, as the
// messages queue would.
func (w *world) deliverAll(t *testing.T) {
	t.Helper()
	var ids []string
	require.NoError(t, w.db.ReadAll(sqldb.AllPractices(context.Background()), sqldb.Read{
		Query: `SELECT id FROM patient_messages WHERE state = 'queued' ORDER BY id`,
		Row:   func(r sqldb.Scanner) error { var id string; err := r.Scan(&id); ids = append(ids, id); return err }}))
	for _, id := range ids {
		require.NoError(t, w.svc.Deliver(context.Background(), id))
	}
}

func TestSendDeliverReplyAndStop(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		ctx := context.Background()

		d, err := w.svc.Preview(ctx, ref, itemID, message.Text, "balance_reminder")
		require.NoError(t, err)
		require.True(t, d.Allowed, d.Reason)
		require.Contains(t, d.Body, "Hi Rosa, this is Maple Dental.")
		require.Contains(t, d.Body, "(512) 555-0100")
		require.Equal(t, "number ending 0147", d.To)

		m, version, err := w.send(t, message.Text, 1)
		require.NoError(t, err)
		require.Equal(t, 2, version)
		require.Equal(t, message.Queued, m.State)
		require.Regexp(t, `https://backdesk\.example\.com/m/[A-Za-z0-9_-]{32},`, m.Body)

		w.deliverAll(t)
		thread, err := w.svc.Store().Thread(ctx, practiceID, itemID)
		require.NoError(t, err)
		require.Len(t, thread, 1)
		require.Equal(t, message.Delivered, thread[0].State)
		// Delivering again sends nothing: the claim is taken once.
		require.NoError(t, w.svc.Deliver(ctx, m.ID))

		// The send is an activity that counts as a contact, and is audited.
		var channel, outcome string
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT channel, outcome FROM activities WHERE work_item_id = $1`,
			Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&channel, &outcome) }}))
		require.Equal(t, "text sent", channel+" "+outcome)
		actions := testenv.AuditActions(t, db, auditstore.Query{PracticeID: practiceID})
		require.Contains(t, actions, audit.ActionMessageSend)
		require.Contains(t, actions, audit.ActionMessageStatus)

		// "Yes" from a number that never opted out is an answer, not a
		// change of consent.
		got, err := w.svc.Receive(ctx, sms.Inbound{ProviderID: "SM0", From: phone, To: "+15125559999", Body: "Yes"})
		require.NoError(t, err)
		require.Equal(t, sms.NoKeyword, got.Keyword)

		// The patient replies: it is threaded with the item, which comes
		// back to its owner from waiting.
		got, err = w.svc.Receive(ctx, sms.Inbound{ProviderID: "SM1", From: phone, To: "+15125559999", Body: "Can I pay on Friday?"})
		require.NoError(t, err)
		require.True(t, got.Found)
		require.Equal(t, itemID, got.WorkItemID)
		var state string
		var replied sql.NullTime
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT state, replied_at FROM work_items WHERE id = $1`,
			Args: []any{itemID}, Row: func(r sqldb.Scanner) error { return r.Scan(&state, &replied) }}))
		require.Equal(t, "assigned", state)
		require.True(t, replied.Valid)
		// The provider's retry of the same text changes nothing.
		_, err = w.svc.Receive(ctx, sms.Inbound{ProviderID: "SM1", From: phone, To: "+15125559999", Body: "Can I pay on Friday?"})
		require.NoError(t, err)
		thread, err = w.svc.Store().Thread(ctx, practiceID, itemID)
		require.NoError(t, err)
		require.Len(t, thread, 3)

		// STOP opts the number out at once, with the answer carriers need.
		_, err = w.svc.Receive(ctx, sms.Inbound{ProviderID: "SM2", From: phone, To: "+15125559999", Body: " Stop "})
		require.NoError(t, err)
		w.deliverAll(t)
		thread, err = w.svc.Store().Thread(ctx, practiceID, itemID)
		require.NoError(t, err)
		last := thread[len(thread)-1]
		require.Equal(t, message.Delivered, last.State)
		require.Contains(t, last.Body, "you will no longer receive texts")

		// The agent's next text is refused, naming the rule.
		_, _, err = w.send(t, message.Text, 3)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "opted_out", ae.Code)
		require.Equal(t, "channel", ae.Field)

		// START opts back in.
		_, err = w.svc.Receive(ctx, sms.Inbound{ProviderID: "SM3", From: phone, To: "+15125559999", Body: "START"})
		require.NoError(t, err)
		d, err = w.svc.Preview(ctx, ref, itemID, message.Text, "balance_reminder")
		require.NoError(t, err)
		require.True(t, d.Allowed, d.Reason)
		actions = testenv.AuditActions(t, db, auditstore.Query{PracticeID: practiceID})
		require.Contains(t, actions, audit.ActionMessageOptOut)
		require.Contains(t, actions, audit.ActionMessageOptIn)
		require.Contains(t, actions, audit.ActionMessageReceive)
	})
}
