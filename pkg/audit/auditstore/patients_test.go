package auditstore_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// seedPatients makes practice pr with patients, each id, first, last and
// date of birth, within the practice's scope.
func seedPatients(t *testing.T, db *sqldb.DB, pr string, patients ...[4]string) {
	t.Helper()
	ctx := sqldb.WithPractice(context.Background(), pr)
	require.NoError(t, db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO practices (id, name, npi, timezone, status, created_at, updated_at) VALUES ($1, 'P', $1, 'UTC', 'active', $2, $2)`, pr, epoch); err != nil {
			return err
		}
		for _, p := range patients {
			if _, err := tx.ExecContext(ctx, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, $1, $3, $4, $5, $6, $6)`, p[0], pr, p[1], p[2], p[3], epoch); err != nil {
				return err
			}
		}
		return nil
	}))
}

func TestFindPatientsIsAnAuditedRead(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := auditstore.New(db)
		seedPatients(t, db, "pr-a", [4]string{"pt-jane", "Jane", "Roe", "1980-03-04"}, [4]string{"pt-john", "John", "Roe", "1975-01-02"},
			[4]string{"pt-jane2", "Jane", "Roe", "1990-07-08"})
		seedPatients(t, db, "pr-b", [4]string{"pt-other", "Jane", "Roe", "1980-03-04"})
		find := func(l auditstore.PatientLookup, request string) []string {
			t.Helper()
			ev := audit.Event{Actor: audit.Actor{Subject: "carol"}, Action: audit.ActionRead, Outcome: audit.OutcomeAllow, Purpose: "audit_review", RequestID: request}
			ids, err := s.FindPatients(ctx, l, ev)
			require.NoError(t, err)
			return ids
		}
		require.Equal(t, []string{"pt-jane"}, find(auditstore.PatientLookup{PracticeID: "pr-a", LastName: "ROE", FirstName: "jane", DateOfBirth: "1980-03-04"}, "r1"))
		require.Equal(t, []string{"pt-jane", "pt-jane2"}, find(auditstore.PatientLookup{PracticeID: "pr-a", LastName: "Roe", FirstName: "Jane"}, "r2"))
		require.Equal(t, []string{"pt-john"}, find(auditstore.PatientLookup{PracticeID: "pr-a", LastName: "Roe", DateOfBirth: "1975-01-02"}, "r3"))
		require.Equal(t, []string{"pt-other"}, find(auditstore.PatientLookup{PracticeID: "pr-b", LastName: "Roe", FirstName: "Jane"}, "r4"),
			"only within the practice asked for")
		require.Empty(t, find(auditstore.PatientLookup{PracticeID: "pr-a", LastName: "Ro", FirstName: "Jane"}, "r5"), "names match whole")

		// Each lookup left its event, naming the practice and the patients found.
		cur, err := s.Search(ctx, auditstore.Query{Actor: "carol", OldestFirst: true})
		require.NoError(t, err)
		defer cur.Close()
		var got []audit.Event
		for {
			r, ok, err := cur.Next()
			require.NoError(t, err)
			if !ok {
				break
			}
			got = append(got, r.Event)
		}
		require.Len(t, got, 5)
		require.Equal(t, "pr-a", got[1].PracticeID)
		require.Equal(t, []string{"pt-jane", "pt-jane2"}, got[1].PatientIDs)
		require.Equal(t, []string{"patient_id"}, got[1].Fields)
		require.Empty(t, got[4].PatientIDs, "a lookup that found nobody is recorded too")
	})
}
