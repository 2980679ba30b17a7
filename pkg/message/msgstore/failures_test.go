package msgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/message/msgstore"
	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// flaky answers with err until told otherwise, then takes messages.
type flaky struct {
	err   error
	taken int
}

func (f *flaky) Deliver(context.Context, message.Delivery) (message.Receipt, error) {
	if f.err != nil {
		return message.Receipt{}, f.err
	}
	f.taken++
	return message.Receipt{ProviderID: fmt.Sprintf("SM%d", f.taken)}, nil
}

func (w *world) state(t *testing.T, id string) (string, string) {
	var state, why string
	require.NoError(t, w.db.ReadAll(sqldb.AllPractices(context.Background()), sqldb.Read{Query: `SELECT state, error FROM patient_messages WHERE id = $1`,
		Args: []any{id}, Row: func(r sqldb.Scanner) error { return r.Scan(&state, &why) }}))
	return state, why
}

// A provider that is down puts a message off, with why, and it goes once
// the provider is back; a practice past its rate is put off to the next
// minute; a provider that refuses fails it, and the practice admin's
// problems list it with the patient's name.
func TestDeliveriesPutOffAndRefused(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		p := &flaky{err: &sms.Error{Retry: true, Reason: "Twilio could not be reached"}}
		w.svc = message.New(message.Deps{DB: db, Store: w.cadence, Outcomes: w.desk, Profiles: rules{contact: policy.DefaultContactRules()},
			Providers: map[message.Channel]message.Provider{message.Text: p}, Now: func() time.Time { return w.now }})
		ctx := context.Background()
		exec(t, db, `INSERT INTO message_settings (practice_id, per_minute, updated_at) VALUES ($1, 1, $2)`, practiceID, t0)

		m, version, err := w.send(t, message.Text, 1)
		require.NoError(t, err)
		err = w.svc.Deliver(ctx, m.ID)
		require.Error(t, err)
		state, why := w.state(t, m.ID)
		require.Equal(t, "queued", state)
		require.Contains(t, why, "could not be reached")

		p.err = nil
		w.now = w.now.Add(time.Minute)
		require.NoError(t, w.svc.Deliver(ctx, m.ID))
		state, _ = w.state(t, m.ID)
		require.Equal(t, "sent", state)
		require.NoError(t, w.svc.Deliver(ctx, m.ID), "a second run of the task sends nothing")
		require.Equal(t, 1, p.taken)

		m2, _, err := w.send(t, message.Text, version)
		require.NoError(t, err)
		err = w.svc.Deliver(ctx, m2.ID)
		var later *message.RetryAfter
		require.ErrorAs(t, err, &later, "one a minute: the second waits")
		require.Greater(t, later.Wait, time.Duration(0))
		state, _ = w.state(t, m2.ID)
		require.Equal(t, "queued", state)

		p.err = &sms.Error{Reason: "the recipient's number cannot receive texts", Err: sms.ErrInvalidNumber}
		w.now = w.now.Add(time.Minute)
		require.NoError(t, w.svc.Deliver(ctx, m2.ID))
		state, why = w.state(t, m2.ID)
		require.Equal(t, "failed", state)
		require.Contains(t, why, "cannot receive texts")

		problems, err := msgstore.New(db, nil).Problems(ctx, practiceID, t0.Add(-time.Hour), w.now)
		require.NoError(t, err)
		require.Len(t, problems.Failures, 1)
		require.Equal(t, "Rosa Diaz", problems.Failures[0].PatientName)
	})
}

// A sending number belongs to one practice: another practice's admin
// cannot take it, so replies and STOPs to it cannot go astray.
func TestASendingNumberBelongsToOnePractice(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		seed(t, db)
		require.NoError(t, db.Tx(sqldb.AllPractices(context.Background()), func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ('pr-other', 'Other', '2', 'UTC', 'active', $1, $1)`, t0)
			return err
		}))
		admin := message.NewAdmin(db, msgstore.New(db, auditstore.New(db)), rules{contact: policy.DefaultContactRules()}, func() time.Time { return t0 })
		ctx := context.Background()
		require.NoError(t, admin.PutSettings(ctx, practiceID, message.Settings{TextFrom: "+15125550999", PerMinute: 30}, by()))
		err := admin.PutSettings(ctx, "pr-other", message.Settings{TextFrom: "+15125550999", PerMinute: 30}, by())
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Equal(t, "text_from", ae.Field)
		require.NoError(t, admin.PutSettings(ctx, "pr-other", message.Settings{PerMinute: 30}, by()), "no number of its own is fine")
	})
}
