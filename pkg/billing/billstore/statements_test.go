package billstore_test

import (
	"archive/zip"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/billing"
	"github.com/backdesk/backdesk/pkg/billing/billstore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// accounts seeds, beside the pay-by-link world's Rosa ($240.00 due),
// an office and five more accounts: one paid off, one that asked not to
// be contacted, one without a mailing address, Sam's, with a paid claim
// and one still with the insurance, and Eve's, who chose e-statements.
func accounts(t *testing.T, db *sqldb.DB) {
	exec(t, db, `INSERT INTO locations (id, practice_id, name, address_line1, city, state, postal_code, phone, created_at)
VALUES ('loc-b', $1, 'Main', '100 Pine St', 'Denver', 'CO', '80202', '+13035550100', $2)`, practiceID, t0)
	exec(t, db, `UPDATE patients SET address_line1 = '12 Elm St', city = 'Denver', state = 'CO', postal_code = '80203' WHERE id = 'pt-b'`)
	for _, p := range []struct{ id, line1, dnc, total string }{
		{"pt-zero", "1 A St", "false", "0"}, {"pt-dnc", "2 B St", "true", "5000"}, {"pt-noaddr", "", "false", "5000"}, {"pt-sam", "3 C St", "false", "18000"},
	} {
		exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, address_line1, city, state, postal_code,
do_not_contact, created_at, updated_at) VALUES ($1, $2, $1, 'Sam', 'Ng', '1970-05-06', $3, 'Denver', 'CO', '80204', $4, $5, $5)`, p.id, practiceID, p.line1, p.dnc == "true", t0)
		exec(t, db, `INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, aged_0_30_cents, created_at, updated_at)
VALUES ($1, $2, $3, $1, CAST($4 AS INTEGER), CAST($4 AS INTEGER), $5, $5)`, "bal-"+p.id, practiceID, p.id, p.total, t0)
	}
	exec(t, db, `INSERT INTO patients (id, practice_id, external_id, first_name, last_name, date_of_birth, address_line1, city, state, postal_code,
email, preferred_channel, created_at, updated_at) VALUES ('pt-eve', $1, 'pt-eve', 'Eve', 'Ng', '1975-01-02', '4 D St', 'Denver', 'CO', '80205',
'eve@example.com', 'email', $2, $2)`, practiceID, t0)
	exec(t, db, `INSERT INTO balances (id, practice_id, patient_id, external_id, total_cents, aged_0_30_cents, created_at, updated_at)
VALUES ('bal-pt-eve', $1, 'pt-eve', 'bal-pt-eve', 7000, 7000, $2, $2)`, practiceID, t0)
	exec(t, db, `INSERT INTO claims (id, practice_id, patient_id, external_id, payer_name, date_of_service, billed_cents, paid_cents, patient_responsibility_cents, status, created_at, updated_at)
VALUES ('clm-1', $1, 'pt-sam', 'C1', 'Delta Dental', '2026-02-10', 30000, 20000, 6000, 'paid', $2, $2),
       ('clm-2', $1, 'pt-sam', 'C2', 'Delta Dental', '2026-02-24', 9000, 0, 0, 'submitted', $2, $2)`, practiceID, t0)
}

// A run makes a statement for each account with something due and says
// why it left the others out; running the cycle again makes nothing new.
// Each statement prints what is due apart from what the insurance has
// yet to pay, and carries a payment link; the follow-up logs "statement
// sent"; the run downloads as one PDF and as the print vendor's zip, each
// download recorded as a disclosure.
func TestStatementRun(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		w := newWorld(t, db)
		accounts(t, db)
		st := billstore.New(db, auditstore.New(db))
		ctx := context.Background()
		by := audit.Event{Actor: audit.Actor{Issuer: "iss", Subject: "pat", Role: "practice_admin"}}

		_, err := w.svc.RunStatements(ctx, st, practiceID, billing.RunInput{Cycle: "2026-3"}, by)
		var ae *apperr.Error
		require.ErrorAs(t, err, &ae)
		require.Contains(t, ae.Fields, "cycle")
		require.Contains(t, ae.Fields, "office_hours", "every problem at once")

		run, err := w.svc.RunStatements(ctx, st, practiceID, billing.RunInput{Cycle: "2026-03", Hours: "Mon–Thu 8am–5pm"}, by)
		require.NoError(t, err)
		require.Equal(t, "done", run.State)
		require.Equal(t, 3, run.Made)
		require.Equal(t, 1, run.Emailed, "Eve's statement is e-mailed, not printed")
		require.Equal(t, 3, run.Skipped)
		again, err := w.svc.RunStatements(ctx, st, practiceID, billing.RunInput{Cycle: "2026-03", Hours: "Mon–Thu 8am–5pm"}, by)
		require.NoError(t, err)
		require.Equal(t, run.ID, again.ID)
		require.Equal(t, 3, again.Made, "the same cycle makes nothing new")

		skips, err := st.RunSkips(ctx, practiceID, run.ID)
		require.NoError(t, err)
		reasons := map[string]string{}
		for _, s := range skips {
			reasons[s.PatientID] = s.Reason
		}
		require.Equal(t, map[string]string{"pt-zero": billing.SkipZeroBalance, "pt-dnc": billing.SkipDoNotContact, "pt-noaddr": billing.SkipNoAddress}, reasons)

		var one bytes.Buffer
		require.NoError(t, w.svc.WriteRun(ctx, st, &one, practiceID, run.ID, false, by))
		text, err := pdftext.Text(one.Bytes())
		require.NoError(t, err)
		require.Contains(t, text, "Maple Dental")
		require.Contains(t, text, "Mon–Thu 8am–5pm")
		require.Contains(t, text, "$240.00", "Rosa's amount due")
		require.Contains(t, text, "$90.00", "Sam's claim still with the insurance")
		require.Contains(t, text, "$90.00", "and his amount due: $180.00 less $90.00 pending")
		require.Contains(t, text, public+"/m/pay/")

		var vendor bytes.Buffer
		require.NoError(t, w.svc.WriteRun(ctx, st, &vendor, practiceID, run.ID, true, by))
		zr, err := zip.NewReader(bytes.NewReader(vendor.Bytes()), int64(vendor.Len()))
		require.NoError(t, err)
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		require.Len(t, names, 3, "the two mailed statements and the manifest")
		require.Contains(t, strings.Join(names, " "), "manifest.csv")

		var links, sent int
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT
(SELECT COUNT(*) FROM payment_links WHERE created_by = 'system'), (SELECT COUNT(*) FROM activities WHERE channel = 'statement' AND outcome = 'sent')`,
			Row: func(r sqldb.Scanner) error { return r.Scan(&links, &sent) }}))
		require.Equal(t, 3, links)
		var notice string
		require.NoError(t, db.ReadAll(sqldb.WithPractice(ctx, practiceID), sqldb.Read{Query: `SELECT body FROM patient_messages
WHERE template_key = 'statement_ready' AND address = 'eve@example.com' AND channel = 'email' AND actor_id = 'system'`,
			Row: func(r sqldb.Scanner) error { return r.Scan(&notice) }}))
		require.Contains(t, notice, "Hi Eve")
		require.Contains(t, notice, public+"/m/pay/", "the notice carries the statement's payment link")
		require.NotContains(t, text, "Eve", "an e-statement is not printed")
		require.Equal(t, 1, sent, "Rosa's follow-up logs the statement (Sam has no open follow-up)")
		actions := testenv.AuditActions(t, db, auditstore.Query{PracticeID: practiceID})
		require.Contains(t, actions, billing.ActionStatementCreate)
		require.Contains(t, actions, billing.ActionStatementDownload)
	})
}
