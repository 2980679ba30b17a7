package accessstore_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/accessstore"
	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/roster"
	"github.com/backdesk/backdesk/pkg/roster/rosterstore"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The facts a decision rests on are read as stored: a practice's status
// and its second-factor rule, the live grants that name a person or one
// of its teams in that practice, the person's open items for the patient
// and its break-glass sessions. What belongs to someone else, another
// practice, a revoked grant or a closed item is left out.
func TestFactsAreReadAsStored(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
		exec := func(practiceID, q string, args ...any) {
			t.Helper()
			require.NoError(t, db.Tx(sqldb.WithPractice(ctx, practiceID), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, q, args...)
				return err
			}))
		}
		for _, p := range []struct {
			id, status string
			mfa        bool
		}{{"pA", "active", false}, {"pB", "suspended", true}} {
			exec(p.id, `INSERT INTO practices (id, name, npi, timezone, status, require_mfa, created_at, updated_at)
VALUES ($1, $1, $1, 'UTC', $2, $3, $4, $4)`, p.id, p.status, p.mfa, now)
			exec(p.id, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
VALUES ($1, $2, 'E1', 'Ana', 'Lee', '1980-01-01', $3, $3)`, "pt-"+p.id, p.id, now)
		}
		r := roster.NewService(rosterstore.New(db, auditstore.New(db)))
		user := func(sub string) string {
			id, err := r.EnsureUser(ctx, "https://idp.test", sub, sub, "", now)
			require.NoError(t, err)
			return id
		}
		alice, bob := user("alice"), user("bob")
		for _, id := range []string{alice, bob} {
			require.NoError(t, r.PutAgent(ctx, audit.Event{Actor: audit.SystemActor}, roster.Agent{UserID: id, DisplayName: id, Active: true}, now))
		}
		team, err := r.CreateTeam(ctx, audit.Event{Actor: audit.SystemActor}, "East", now)
		require.NoError(t, err)
		require.NoError(t, r.AddMember(ctx, audit.Event{Actor: audit.SystemActor}, team.ID, alice, now))

		grant := func(id, practiceID, granteeType, granteeID string, revoked bool) {
			var revokedAt any
			if revoked {
				revokedAt = now
			}
			exec(practiceID, `INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, purpose, reason,
granted_by, valid_from, valid_until, review_due_at, revoked_at, created_at, version)
VALUES ($1, $2, $3, $4, '["recare"]', '["identity","recalls"]', 'payment', 'reason', 'someone', $5, $6, $7, $8, $5, 1)`,
				id, practiceID, granteeType, granteeID, now, now.AddDate(0, 0, 90), now.AddDate(0, 0, 30), revokedAt)
		}
		grant("g-team", "pA", "team", team.ID, false)
		grant("g-direct", "pA", "agent", alice, false)
		grant("g-revoked", "pA", "agent", alice, true)
		grant("g-bob", "pA", "agent", bob, false)
		grant("g-other", "pB", "agent", alice, false)

		item := func(id, practiceID, owner, state string) {
			exec(practiceID, `INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, state, owner_id, due_at, created_at, updated_at)
VALUES ($1, $2, $3, 'recare', 'recall', $1, $4, $5, $6, $6, $6)`, id, practiceID, "pt-"+practiceID, state, owner, now)
		}
		item("w-open", "pA", alice, "in_progress")
		item("w-resolved", "pA", alice, "resolved")
		item("w-bob", "pA", bob, "assigned")
		exec("pA", `INSERT INTO break_glass (id, practice_id, patient_id, user_id, reason, opened_at, expires_at)
VALUES ('bg-1', 'pA', 'pt-pA', $1, 'patient on the phone about a charge', $2, $3)`, alice, now, now.Add(15*time.Minute))

		s := accessstore.New(db)
		pf, err := s.Practice(ctx, "pB")
		require.NoError(t, err)
		require.Equal(t, access.PracticeFacts{Status: "suspended", RequireMFA: true}, pf)
		pf, err = s.Practice(ctx, "no-such-practice")
		require.NoError(t, err)
		require.Equal(t, access.PracticeFacts{}, pf, "a practice that does not exist has no status")

		gs, err := s.GrantsFor(ctx, alice, "pA")
		require.NoError(t, err)
		ids := map[string]access.GrantFact{}
		for _, g := range gs {
			ids[g.ID] = g
		}
		require.Len(t, ids, 2, "the team's grant and her own, not the revoked one, bob's or another practice's: %v", ids)
		g := ids["g-team"]
		require.Equal(t, access.GrantFact{ID: "g-team", PracticeID: "pA", Kinds: []policy.Kind{policy.Recare},
			FieldGroups: []access.FieldGroup{access.GroupIdentity, access.GroupRecalls}, ValidFrom: now,
			ValidUntil: now.AddDate(0, 0, 90), ReviewDueAt: now.AddDate(0, 0, 30)}, g)
		require.Contains(t, ids, "g-direct")

		items, err := s.OwnedItems(ctx, alice, "pA", "pt-pA")
		require.NoError(t, err)
		require.Equal(t, []access.OwnedItem{{ID: "w-open", PatientID: "pt-pA", Kind: policy.Recare}}, items)

		bgs, err := s.BreakGlassFor(ctx, alice, "pA", "pt-pA")
		require.NoError(t, err)
		require.Equal(t, []access.BreakGlassFact{{ID: "bg-1", PracticeID: "pA", PatientID: "pt-pA", UserID: alice,
			ExpiresAt: now.Add(15 * time.Minute)}}, bgs)
		none, err := s.BreakGlassFor(ctx, bob, "pA", "pt-pA")
		require.NoError(t, err)
		require.Empty(t, none)
	})
}
