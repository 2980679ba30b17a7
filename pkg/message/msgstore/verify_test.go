package msgstore_test

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// linkRE finds the verify link's token in a message as sent.
var linkRE = regexp.MustCompile(`/m/([A-Za-z0-9_-]{32})`)

// sentLink sends the balance reminder and returns its link's token.
func (w *world) sentLink(t *testing.T, version int) (message.Message, string) {
	t.Helper()
	m, _, err := w.send(t, message.Text, version)
	require.NoError(t, err)
	found := linkRE.FindStringSubmatch(m.Body)
	require.Len(t, found, 2, "the message carries its link")
	return m, found[1]
}

// from is where a try comes from, as the HTTP layer has it.
func from() audit.Event {
	return audit.Event{Actor: audit.Actor{IP: "203.0.113.9", UserAgent: "test"}, RequestID: "req-1"}
}

// The page of a message's link: it asks before it shows anything, counts
// wrong dates, locks after the last try, and audits every try without
// the date entered, the date on file or the token.
func TestLinkAsksThenShowsOrLocks(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		ctx := context.Background()
		m, token := w.sentLink(t, 1)

		// An unknown token, or something that is no token at all, reads
		// the same as any link that does not work; nothing is recorded.
		for _, tok := range []string{strings.Repeat("A", 32), "short", "../../etc", token + "x"} {
			p, err := w.svc.OpenLink(ctx, tok)
			require.NoError(t, err)
			require.Equal(t, message.LinkPage{State: message.LinkUnknown}, p)
			p, err = w.svc.VerifyLink(ctx, tok, "1980-01-01", from())
			require.NoError(t, err)
			require.Equal(t, message.LinkPage{State: message.LinkUnknown}, p)
		}
		require.Empty(t, linkEvents(t, db))

		// The link asks, and says nothing else.
		p, err := w.svc.OpenLink(ctx, token)
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkAsk, TriesLeft: message.LinkTries}, p)

		// What is not a date is not a try.
		p, err = w.svc.VerifyLink(ctx, token, "", from())
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkAsk, Problem: message.ProblemInvalid, TriesLeft: message.LinkTries}, p)
		require.Empty(t, linkEvents(t, db))

		// The right date shows what the message was about, in words.
		p, err = w.svc.VerifyLink(ctx, token, "1980-01-01", from())
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkVerified, TriesLeft: message.LinkTries, PracticeName: "Maple Dental",
			PracticePhone: "(512) 555-0100", PracticeTel: "+15125550100", FirstName: "Rosa", About: "a balance on your account"}, p)
		var used sql.NullTime
		require.NoError(t, db.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT used_at FROM message_links WHERE token_hash = $1`,
			Args: []any{message.HashToken(token)}, Row: func(r sqldb.Scanner) error { return r.Scan(&used) }}))
		require.True(t, used.Valid)
		require.True(t, used.Time.Equal(t0), used.Time)

		// Five wrong dates lock it; the last says so at once.
		for i := 1; i <= message.LinkTries; i++ {
			p, err = w.svc.VerifyLink(ctx, token, "1980-01-02", from())
			require.NoError(t, err)
			require.Empty(t, p.PracticeName+p.FirstName+p.About+p.PracticePhone, "a mismatch shows nothing")
			if i < message.LinkTries {
				require.Equal(t, message.LinkPage{State: message.LinkAsk, Problem: message.ProblemMismatch, TriesLeft: message.LinkTries - i}, p)
			} else {
				require.Equal(t, message.LinkLocked, p.State)
			}
		}
		// Locked, even with the right date.
		p, err = w.svc.VerifyLink(ctx, token, "1980-01-01", from())
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkLocked}, p)
		p, err = w.svc.OpenLink(ctx, token)
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkLocked}, p)

		// Every try is audited, with its outcome and code.
		evs := linkEvents(t, db)
		var got []string
		for _, s := range evs {
			e := s.Event
			got = append(got, string(e.Outcome)+" "+e.Reason)
			require.Equal(t, audit.TargetMessage, e.TargetType)
			require.Equal(t, m.ID, e.TargetID)
			require.Equal(t, practiceID, e.PracticeID)
			require.Equal(t, []string{"pt-m"}, e.PatientIDs)
			require.Equal(t, itemID, e.WorkItemID)
			require.Equal(t, audit.LinkHolder.Subject, e.Actor.Subject)
			require.Equal(t, "203.0.113.9", e.Actor.IP)
			require.Equal(t, "req-1", e.RequestID)
		}
		require.Equal(t, []string{"allow verified", "deny mismatch", "deny mismatch", "deny mismatch", "deny mismatch", "deny mismatch", "deny locked"}, got)
		require.Equal(t, map[string]int{"failures": 5}, evs[5].Event.Counts)
		require.Equal(t, []string{"first_name", "work_item_kind"}, evs[0].Event.Fields)

		// No date of birth, entered or on file, and no token, in any
		// audit row of the practice.
		for _, s := range testenv.AuditEvents(t, db, auditstore.Query{PracticeID: practiceID}) {
			for _, secret := range []string{"1980-01-01", "1980-01-02", "01/01/1980", token, message.HashToken(token)} {
				require.NotContains(t, s.Body, secret, "audit event %s", s.Event.Action)
			}
		}
	})
}

// A link whose time is up reads like an unknown one; a try at it is
// recorded as such, and changes nothing.
func TestExpiredLinkDoesNotWork(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		ctx := context.Background()
		_, token := w.sentLink(t, 1)
		w.now = t0.Add(message.LinkLife + time.Second)

		p, err := w.svc.OpenLink(ctx, token)
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkUnknown}, p)
		p, err = w.svc.VerifyLink(ctx, token, "1980-01-01", from())
		require.NoError(t, err)
		require.Equal(t, message.LinkPage{State: message.LinkUnknown}, p)

		evs := linkEvents(t, db)
		require.Len(t, evs, 1)
		require.Equal(t, audit.OutcomeDeny, evs[0].Event.Outcome)
		require.Equal(t, "expired", evs[0].Event.Reason)
		var used sql.NullTime
		var failures int
		require.NoError(t, db.ReadAll(sqldb.AllPractices(ctx), sqldb.Read{Query: `SELECT used_at, failures FROM message_links WHERE token_hash = $1`,
			Args: []any{message.HashToken(token)}, Row: func(r sqldb.Scanner) error { return r.Scan(&used, &failures) }}))
		require.False(t, used.Valid)
		require.Zero(t, failures)
	})
}

// The words for each kind of item name no amount, procedure or diagnosis.
func TestAboutEachKind(t *testing.T) {
	want := map[policy.Kind]string{
		policy.BalanceFollowup:   "a balance on your account",
		policy.Recare:            "your next checkup",
		policy.TreatmentFollowup: "treatment your dentist recommended",
		policy.ClaimFollowup:     "a detail about your dental insurance",
		policy.EligibilityCheck:  "a detail about your dental insurance",
	}
	for _, k := range policy.Kinds {
		require.Equal(t, want[k], message.About(k), k)
	}
	require.Equal(t, "your care at the practice", message.About(""))
}

// The three fields make a date only when they are a real one.
func TestBirthDate(t *testing.T) {
	now := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		m, d, y, want string
	}{
		{"1", "1", "1980", "1980-01-01"},
		{" 03 ", "27", "1984", "1984-03-27"},
		{"2", "29", "2000", "2000-02-29"},
		{"2", "29", "2001", ""},
		{"13", "1", "1980", ""},
		{"0", "1", "1980", ""},
		{"1", "32", "1980", ""},
		{"1", "1", "80", ""},
		{"1", "1", "2027", ""},
		{"1", "1", "1899", ""},
		{"-1", "1", "1980", ""},
		{"1", "1", "+980", ""},
		{"", "", "", ""},
	} {
		got, ok := message.BirthDate(c.m, c.d, c.y, now)
		require.Equal(t, c.want, got, "%q %q %q", c.m, c.d, c.y)
		require.Equal(t, c.want != "", ok)
	}
	require.True(t, message.SameBirthDate("1980-01-01", "1980-01-01"))
	require.True(t, message.SameBirthDate(" 1980-01-01 ", "1980-01-01"))
	require.False(t, message.SameBirthDate("1980-01-01", "1980-01-02"))
	require.False(t, message.SameBirthDate("", ""))
	require.False(t, message.SameBirthDate("not a date", "not a date"))
}

// linkEvents are the audited tries at links' pages, oldest first.
func linkEvents(t *testing.T, db *sqldb.DB) []auditstore.Stored {
	t.Helper()
	return testenv.AuditEvents(t, db, auditstore.Query{Action: string(audit.ActionMessageLinkOpen)})
}

// Tries that arrive together are counted one at a time: however many
// come at once, no more than LinkTries are checked against the date on
// file.
func TestLinkTriesAtOnceCountOneByOne(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db, rules{contact: policy.DefaultContactRules()})
		ctx := context.Background()
		_, token := w.sentLink(t, 1)
		const n = 2 * message.LinkTries
		states := make(chan message.LinkState, n)
		errs := make(chan error, n)
		for range n {
			go func() {
				p, err := w.svc.VerifyLink(ctx, token, "1980-01-02", from())
				states <- p.State
				errs <- err
			}()
		}
		locked := 0
		for range n {
			require.NoError(t, <-errs)
			if <-states == message.LinkLocked {
				locked++
			}
		}
		require.Equal(t, n-message.LinkTries+1, locked)
		reasons := map[string]int{}
		for _, s := range linkEvents(t, db) {
			reasons[s.Event.Reason]++
		}
		require.Equal(t, map[string]int{"mismatch": message.LinkTries, "locked": n - message.LinkTries}, reasons)
		p, err := w.svc.VerifyLink(ctx, token, "1980-01-01", from())
		require.NoError(t, err)
		require.Equal(t, message.LinkLocked, p.State)
	})
}
