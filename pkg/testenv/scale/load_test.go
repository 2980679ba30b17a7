package scale_test

import (
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/testenv/scale"
	"github.com/stretchr/testify/require"
)

// A loaded company has the size it was asked for and holds together as
// the foreign keys, skipped while loading, would have made it: every
// reference resolves, no record has two unfinished items of a kind, every
// patient an event names is listed for searches, and the audit trail is
// one signed Merkle log over every event that verifies.
func TestLoadedCompanyHoldsTogether(t *testing.T) {
	t.Parallel()
	app, _ := testenv.NewDB(t, sqldb.Postgres)
	owner := testenv.OwnerDB(t, app)
	ctx := context.Background()
	size := scale.At(0.002)
	c := scale.New(size, time.Now())
	skey, vkey, err := audit.GenerateKey("scale-test")
	require.NoError(t, err)
	signer, err := audit.ParseSigner(skey)
	require.NoError(t, err)
	verifier, err := audit.ParseVerifier(vkey)
	require.NoError(t, err)
	rep, err := scale.Load(ctx, owner, c, signer)
	require.NoError(t, err)
	for _, s := range rep.Steps {
		t.Logf("%-20s %9d rows  %v", s.Name, s.Rows, s.Took.Round(time.Millisecond))
	}

	countOf := func(q string) int {
		var n int
		require.NoError(t, owner.QueryRowContext(ctx, q).Scan(&n), q)
		return n
	}
	require.Equal(t, size.Practices, countOf(`SELECT count(*) FROM practices`))
	require.Equal(t, size.Patients, countOf(`SELECT count(*) FROM patients`))
	require.Equal(t, size.Items, countOf(`SELECT count(*) FROM work_items`))
	require.Equal(t, size.AuditEvents, countOf(`SELECT count(*) FROM audit_events`))
	require.Equal(t, size.AuditEvents, countOf(`SELECT count(*) FROM audit_leaves`))
	require.Equal(t, size.Agents, countOf(`SELECT count(*) FROM agents`))
	for _, q := range []string{
		`SELECT count(*) FROM patients x WHERE NOT EXISTS (SELECT 1 FROM practices p WHERE p.id = x.practice_id)`,
		`SELECT count(*) FROM balances x WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = x.patient_id AND p.practice_id = x.practice_id)`,
		`SELECT count(*) FROM claims x WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = x.patient_id AND p.practice_id = x.practice_id)`,
		`SELECT count(*) FROM recalls x WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = x.patient_id AND p.practice_id = x.practice_id)`,
		`SELECT count(*) FROM treatment_plans x WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = x.patient_id AND p.practice_id = x.practice_id)`,
		`SELECT count(*) FROM work_items x WHERE NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = x.patient_id AND p.practice_id = x.practice_id)`,
		`SELECT count(*) FROM work_items x WHERE x.owner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM agents a WHERE a.user_id = x.owner_id)`,
		`SELECT count(*) FROM work_items x WHERE NOT EXISTS (SELECT 1 FROM balances r WHERE r.id = x.subject_id AND r.patient_id = x.patient_id)
		 AND NOT EXISTS (SELECT 1 FROM claims r WHERE r.id = x.subject_id AND r.patient_id = x.patient_id)
		 AND NOT EXISTS (SELECT 1 FROM recalls r WHERE r.id = x.subject_id AND r.patient_id = x.patient_id)
		 AND NOT EXISTS (SELECT 1 FROM treatment_plans r WHERE r.id = x.subject_id AND r.patient_id = x.patient_id)`,
		`SELECT count(*) FROM activities x WHERE NOT EXISTS (SELECT 1 FROM work_items w WHERE w.id = x.work_item_id AND w.patient_id = x.patient_id)`,
		`SELECT count(*) FROM team_members x WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.user_id = x.user_id)`,
		`SELECT count(*) FROM (SELECT subject_id, kind FROM work_items WHERE state NOT IN ('resolved', 'closed')
		 GROUP BY subject_id, kind HAVING count(*) > 1) twice`,
		`SELECT count(*) FROM audit_events e WHERE e.patient_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM patients p WHERE p.id = e.patient_id)`,
	} {
		require.Zero(t, countOf(q), q)
	}
	require.Positive(t, countOf(`SELECT count(*) FROM work_items WHERE state = 'open' AND route_after IS NULL`), "lost routings for the reconciler")
	require.Positive(t, countOf(`SELECT count(*) FROM activities`))
	require.Equal(t, countOf(`SELECT count(*) FROM (SELECT DISTINCT e.seq, p.id
		FROM audit_events e, jsonb_array_elements_text(e.body::jsonb -> 'patient_ids') AS p(id)) listed`),
		countOf(`SELECT count(*) FROM audit_event_patients`), "every patient of every event is listed for searches")

	v, err := auditstore.New(owner).Verify(ctx, verifier, nil)
	require.NoError(t, err, "the loaded trail verifies as the platform's own does")
	require.Equal(t, uint64(size.AuditEvents), v.Leaves)
	require.Zero(t, v.Pending)
}
