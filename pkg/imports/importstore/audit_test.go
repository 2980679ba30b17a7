package importstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

func TestImportsAreAuditedByCountsOnly(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		ctx := sqldb.WithPractice(context.Background(), p)
		pat := audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "pat", Role: "practice_admin"}, RequestID: "req-up"}
		for _, dry := range []bool{false, true} {
			imp, err := b.svc.As(pat).Submit(ctx, imports.Upload{PracticeID: p, Kind: "patients", Filename: "okafor-maya.csv", DryRun: dry,
				CreatedBy: "u-pat", Content: strings.NewReader(patientsCSV)})
			require.NoError(t, err)
			require.NoError(t, b.svc.Run(ctx, imp.ID))
			got, err := b.svc.Get(ctx, imp.ID)
			require.NoError(t, err)

			evs := testenv.AuditEvents(t, db, auditstore.Query{PracticeID: p, TargetType: audit.TargetImport, TargetID: imp.ID})
			require.Len(t, evs, 2, "the upload and the finished import")
			up, done := evs[0].Event, evs[1].Event
			want := "patients"
			if dry {
				want = "patients dry_run"
			}
			require.Equal(t, audit.ActionImportSubmit, up.Action)
			require.Equal(t, "pat", up.Actor.Subject, "the uploader")
			require.Equal(t, "req-up", up.RequestID)
			require.Equal(t, want, up.Reason)
			require.Equal(t, audit.ActionImportFinish, done.Action)
			require.Equal(t, audit.SystemActor, done.Actor, "the worker applied it")
			require.Equal(t, "u-pat", done.UserID, "at the uploader's request")
			require.Equal(t, want, done.Reason)
			require.Equal(t, map[string]int{"rows_read": got.RowsRead, "rows_applied": got.RowsApplied,
				"rows_rejected": got.RowsRejected, "items_created": got.ItemsCreated}, done.Counts)
			require.Equal(t, 1, done.Counts["rows_rejected"])
			if !dry {
				require.Equal(t, 3, done.Counts["rows_applied"])
			}
			for _, e := range evs {
				require.Empty(t, e.Event.PatientIDs)
				// Whole values: a bare "555" or "1985" also turns up in
				// the events' random ids now and then.
				for _, text := range []string{"okafor", "Okafor", "Maya", "Navarro", "04/12/1985", "1985-04-12", "555-0101", "555.0102", "maya@example.com"} {
					require.NotContains(t, e.Body, text, "neither the file's name nor a row's content")
				}
			}
		}
	})
}
