package chstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A connection entered with several mistakes is refused with every one of
// them, each by its field, and nothing is stored; a secret typed in place
// of its reference is refused without being echoed.
func TestAConnectionIsRefusedWithEveryProblemAtOnce(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		_, err := x.ch.SaveConnection(ctx, audit.Event{}, clearinghouse.Connection{ID: "ch-2", Name: "Broken", Mode: clearinghouse.ModeSFTP,
			Address: "sftp.example.com", SecretRef: "hunter2", SenderID: "A*B", ReceiverID: "R"})
		var ae *apperr.Error
		require.True(t, errors.As(err, &ae), "%v", err)
		require.Equal(t, apperr.KindInvalid, ae.Kind)
		for _, f := range []string{"address", "username", "host_key", "secret_ref", "outbound", "inbound", "sender_id"} {
			require.Contains(t, ae.Fields, f)
		}
		require.NotContains(t, ae.Fields["secret_ref"], "hunter2")
		conns, err := x.store.Connections(ctx)
		require.NoError(t, err)
		require.Len(t, conns, 1, "nothing stored")

		err = x.ch.SavePayers(ctx, audit.Event{}, "ch-1", []clearinghouse.Payer{{Name: "Delta"}, {Name: " delta ", ID: "D2"}})
		require.True(t, errors.As(err, &ae))
		require.Equal(t, map[string]string{"payers[0].id": "is required: the clearinghouse's id for the payer", "payers[1].name": "is listed twice"}, ae.Fields)
	})
}

// Taking a manual connection's batch to send by hand is a disclosure: it
// is recorded, naming the person and every patient in the batch, before
// the bytes are handed over, and the batch counts as sent.
func TestDownloadingABatchIsRecordedFirst(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		rep, err := x.ch.AskEligibility(ctx, "ch-1")
		require.NoError(t, err)
		by := audit.Event{Actor: audit.Actor{Issuer: "https://idp.test", Subject: "maria", Role: "billing_manager"}, RequestID: "req-9"}
		f, err := x.ch.Download(ctx, by, "ch-1", rep.Batches[0].ID)
		require.NoError(t, err)
		require.NotEmpty(t, f.Body)
		evs := testenv.AuditEvents(t, db, auditstore.Query{Action: string(audit.ActionClearinghouseDownload)})
		require.Len(t, evs, 1)
		require.Equal(t, "maria", evs[0].Event.Actor.Subject)
		require.Len(t, evs[0].Event.PatientIDs, 2)
		files, err := x.store.Files(sqldb.AllPractices(ctx), "ch-1", 10)
		require.NoError(t, err)
		require.Equal(t, clearinghouse.Sent, files[0].State)

		// A clearinghouse's support desk names a batch by its control
		// number, however it is typed.
		control, err := clearinghouse.ControlNumber(strings.TrimLeft(files[0].InterchangeControl, "0"))
		require.NoError(t, err)
		found, err := x.store.FilesByControl(sqldb.AllPractices(ctx), "ch-1", control)
		require.NoError(t, err)
		require.Len(t, found, 1)
		require.Equal(t, files[0].ID, found[0].ID)
		none, err := x.store.FilesByControl(sqldb.AllPractices(ctx), "another-connection", control)
		require.NoError(t, err)
		require.Empty(t, none)
		for _, bad := range []string{"", "12a", "1234567890", "-1"} {
			_, err := clearinghouse.ControlNumber(bad)
			var ae *apperr.Error
			require.ErrorAs(t, err, &ae, bad)
			require.Equal(t, "control", ae.Field)
		}

		_, err = x.ch.Download(ctx, by, "another-connection", rep.Batches[0].ID)
		require.ErrorIs(t, err, apperr.ErrNotFound, "a file is reached only through its own connection")
	})
}
