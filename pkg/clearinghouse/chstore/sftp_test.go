package chstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpserver"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// The whole loop over a real SFTP server on loopback: the exchange puts
// the 270 batch in the clearinghouse's outbound folder, the clearinghouse
// drops its 271 in the inbound folder, the poller collects it, keeps it,
// applies it and moves it to the archive.
func TestTheLoopRunsOverSFTP(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		root := t.TempDir()
		for _, d := range []string{"outbound", "inbound", "archive"} {
			require.NoError(t, os.Mkdir(filepath.Join(root, d), 0o755))
		}
		srv, err := sftpserver.Start(sftpserver.Options{Root: root, User: "riverside", Password: "correct horse"})
		require.NoError(t, err)
		t.Cleanup(func() { srv.Close() })
		secret := filepath.Join(t.TempDir(), "acme-password")
		require.NoError(t, os.WriteFile(secret, []byte("correct horse\n"), 0o600))
		conn := clearinghouse.Connection{ID: "ch-1", Name: "Acme Clearinghouse", Mode: clearinghouse.ModeSFTP,
			Address: srv.Addr(), Username: "riverside", HostKey: srv.HostKey(), SecretRef: "file:" + secret,
			Outbound: "/outbound", Inbound: "/inbound", Archive: "/archive",
			SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "CLEARHOUSE"}
		_, err = x.ch.SaveConnection(ctx, audit.Event{}, conn)
		require.NoError(t, err)
		deps := x.deps
		deps.Dial, deps.Settle = clearinghouse.DialSFTP, time.Millisecond
		svc := clearinghouse.New(deps)

		rep, err := svc.Exchange(ctx, "ch-1")
		require.NoError(t, err)
		require.Equal(t, 1, rep.Sent)
		batch, err := x.store.FileBody(sqldb.AllPractices(ctx), rep.Ask.Batches[0].ID)
		require.NoError(t, err)
		onServer, err := os.ReadFile(filepath.Join(root, "outbound", batch.Name))
		require.NoError(t, err)
		require.True(t, bytes.Equal(batch.Body, onServer), "the batch on the server is the batch kept")
		files, err := x.store.Files(sqldb.AllPractices(ctx), "ch-1", 10)
		require.NoError(t, err)
		require.Equal(t, clearinghouse.Sent, files[0].State, "the batch is recorded as sent")
		require.NotNil(t, files[0].SentAt)
		again, err := svc.Exchange(ctx, "ch-1")
		require.NoError(t, err)
		require.Zero(t, again.Sent, "a batch sent is not sent again")

		tr := traces(t, onServer)
		raw, err := os.ReadFile("testdata/271-two-answers.edi")
		require.NoError(t, err)
		answer := strings.NewReplacer("{TRACE1}", tr[0], "{TRACE2}", tr[1], "{NPI}", x.npi).Replace(string(raw))
		require.NoError(t, os.WriteFile(filepath.Join(root, "inbound", "271-0451.x12"), []byte(answer), 0o644))

		pctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); svc.RunPollers(pctx, 20*time.Millisecond) }()
		require.Eventually(t, func() bool { return x.checks(t)["E1"].state == "resolved" }, 20*time.Second, 20*time.Millisecond,
			"the answer is collected and applied")
		// The file is moved once its keeping has committed, a moment after
		// the answer is applied.
		require.Eventually(t, func() bool {
			_, err := os.Stat(filepath.Join(root, "archive", "271-0451.x12"))
			return err == nil
		}, 20*time.Second, 20*time.Millisecond, "the answer is archived")
		stop()
		<-done
		require.Equal(t, "open", x.checks(t)["E2"].state)
		_, err = os.Stat(filepath.Join(root, "inbound", "271-0451.x12"))
		require.True(t, os.IsNotExist(err), "the answer leaves the inbound folder once kept")
		_, err = os.Stat(filepath.Join(root, "archive", "271-0451.x12"))
		require.NoError(t, err, "and is archived")
		conns, err := x.store.Connections(ctx)
		require.NoError(t, err)
		require.NotNil(t, conns[0].LastPollAt, "the connection's health shows the poll")
		require.Empty(t, conns[0].LastError)
	})
}

// TestTwoExchangesSendEachBatchOnce: two routers' exchanges at once, as
// on two replicas (or the dev binary's first exchange beside the
// scheduler's). Each batch is claimed before its put, so exactly one of
// them hands it over, and neither fails for the other.
func TestTwoExchangesSendEachBatchOnce(t *testing.T) {
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		x := setupExchange(t, db)
		ctx := context.Background()
		root := t.TempDir()
		for _, d := range []string{"outbound", "inbound"} {
			require.NoError(t, os.Mkdir(filepath.Join(root, d), 0o755))
		}
		srv, err := sftpserver.Start(sftpserver.Options{Root: root, User: "riverside", Password: "correct horse"})
		require.NoError(t, err)
		t.Cleanup(func() { srv.Close() })
		secret := filepath.Join(t.TempDir(), "acme-password")
		require.NoError(t, os.WriteFile(secret, []byte("correct horse\n"), 0o600))
		conn := clearinghouse.Connection{ID: "ch-1", Name: "Acme Clearinghouse", Mode: clearinghouse.ModeSFTP,
			Address: srv.Addr(), Username: "riverside", HostKey: srv.HostKey(), SecretRef: "file:" + secret,
			Outbound: "/outbound", Inbound: "/inbound", SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ",
			ReceiverID: "CLEARHOUSE"}
		saved, err := x.ch.SaveConnection(ctx, audit.Event{}, conn)
		require.NoError(t, err)
		deps := x.deps
		deps.Dial = clearinghouse.DialSFTP
		svc := clearinghouse.New(deps)
		rep, err := svc.AskEligibility(ctx, "ch-1")
		require.NoError(t, err)
		require.Len(t, rep.Batches, 1)

		sent := make(chan int, 2)
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				n, err := svc.Send(ctx, saved)
				sent <- n
				errs <- err
			}()
		}
		total := <-sent + <-sent
		require.NoError(t, <-errs)
		require.NoError(t, <-errs)
		require.Equal(t, 1, total, "one of the two hands the batch over")

		// A claim is taken once.
		require.NoError(t, db.Scoped(sqldb.AllPractices(ctx), func(q sqldb.Querier) error {
			took, err := x.store.ClaimSend(sqldb.AllPractices(ctx), q, rep.Batches[0].ID, x.now)
			require.False(t, took, "the batch is sent already")
			return err
		}))
	})
}
