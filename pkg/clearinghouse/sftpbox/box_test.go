package sftpbox_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpbox"
	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpserver"
	"github.com/backdesk/backdesk/pkg/x12"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

func TestFixturesAreInterchanges(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"270-request.x12", "999-accepted.x12", "999-rejected.x12"} {
		r := x12.NewReader(bytes.NewReader(testdata(t, name)))
		n := 0
		for _, err := range r.Transactions() {
			require.NoError(t, err, name)
			n++
		}
		require.Equal(t, 1, n, name)
	}
}

func TestPutThenPoll(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ctx := t.Context()

	// Outbound: the clearinghouse finds the whole file under its name.
	req := testdata(t, "270-request.x12")
	require.NoError(t, box.Put(ctx, "ELG1201.x12", req))
	require.Equal(t, req, b.read(t, "outbound/ELG1201.x12"))
	require.False(t, b.exists("outbound/ELG1201.x12.part"))

	// Inbound: the clearinghouse drops its answer.
	ack := testdata(t, "999-accepted.x12")
	b.drop(t, "inbound/999-412.x12", ack)

	p, err := box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Unsettled: 1}, p, "first sight: not settled yet")
	require.Zero(t, b.store.stored())

	b.clock.Advance(settle)
	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, p)
	f := <-b.store.kept
	require.Equal(t, "999-412.x12", f.Name)
	require.Equal(t, int64(len(ack)), f.Size)
	require.Equal(t, ack, f.Body)
	require.False(t, f.ModTime.IsZero())

	require.False(t, b.exists("inbound/999-412.x12"))
	require.Equal(t, ack, b.read(t, "archive/999-412.x12"))

	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{}, p, "nothing left")
}

func TestPollWithoutArchiveRemoves(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.cfg.Archive = ""
	box := b.dial(t)
	ack := testdata(t, "999-accepted.x12")
	b.drop(t, "inbound/a.x12", ack)

	p, err := b.settledPoll(t, box)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, p)
	require.True(t, b.store.has(ack))
	require.False(t, b.exists("inbound/a.x12"))
	require.False(t, b.exists("archive/a.x12"))
}

func TestPollSkips(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ack := testdata(t, "999-accepted.x12")
	b.drop(t, "inbound/.hidden", ack)
	b.drop(t, "inbound/999-413.x12.part", ack)
	require.NoError(t, os.Mkdir(b.path("inbound/sub"), 0o755))
	b.drop(t, "inbound/sub/nested.x12", ack)
	require.NoError(t, os.Symlink("../outbound", b.path("inbound/link")))

	p, err := b.settledPoll(t, box)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{}, p)
	require.Zero(t, b.store.stored())
	for _, name := range []string{".hidden", "999-413.x12.part", "sub/nested.x12"} {
		require.True(t, b.exists("inbound/"+name), name)
	}
}

func TestPollWaitsForGrowingFile(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ctx := t.Context()
	ack := testdata(t, "999-rejected.x12")
	half := len(ack) / 2
	b.drop(t, "inbound/999-413.x12", ack[:half])

	p, err := box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Unsettled: 1}, p)

	// The sender writes the rest between the listings.
	f, err := os.OpenFile(b.path("inbound/999-413.x12"), os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.Write(ack[half:])
	require.NoError(t, err)
	require.NoError(t, f.Close())
	b.clock.Advance(settle)

	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Unsettled: 1}, p, "it changed: the settle time starts again")

	b.clock.Advance(settle - time.Nanosecond)
	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Unsettled: 1}, p, "not yet a Settle since the change")
	require.Zero(t, b.store.stored())

	b.clock.Advance(time.Nanosecond)
	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, p)
	require.True(t, b.store.has(ack), "the whole file, not the half")
	require.Equal(t, 1, b.store.delivered(ack))
	require.Zero(t, b.store.delivered(ack[:half]))
}

func TestPollWaitsWhenOnlyTheTimeChanges(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ctx := t.Context()
	ack := testdata(t, "999-accepted.x12")
	b.drop(t, "inbound/a.x12", ack)
	first := time.Date(2024, 4, 2, 9, 15, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(b.path("inbound/a.x12"), first, first))

	_, err := box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	// Rewritten in place with the same length.
	later := first.Add(5 * time.Second)
	require.NoError(t, os.Chtimes(b.path("inbound/a.x12"), later, later))
	b.clock.Advance(settle)

	p, err := box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Unsettled: 1}, p)
	b.clock.Advance(settle)
	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, p)
}

// A sender that starts writing again after the file looked settled: the
// read finds more bytes than listed, and the file must settle anew.
func TestPollFileChangesDuringRead(t *testing.T) {
	t.Parallel()
	var root string
	var once sync.Once
	ack := testdata(t, "999-rejected.x12")
	half := len(ack) / 2
	b := setup(t, func(o *sftpserver.Options) {
		root = o.Root
		o.CutAfter = func(tr sftpserver.Transfer) int64 {
			// The server has just opened the file for us; the sender
			// writes the rest now.
			once.Do(func() {
				f, err := os.OpenFile(filepath.Join(root, "inbound", "999-413.x12"), os.O_WRONLY|os.O_APPEND, 0)
				if err == nil {
					_, _ = f.Write(ack[half:])
					f.Close()
				}
			})
			return -1
		}
	})
	box := b.dial(t)
	b.drop(t, "inbound/999-413.x12", ack[:half])

	p, err := b.settledPoll(t, box)
	require.Equal(t, sftpbox.Polled{Failed: 1}, p)
	require.ErrorContains(t, err, "read /inbound/999-413.x12")
	require.ErrorContains(t, err, "changed")
	require.Zero(t, b.store.stored())

	p, err = box.Poll(t.Context(), b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Unsettled: 1}, p, "it must settle again")
	b.clock.Advance(settle)
	p, err = box.Poll(t.Context(), b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, p)
	require.True(t, b.store.has(ack))
	require.Equal(t, 1, b.store.stored())
}

func TestKeepErrorLeavesFile(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ack := testdata(t, "999-accepted.x12")
	b.drop(t, "inbound/999-412.x12", ack)
	b.store.setFail(errors.New("database is down"))

	p, err := b.settledPoll(t, box)
	require.Equal(t, sftpbox.Polled{Failed: 1}, p)
	var e *sftpbox.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "keep", e.Step)
	require.Equal(t, "/inbound/999-412.x12", e.Path)
	require.ErrorContains(t, err, "database is down")
	require.Equal(t, ack, b.read(t, "inbound/999-412.x12"), "left in place")
	require.False(t, b.exists("archive/999-412.x12"))

	// The store is back: the next poll takes it, without settling again.
	b.store.setFail(nil)
	p, err = box.Poll(t.Context(), b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 1}, p)
	require.True(t, b.store.has(ack))
	require.False(t, b.exists("inbound/999-412.x12"))
}

// The caller has stored the file but it cannot be moved away: it is
// delivered again until it can, and the caller's store, deduplicating by
// hash, holds it once. Nothing is lost and nothing is stored twice.
func TestMoveFailureRedelivers(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.cfg.Archive = "/archive/2024" // not there yet
	box := b.dial(t)
	ctx := t.Context()
	accepted := testdata(t, "999-accepted.x12")
	rejected := testdata(t, "999-rejected.x12")
	b.drop(t, "inbound/999-412.x12", accepted)
	b.drop(t, "inbound/999-413.x12", rejected)

	p, err := b.settledPoll(t, box)
	require.Equal(t, sftpbox.Polled{Failed: 2}, p)
	var e *sftpbox.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "rename", e.Step)
	require.Contains(t, err.Error(), "/inbound/999-412.x12")
	require.Contains(t, err.Error(), "/inbound/999-413.x12")
	require.Contains(t, err.Error(), "/archive/2024/999-412.x12")

	p, err = box.Poll(ctx, b.store.keep)
	require.Error(t, err)
	require.Equal(t, sftpbox.Polled{Failed: 2}, p)
	require.Equal(t, 2, b.store.delivered(accepted))
	require.Equal(t, 2, b.store.delivered(rejected))

	require.NoError(t, os.Mkdir(b.path("archive/2024"), 0o755))
	p, err = box.Poll(ctx, b.store.keep)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 2}, p)

	require.Equal(t, 3, b.store.delivered(accepted))
	require.Equal(t, 3, b.store.delivered(rejected))
	require.Equal(t, 2, b.store.stored(), "each content stored once")
	require.Equal(t, accepted, b.read(t, "archive/2024/999-412.x12"))
	require.Equal(t, rejected, b.read(t, "archive/2024/999-413.x12"))
	require.False(t, b.exists("inbound/999-412.x12"))
	require.False(t, b.exists("inbound/999-413.x12"))
}

func TestArchiveNameReused(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	accepted := testdata(t, "999-accepted.x12")
	rejected := testdata(t, "999-rejected.x12")

	b.drop(t, "inbound/ack.x12", accepted)
	p, err := b.settledPoll(t, box)
	require.NoError(t, err)
	require.Equal(t, 1, p.Taken)

	// The clearinghouse uses the same name for its next file.
	b.drop(t, "inbound/ack.x12", rejected)
	p, err = b.settledPoll(t, box)
	require.NoError(t, err)
	require.Equal(t, 1, p.Taken)
	require.Equal(t, accepted, b.read(t, "archive/ack.x12"), "the first archived copy is kept")
	matches, err := filepath.Glob(b.path("archive/ack.x12.*"))
	require.NoError(t, err)
	require.Len(t, matches, 1)
	got, err := os.ReadFile(matches[0])
	require.NoError(t, err)
	require.Equal(t, rejected, got)

	// And sends the second one again.
	b.drop(t, "inbound/ack.x12", rejected)
	p, err = b.settledPoll(t, box)
	require.NoError(t, err)
	require.Equal(t, 1, p.Taken)
	require.False(t, b.exists("inbound/ack.x12"))
	matches, err = filepath.Glob(b.path("archive/ack.x12*"))
	require.NoError(t, err)
	require.Len(t, matches, 2, "the same bytes are not archived twice")
	require.Equal(t, 2, b.store.stored())
}

func TestPutTwice(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ctx := t.Context()
	req := testdata(t, "270-request.x12")

	require.NoError(t, box.Put(ctx, "ELG1201.x12", req))
	require.NoError(t, box.Put(ctx, "ELG1201.x12", req), "the same bytes again: nothing to do")

	other := bytes.Replace(req, []byte("ELG1201"), []byte("ELG1299"), 1)
	require.Len(t, other, len(req))
	err := box.Put(ctx, "ELG1201.x12", other)
	require.ErrorIs(t, err, sftpbox.ErrExists)
	require.ErrorContains(t, err, "/outbound/ELG1201.x12")

	err = box.Put(ctx, "ELG1201.x12", append(req, '\n'))
	require.ErrorIs(t, err, sftpbox.ErrExists)
	require.Equal(t, req, b.read(t, "outbound/ELG1201.x12"), "left alone")

	// A stale .part from an earlier, broken attempt is overwritten.
	b.drop(t, "outbound/ELG1202.x12.part", []byte("ISA*00*"))
	require.NoError(t, box.Put(ctx, "ELG1202.x12", other))
	require.Equal(t, other, b.read(t, "outbound/ELG1202.x12"))
	require.False(t, b.exists("outbound/ELG1202.x12.part"))
}

func TestPutNames(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	for _, name := range []string{"", ".", "..", "../escape.x12", "sub/a.x12", ".hidden", "a.x12.part", "nul\x00.x12"} {
		err := box.Put(t.Context(), name, []byte("x"))
		require.ErrorContains(t, err, "not a plain file name", "%q", name)
	}
	entries, err := os.ReadDir(b.path("outbound"))
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestPutCutByDroppedConnection(t *testing.T) {
	t.Parallel()
	var cuts atomic.Int32
	b := setup(t, func(o *sftpserver.Options) {
		o.CutAfter = func(tr sftpserver.Transfer) int64 {
			if tr.Write && cuts.Add(1) == 1 {
				return 100
			}
			return -1
		}
	})
	box := b.dial(t)
	req := testdata(t, "270-request.x12")

	err := box.Put(t.Context(), "ELG1201.x12", req)
	require.ErrorIs(t, err, sftpbox.ErrConnLost)
	var e *sftpbox.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "write", e.Step)
	require.Equal(t, "/outbound/ELG1201.x12.part", e.Path)
	require.False(t, b.exists("outbound/ELG1201.x12"), "nothing under the final name")

	require.ErrorIs(t, box.Put(t.Context(), "ELG1201.x12", req), sftpbox.ErrConnLost, "the Box is done")

	box = b.dial(t)
	require.NoError(t, box.Put(t.Context(), "ELG1201.x12", req))
	require.Equal(t, req, b.read(t, "outbound/ELG1201.x12"))
	require.False(t, b.exists("outbound/ELG1201.x12.part"))
}

func TestPollReadCutByDroppedConnection(t *testing.T) {
	t.Parallel()
	var cuts atomic.Int32
	b := setup(t, func(o *sftpserver.Options) {
		o.CutAfter = func(tr sftpserver.Transfer) int64 {
			if !tr.Write && cuts.Add(1) == 1 {
				return 0
			}
			return -1
		}
	})
	box := b.dial(t)
	accepted := testdata(t, "999-accepted.x12")
	rejected := testdata(t, "999-rejected.x12")
	b.drop(t, "inbound/999-412.x12", accepted)
	b.drop(t, "inbound/999-413.x12", rejected)

	p, err := b.settledPoll(t, box)
	require.Equal(t, sftpbox.Polled{Failed: 2}, p, "one cut, one not reached")
	require.ErrorIs(t, err, sftpbox.ErrConnLost)
	var e *sftpbox.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "read", e.Step)
	require.Equal(t, "/inbound/999-412.x12", e.Path)
	require.Zero(t, b.store.stored())
	require.True(t, b.exists("inbound/999-412.x12"))
	require.True(t, b.exists("inbound/999-413.x12"))

	box = b.dial(t)
	p, err = b.settledPoll(t, box)
	require.NoError(t, err)
	require.Equal(t, sftpbox.Polled{Taken: 2}, p)
	require.Equal(t, 1, b.store.delivered(accepted))
	require.Equal(t, 1, b.store.delivered(rejected))
}

func TestStepTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var once sync.Once
	b := setup(t, func(o *sftpserver.Options) {
		o.CutAfter = func(sftpserver.Transfer) int64 {
			<-release // the server stalls on opening a file
			return -1
		}
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	b.cfg.Timeout = time.Second
	box := b.dial(t)
	b.drop(t, "inbound/a.x12", testdata(t, "999-accepted.x12"))

	p, err := b.settledPoll(t, box)
	require.Equal(t, sftpbox.Polled{Failed: 1}, p)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorContains(t, err, "read /inbound/a.x12")
	once.Do(func() { close(release) })
	require.True(t, b.exists("inbound/a.x12"))
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	box := b.dial(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, box.Put(ctx, "a.x12", []byte("x")), context.Canceled)
	_, err := box.Poll(ctx, b.store.keep)
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, b.exists("outbound/a.x12"))
	require.NoError(t, box.Put(t.Context(), "a.x12", []byte("x")), "a call that never started leaves the Box usable")
	_, err = sftpbox.Dial(ctx, b.cfg)
	require.ErrorIs(t, err, context.Canceled)
}

func TestHostKeyPinned(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	other, err := sftpserver.NewHostKey()
	require.NoError(t, err)
	b.cfg.HostKey = string(ssh.MarshalAuthorizedKey(other.PublicKey()))

	_, err = sftpbox.Dial(t.Context(), b.cfg)
	require.ErrorIs(t, err, sftpbox.ErrHostKeyMismatch)
	require.NotErrorIs(t, err, sftpbox.ErrLogin)
	require.ErrorContains(t, err, b.srv.Addr())
	require.ErrorContains(t, err, ssh.FingerprintSHA256(other.PublicKey()), "names the pinned key")
	shown, _, _, _, err2 := ssh.ParseAuthorizedKey([]byte(b.srv.HostKey()))
	require.NoError(t, err2)
	require.ErrorContains(t, err, ssh.FingerprintSHA256(shown), "names the key shown")
	require.NotContains(t, err.Error(), password)
}

func TestLogin(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	keyPEM := pem.EncodeToMemory(block)
	_, otherPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err = ssh.MarshalPrivateKey(otherPriv, "")
	require.NoError(t, err)
	otherPEM := pem.EncodeToMemory(block)

	b := setup(t, func(o *sftpserver.Options) { o.AuthorizedKeys = []ssh.PublicKey{sshPub} })

	tests := []struct {
		name     string
		password string
		key      []byte
		ok       bool
	}{
		{"password", password, nil, true},
		{"key", "", keyPEM, true},
		{"wrong key, right password", password, otherPEM, true},
		{"wrong password", "Wrong-" + password, nil, false},
		{"wrong key", "", otherPEM, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := b.cfg
			cfg.Password, cfg.PrivateKey = tt.password, tt.key
			box, err := sftpbox.Dial(t.Context(), cfg)
			if tt.ok {
				require.NoError(t, err)
				require.NoError(t, box.Close())
				return
			}
			require.ErrorIs(t, err, sftpbox.ErrLogin)
			require.ErrorContains(t, err, `"billing"`)
			require.NotContains(t, err.Error(), password)
			require.NotContains(t, err.Error(), "PRIVATE KEY")
		})
	}
}

func TestConfigChecks(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	tests := []struct {
		name   string
		change func(*sftpbox.Config)
		want   string
	}{
		{"no address", func(c *sftpbox.Config) { c.Addr = "" }, "no server address"},
		{"bad address", func(c *sftpbox.Config) { c.Addr = "localhost" }, "server address"},
		{"no user", func(c *sftpbox.Config) { c.User = "" }, "no user name"},
		{"no host key", func(c *sftpbox.Config) { c.HostKey = "" }, "no pinned host key"},
		{"bad host key", func(c *sftpbox.Config) { c.HostKey = "ssh-ed25519 AAAA" }, "pinned host key"},
		{"no secret", func(c *sftpbox.Config) { c.Password = "" }, "neither a password nor a private key"},
		{"bad private key", func(c *sftpbox.Config) { c.PrivateKey = []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n") }, "private key"},
		{"negative settle", func(c *sftpbox.Config) { c.Settle = -time.Second }, "negative settle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := b.cfg
			tt.change(&cfg)
			_, err := sftpbox.Dial(t.Context(), cfg)
			require.ErrorContains(t, err, tt.want)
			require.NotContains(t, err.Error(), password)
			require.NotContains(t, err.Error(), "not a key")
		})
	}
}

func TestConfigHidesSecrets(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	cfg := sftpbox.Config{Addr: "sftp.example.com:22", User: user, Password: password, PrivateKey: pem.EncodeToMemory(block), Inbound: "/in"}

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "sftp", cfg)
	for _, out := range []string{
		fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%v", &cfg), logged.String(),
	} {
		require.NotContains(t, out, password)
		require.NotContains(t, out, "PRIVATE KEY")
		require.NotContains(t, out, string(block.Bytes[:8]))
		require.Contains(t, out, "sftp.example.com:22")
		require.True(t, strings.Contains(out, "set"), out)
	}
}

func TestPollNeedsInbound(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.cfg.Inbound = "/nowhere"
	box := b.dial(t)
	_, err := box.Poll(t.Context(), b.store.keep)
	var e *sftpbox.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "list", e.Step)
	require.Equal(t, "/nowhere", e.Path)
	require.ErrorIs(t, err, os.ErrNotExist)
}
