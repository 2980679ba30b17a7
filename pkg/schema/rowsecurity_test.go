package schema_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

// practiceScoped lists every table row-level security keys by practice.
// Each holds practice_id except practices (its id) and an import's file
// chunks and row errors (through their import).
var practiceScoped = []string{
	"access_requests", "activities", "appointments", "balances", "benefit_summaries", "board_days", "board_depth", "board_due", "break_glass", "claim_remittances", "claim_status_events", "claims", "clearinghouse_files",
	"clearinghouse_inquiries", "clearinghouse_links", "grants", "import_errors", "import_files",
	"imports", "invitations", "locations", "message_links", "message_optouts", "message_settings", "message_templates",
	"patient_messages", "patients", "payment_links", "payment_plans", "payments", "practice_memberships", "practice_policies",
	"practices", "recalls", "statement_runs", "statement_skips", "statements", "treatment_plans", "work_items",
}

// seedPractice writes one row of every practice-scoped table for practice
// p ($1); ids are derived from it.
var seedPractice = []string{
	`INSERT INTO practices (id, name, npi, timezone, created_at, updated_at) VALUES ($1, $1, $1, 'UTC', now(), now())`,
	`INSERT INTO users (id, issuer, subject, created_at, last_seen_at) VALUES ($1 || '-user', 'iss', $1, now(), now())`,
	`INSERT INTO teams (id, name, created_at) VALUES ($1 || '-team', $1, now())`,
	`INSERT INTO locations (id, practice_id, name, address_line1, city, state, postal_code, created_at)
	 VALUES ($1 || '-loc', $1, 'Main', '1 Main St', 'Town', 'TX', '75001', now())`,
	`INSERT INTO practice_policies (practice_id, kind, body, version, updated_by, updated_at) VALUES ($1, 'contact', '{}', 1, 'x', now())`,
	`INSERT INTO invitations (id, practice_id, email, role, invited_by, created_at, expires_at)
	 VALUES ($1 || '-inv', $1, $1 || '@example.com', 'practice_admin', 'x', now(), now() + interval '1 day')`,
	`INSERT INTO practice_memberships (practice_id, user_id, role, created_at) VALUES ($1, $1 || '-user', 'practice_admin', now())`,
	`INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, created_at, updated_at)
	 VALUES ($1 || '-pat', $1, 'P1', 'Ann', 'Lee', '1980-01-02', now(), now())`,
	`INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, created_at, updated_at)
	 VALUES ($1 || '-bal', $1, $1 || '-pat', 'B1', 100, now(), now())`,
	`INSERT INTO claims (id, practice_id, patient_id, external_id, payer_name, date_of_service, billed_cents, status, created_at, updated_at)
	 VALUES ($1 || '-clm', $1, $1 || '-pat', 'C1', 'Payer', '2024-01-02', 100, 'submitted', now(), now())`,
	`INSERT INTO claim_remittances (id, practice_id, claim_id, import_id, fingerprint, status_code, charge_cents, paid_cents, patient_responsibility_cents, created_at)
	 VALUES ($1 || '-rem', $1, $1 || '-clm', 'x', $1, '1', 100, 100, 0, now())`,
	`INSERT INTO claim_status_events (id, practice_id, claim_id, import_id, fingerprint, category, created_at)
	 VALUES ($1 || '-cse', $1, $1 || '-clm', 'x', $1, 'F1', now())`,
	`INSERT INTO recalls (id, practice_id, patient_id, external_id, recall_type, due_date, created_at, updated_at)
	 VALUES ($1 || '-rcl', $1, $1 || '-pat', 'R1', 'hygiene', '2024-06-01', now(), now())`,
	`INSERT INTO treatment_plans (id, practice_id, patient_id, external_id, est_patient_cents, presented_date, created_at, updated_at)
	 VALUES ($1 || '-tp', $1, $1 || '-pat', 'T1', 100, '2024-01-02', now(), now())`,
	`INSERT INTO appointments (id, practice_id, patient_id, external_id, starts_at, status, created_at, updated_at)
	 VALUES ($1 || '-apt', $1, $1 || '-pat', 'A1', now(), 'scheduled', now(), now())`,
	`INSERT INTO work_items (id, practice_id, patient_id, kind, subject_type, subject_id, due_at, created_at, updated_at)
	 VALUES ($1 || '-wi', $1, $1 || '-pat', 'balance', 'balance', $1 || '-bal', now(), now(), now())`,
	`INSERT INTO activities (id, practice_id, work_item_id, patient_id, actor_id, channel, outcome, at)
	 VALUES ($1 || '-act', $1, $1 || '-wi', $1 || '-pat', 'x', 'call', 'voicemail', now())`,
	`INSERT INTO imports (id, practice_id, kind, preset, filename, size_bytes, sha256, dry_run, state, created_by, created_at)
	 VALUES ($1 || '-imp', $1, 'patients', 'generic', 'f.csv', 1, '', false, 'queued', 'x', now())`,
	`INSERT INTO import_files (import_id, seq, content) VALUES ($1 || '-imp', 1, 'x')`,
	`INSERT INTO import_errors (import_id, seq, line, col, rule, message) VALUES ($1 || '-imp', 1, 2, 'c', 'r', 'm')`,
	`INSERT INTO grants (id, practice_id, grantee_type, grantee_id, kinds, field_groups, reason, granted_by, valid_from, valid_until, review_due_at, created_at)
	 VALUES ($1 || '-grant', $1, 'team', $1 || '-team', '[]', '[]', 'r', 'x', now(), now(), now(), now())`,
	`INSERT INTO access_requests (id, practice_id, team_id, kinds, field_groups, days, reason, requested_by, requested_at)
	 VALUES ($1 || '-req', $1, $1 || '-team', '[]', '[]', 30, 'r', 'x', now())`,
	`INSERT INTO clearinghouse_connections (id, name, mode, sender_id, receiver_id, created_at, updated_at)
	 VALUES ($1 || '-ch', $1, 'manual', 'S', 'R', now(), now())`,
	`INSERT INTO clearinghouse_links (practice_id, connection_id, created_at) VALUES ($1, $1 || '-ch', now())`,
	`INSERT INTO clearinghouse_files (id, connection_id, practice_id, direction, name, kind, sha256, size, body, state, created_at, retain_until)
	 VALUES ($1 || '-chf', $1 || '-ch', $1, 'out', 'f.x12', '270', $1, 1, 'x', 'built', now(), now())`,
	`INSERT INTO clearinghouse_inquiries (trace, practice_id, work_item_id, patient_id, kind, file_id, asked_at)
	 VALUES ($1 || '-trn', $1, $1 || '-wi', $1 || '-pat', '270', $1 || '-chf', now())`,
	`INSERT INTO benefit_summaries (id, practice_id, patient_id, payer_name, coverage, summary, lines, answered_at)
	 VALUES ($1 || '-ben', $1, $1 || '-pat', 'Payer', 'active', '{}', '[]', now())`,
	`INSERT INTO message_settings (practice_id, updated_at) VALUES ($1, now())`,
	`INSERT INTO message_templates (practice_id, key, channel, name, body, updated_by, updated_at)
	 VALUES ($1, 'recall_due', 'text', 'Recall due', 'Hi', 'x', now())`,
	`INSERT INTO patient_messages (id, practice_id, patient_id, work_item_id, direction, channel, address, body, state, actor_id, created_at, updated_at)
	 VALUES ($1 || '-msg', $1, $1 || '-pat', $1 || '-wi', 'out', 'text', '+15125550100', 'Hi', 'queued', 'x', now(), now())`,
	`INSERT INTO message_optouts (practice_id, channel, address, source, at) VALUES ($1, 'text', '+15125550100', 'keyword', now())`,
	`INSERT INTO message_links (token_hash, purpose, practice_id, patient_id, message_id, expires_at)
	 VALUES ($1 || '-lnk', 'verify', $1, $1 || '-pat', $1 || '-msg', now())`,
	`INSERT INTO statement_runs (id, practice_id, cycle, statement_date, due_date, state, created_by, created_at)
	 VALUES ($1 || '-run', $1, '2026-03', '2026-03-01', '2026-03-21', 'done', 'x', now())`,
	`INSERT INTO statements (id, practice_id, run_id, balance_id, patient_id, account_number, amount_due_cents, pages, delivery, pdf, sha256, created_at, retain_until)
	 VALUES ($1 || '-stm', $1, $1 || '-run', $1 || '-bal', $1 || '-pat', 'A1', 100, 1, 'mail', 'x', 'x', now(), now())`,
	`INSERT INTO statement_skips (run_id, practice_id, balance_id, patient_id, reason) VALUES ($1 || '-run', $1, $1 || '-bal', $1 || '-pat', 'zero_balance')`,
	`INSERT INTO payment_links (id, token_hash, practice_id, patient_id, balance_id, amount_cents, state, created_by, created_at, expires_at)
	 VALUES ($1 || '-pl', $1 || '-plh', $1, $1 || '-pat', $1 || '-bal', 100, 'open', 'x', now(), now())`,
	`INSERT INTO payments (id, practice_id, patient_id, balance_id, link_id, provider, provider_event_id, amount_cents, currency, received_at)
	 VALUES ($1 || '-pay', $1, $1 || '-pat', $1 || '-bal', $1 || '-pl', 'dev', $1, 100, 'usd', now())`,
	`INSERT INTO payment_plans (id, practice_id, patient_id, balance_id, schedule, created_by, created_at)
	 VALUES ($1 || '-plan', $1, $1 || '-pat', $1 || '-bal', '[]', 'x', now())`,
	`INSERT INTO break_glass (id, practice_id, patient_id, user_id, reason, opened_at, expires_at)
	 VALUES ($1 || '-bg', $1, $1 || '-pat', $1 || '-user', 'r', now(), now())`,
}

// practiceOf returns, per table, the expression naming a row's practice.
func practiceOf(table string) string {
	switch table {
	case "practices":
		return "id"
	case "import_files", "import_errors":
		return "(SELECT practice_id FROM imports WHERE imports.id = import_id)"
	}
	return "practice_id"
}

// The application role sees and writes only the practice its transaction
// names, sees nothing without one, cannot change or remove audit rows, and
// can neither bypass row security nor own what it is subject to.
func TestRowSecurityKeepsPracticesApart(t *testing.T) {
	t.Parallel()
	app, _ := testenv.NewDB(t, sqldb.Postgres)
	owner := testenv.OwnerDB(t, app)
	ctx := context.Background()
	for _, p := range []string{"pa", "pb"} {
		for _, stmt := range seedPractice {
			_, err := owner.ExecContext(ctx, stmt, p)
			require.NoError(t, err, stmt)
		}
	}
	_, err := owner.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor_subject, action, outcome, body) VALUES ('e1', now(), 's', 'a', 'allow', '{}')`)
	require.NoError(t, err)

	t.Run("the role", func(t *testing.T) {
		var user string
		var super, bypass bool
		require.NoError(t, app.QueryRowContext(ctx,
			`SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&user, &super, &bypass))
		require.Equal(t, testenv.AppRole, user)
		require.False(t, super, "the application role must not be a superuser")
		require.False(t, bypass, "the application role must not bypass row-level security")
		var owned int
		require.NoError(t, app.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'USAGE')`).Scan(&owned))
		require.Zero(t, owned, "the application role must not own, or share the owner's privileges over, any table")

		// It cannot migrate, even an up-to-date database: the refusal is
		// not left to the migration that made the role.
		ran, err := schema.Migrate(ctx, app)
		require.ErrorIs(t, err, sqldb.ErrUnsafeRole)
		require.Empty(t, ran)
	})

	t.Run("every practice-scoped table has its policy", func(t *testing.T) {
		rows, err := owner.QueryContext(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity
			AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
			ORDER BY c.relname`)
		require.NoError(t, err)
		var secured []string
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			secured = append(secured, n)
		}
		require.NoError(t, rows.Err())
		require.Equal(t, practiceScoped, secured)

		// A new table with a practice_id column must join the list (or, like
		// the audit log, be exempt on purpose).
		rows, err = owner.QueryContext(ctx, `SELECT table_name FROM information_schema.columns
			WHERE table_schema = 'public' AND column_name = 'practice_id' ORDER BY table_name`)
		require.NoError(t, err)
		defer rows.Close()
		for rows.Next() {
			var n string
			require.NoError(t, rows.Scan(&n))
			if n != "audit_events" {
				require.Contains(t, practiceScoped, n, "table %s has a practice_id but no row-level security", n)
			}
		}
		require.NoError(t, rows.Err())
	})

	t.Run("no scope, no rows", func(t *testing.T) {
		for _, table := range practiceScoped {
			require.Zero(t, count(t, ctx, app, `SELECT count(*) FROM `+table), table)
		}
		err := app.Tx(ctx, func(tx *sql.Tx) error {
			for _, table := range practiceScoped {
				require.Zero(t, count(t, ctx, tx, `SELECT count(*) FROM `+table), table)
			}
			return nil
		})
		require.NoError(t, err)
		var n int
		err = app.Scoped(ctx, func(q sqldb.Querier) error { return q.QueryRowContext(ctx, `SELECT count(*) FROM patients`).Scan(&n) })
		require.NoError(t, err)
		require.Zero(t, n)
	})

	t.Run("one practice's rows", func(t *testing.T) {
		scoped := sqldb.WithPractice(ctx, "pa")
		err := app.Tx(scoped, func(tx *sql.Tx) error {
			for _, table := range practiceScoped {
				require.Equal(t, 1, count(t, ctx, tx, `SELECT count(*) FROM `+table), table)
				require.Zero(t, count(t, ctx, tx, `SELECT count(*) FROM `+table+` WHERE `+practiceOf(table)+` <> 'pa'`), table)
			}
			return nil
		})
		require.NoError(t, err)
		var n int
		err = app.Scoped(scoped, func(q sqldb.Querier) error { return q.QueryRowContext(ctx, `SELECT count(*) FROM patients`).Scan(&n) })
		require.NoError(t, err)
		require.Equal(t, 1, n)

		// The scope lasts one transaction, never the pooled connection.
		app.SetMaxOpenConns(1)
		defer app.SetMaxOpenConns(0)
		require.NoError(t, app.Tx(scoped, func(*sql.Tx) error { return nil }))
		require.Zero(t, count(t, ctx, app, `SELECT count(*) FROM patients`))
	})

	t.Run("every practice for system work", func(t *testing.T) {
		err := app.Tx(sqldb.AllPractices(ctx), func(tx *sql.Tx) error {
			for _, table := range practiceScoped {
				require.Equal(t, 2, count(t, ctx, tx, `SELECT count(*) FROM `+table), table)
			}
			return nil
		})
		require.NoError(t, err)
	})

	t.Run("writing another practice's rows is refused", func(t *testing.T) {
		scoped := sqldb.WithPractice(ctx, "pa")
		writes := []string{
			`INSERT INTO locations (id, practice_id, name, address_line1, city, state, postal_code, created_at)
			 VALUES ('sneaky', 'pb', 'x', 'x', 'x', 'x', 'x', now())`,
			`INSERT INTO import_errors (import_id, seq, line, col, rule, message) VALUES ('pb-imp', 2, 3, 'c', 'r', 'm')`,
			`UPDATE locations SET practice_id = 'pb' WHERE id = 'pa-loc'`,
		}
		for _, w := range writes {
			err := app.Tx(scoped, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, w)
				return err
			})
			require.Equal(t, "42501", sqlState(err), "%s: %v", w, err)
			require.ErrorContains(t, err, "row-level security", w)
		}
		// Another practice's rows are not there to change or remove.
		err := app.Tx(scoped, func(tx *sql.Tx) error {
			for _, w := range []string{`UPDATE patients SET first_name = 'x' WHERE id = 'pb-pat'`, `DELETE FROM claims WHERE id = 'pb-clm'`} {
				res, err := tx.ExecContext(ctx, w)
				require.NoError(t, err, w)
				n, _ := res.RowsAffected()
				require.Zero(t, n, w)
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, 1, count(t, ctx, owner, `SELECT count(*) FROM claims WHERE id = 'pb-clm'`))
		// Without a scope nothing can be written either.
		_, err = app.ExecContext(ctx, `INSERT INTO practices (id, name, npi, timezone, created_at, updated_at) VALUES ('pc', 'c', 'c', 'UTC', now(), now())`)
		require.Equal(t, "42501", sqlState(err), "%v", err)
	})

	t.Run("audit rows can be appended and read, never changed", func(t *testing.T) {
		_, err := app.ExecContext(ctx, `INSERT INTO audit_events (id, at, actor_subject, action, outcome, body) VALUES ('e2', now(), 's', 'a', 'allow', '{}')`)
		require.NoError(t, err)
		require.Equal(t, 2, count(t, ctx, app, `SELECT count(*) FROM audit_events`), "the audit log is read across practices")
		for _, w := range []string{
			`UPDATE audit_events SET outcome = 'deny'`, `DELETE FROM audit_events`, `TRUNCATE audit_events`,
			`UPDATE audit_leaves SET leaf_hash = ''`, `DELETE FROM audit_leaves`,
			`UPDATE audit_checkpoints SET note = ''`, `DELETE FROM audit_checkpoints`,
			`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'x', 'x', now())`,
		} {
			_, err := app.ExecContext(ctx, w)
			require.Equal(t, "42501", sqlState(err), "%s: %v", w, err)
			require.ErrorContains(t, err, "permission denied", w)
		}
		var privs int
		require.NoError(t, app.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'audit\_%'
			AND (has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))`).Scan(&privs))
		require.Zero(t, privs, "no audit table may be changed by the application role")
		require.Positive(t, count(t, ctx, app, `SELECT count(*) FROM schema_migrations`))
	})
}

func count(t *testing.T, ctx context.Context, q sqldb.Querier, query string) int {
	t.Helper()
	var n int
	require.NoError(t, q.QueryRowContext(ctx, query).Scan(&n), query)
	return n
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
