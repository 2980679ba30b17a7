package sftpserver_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpserver"
	"github.com/pkg/sftp"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
)

const (
	user     = "billing"
	password = "correct horse"
)

type testBundle struct {
	srv  *sftpserver.Server
	root string
	opts sftpserver.Options
}

// setup starts a server on a fresh directory; change tunes its options.
func setup(t *testing.T, change func(*sftpserver.Options)) *testBundle {
	t.Helper()
	root := t.TempDir()
	opts := sftpserver.Options{Root: root, User: user, Password: password, Logger: slog.New(slog.DiscardHandler)}
	if change != nil {
		change(&opts)
	}
	srv, err := sftpserver.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	return &testBundle{srv: srv, root: root, opts: opts}
}

// pinned returns a host key check that accepts only the server's key.
func pinned(t *testing.T, srv *sftpserver.Server) ssh.HostKeyCallback {
	t.Helper()
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(srv.HostKey()))
	require.NoError(t, err)
	return ssh.FixedHostKey(key)
}

func dialSSH(t *testing.T, srv *sftpserver.Server, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	t.Helper()
	c, err := ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: pinned(t, srv),
	})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

// connect logs in with the password and opens an SFTP session.
func connect(t *testing.T, srv *sftpserver.Server) *sftp.Client {
	t.Helper()
	conn, err := dialSSH(t, srv, ssh.Password(password))
	require.NoError(t, err)
	c, err := sftp.NewClient(conn)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func put(t *testing.T, c *sftp.Client, name string, body []byte) {
	t.Helper()
	f, err := c.Create(name)
	require.NoError(t, err)
	_, err = f.Write(body)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func get(c *sftp.Client, name string) ([]byte, error) {
	f, err := c.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := connect(t, b.srv)

	require.NoError(t, c.Mkdir("/outbound"))
	body := bytes.Repeat([]byte("ISA*00*~"), 20000) // several packets' worth
	put(t, c, "/outbound/batch.x12", body)

	onDisk, err := os.ReadFile(filepath.Join(b.root, "outbound", "batch.x12"))
	require.NoError(t, err)
	require.Equal(t, body, onDisk)

	got, err := get(c, "outbound/batch.x12") // relative to "/"
	require.NoError(t, err)
	require.Equal(t, body, got)

	require.NoError(t, os.WriteFile(filepath.Join(b.root, "outbound", "b.x12"), []byte("x"), 0o644))
	list, err := c.ReadDir("/outbound")
	require.NoError(t, err)
	var names []string
	for _, fi := range list {
		names = append(names, fi.Name())
	}
	require.Equal(t, []string{"b.x12", "batch.x12"}, names)

	fi, err := c.Stat("/outbound/batch.x12")
	require.NoError(t, err)
	require.Equal(t, int64(len(body)), fi.Size())

	require.NoError(t, c.Remove("/outbound/b.x12"))
	require.Error(t, c.Remove("/outbound"), "remove is unlink: no directories")
	require.Error(t, c.RemoveDirectory("/outbound/batch.x12"), "rmdir takes directories only")
	_, err = c.Stat("/outbound/b.x12")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestRenameDoesNotReplace(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := connect(t, b.srv)

	put(t, c, "/a", []byte("first"))
	put(t, c, "/b", []byte("second"))

	// Plain SFTP rename must refuse an existing target and leave both.
	require.Error(t, c.Rename("/a", "/b"))
	got, err := get(c, "/b")
	require.NoError(t, err)
	require.Equal(t, "second", string(got))
	_, err = c.Stat("/a")
	require.NoError(t, err)

	require.NoError(t, c.Rename("/a", "/c"))
	_, err = c.Stat("/a")
	require.ErrorIs(t, err, os.ErrNotExist)
	got, err = get(c, "/c")
	require.NoError(t, err)
	require.Equal(t, "first", string(got))

	// posix-rename replaces.
	require.NoError(t, c.PosixRename("/c", "/b"))
	got, err = get(c, "/b")
	require.NoError(t, err)
	require.Equal(t, "first", string(got))

	// Directories move too.
	require.NoError(t, c.Mkdir("/d"))
	require.NoError(t, c.Rename("/d", "/e"))
	fi, err := c.Stat("/e")
	require.NoError(t, err)
	require.True(t, fi.IsDir())
}

func TestChroot(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret"), []byte("outside"), 0o644))
	b := setup(t, nil)
	require.NoError(t, os.Symlink(outside, filepath.Join(b.root, "abs")))
	require.NoError(t, os.Symlink(filepath.Join("..", filepath.Base(outside)), filepath.Join(b.root, "rel")))
	require.NoError(t, os.Symlink("inside", filepath.Join(b.root, "ok")))
	require.NoError(t, os.WriteFile(filepath.Join(b.root, "inside"), []byte("in"), 0o644))
	c := connect(t, b.srv)

	for _, p := range []string{
		"/abs/secret",
		"/rel/secret",
		"abs/secret",
	} {
		_, err := get(c, p)
		require.Error(t, err, p)
		_, err = c.Stat(p)
		require.Error(t, err, p)
		_, err = c.Create(p)
		require.Error(t, err, p)
	}
	_, err := c.ReadDir("/abs")
	require.Error(t, err)

	// ".." cannot climb above "/": these land inside the root.
	put(t, c, "/../../escape", []byte("x"))
	put(t, c, "../escape2", []byte("y"))
	_, err = os.Stat(filepath.Join(b.root, "escape"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(b.root, "escape2"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(filepath.Dir(b.root), "escape"))
	require.ErrorIs(t, err, os.ErrNotExist)

	// A link that stays inside is followed.
	got, err := get(c, "/ok")
	require.NoError(t, err)
	require.Equal(t, "in", string(got))

	// New links cannot be made, nor old ones read.
	require.Error(t, c.Symlink("/etc/passwd", "/pw"))
	_, err = c.ReadLink("/abs")
	require.Error(t, err)

	// Errors name the client's path, not the directory on disk.
	_, err = c.Open("/missing/file")
	require.ErrorIs(t, err, os.ErrNotExist)
	require.NotContains(t, err.Error(), b.root)

	got, err = os.ReadFile(filepath.Join(outside, "secret"))
	require.NoError(t, err)
	require.Equal(t, "outside", string(got))
}

func TestLogin(t *testing.T) {
	t.Parallel()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signer, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	sshPub, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	_, otherPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	other, err := ssh.NewSignerFromKey(otherPriv)
	require.NoError(t, err)

	keyOnly := setup(t, func(o *sftpserver.Options) {
		o.Password = ""
		o.AuthorizedKeys = []ssh.PublicKey{sshPub}
	})
	withPassword := setup(t, nil)

	tests := []struct {
		name string
		srv  *sftpserver.Server
		user string
		auth ssh.AuthMethod
		ok   bool
	}{
		{"password", withPassword.srv, user, ssh.Password(password), true},
		{"wrong password", withPassword.srv, user, ssh.Password("wrong"), false},
		{"empty password", withPassword.srv, user, ssh.Password(""), false},
		{"wrong user", withPassword.srv, "someone", ssh.Password(password), false},
		{"key", keyOnly.srv, user, ssh.PublicKeys(signer), true},
		{"unknown key", keyOnly.srv, user, ssh.PublicKeys(other), false},
		{"key, wrong user", keyOnly.srv, "someone", ssh.PublicKeys(signer), false},
		{"password where only keys are taken", keyOnly.srv, user, ssh.Password(password), false},
		{"key where only passwords are taken", withPassword.srv, user, ssh.PublicKeys(signer), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := ssh.Dial("tcp", tt.srv.Addr(), &ssh.ClientConfig{
				User:            tt.user,
				Auth:            []ssh.AuthMethod{tt.auth},
				HostKeyCallback: pinned(t, tt.srv),
			})
			if !tt.ok {
				require.ErrorContains(t, err, "unable to authenticate")
				return
			}
			require.NoError(t, err)
			c.Close()
		})
	}
}

func TestOnlySFTPIsServed(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	conn, err := dialSSH(t, b.srv, ssh.Password(password))
	require.NoError(t, err)

	s, err := conn.NewSession()
	require.NoError(t, err)
	require.Error(t, s.Run("ls /"))
	s.Close()

	s, err = conn.NewSession()
	require.NoError(t, err)
	require.Error(t, s.Shell())
	s.Close()

	s, err = conn.NewSession()
	require.NoError(t, err)
	require.Error(t, s.RequestSubsystem("other"))
	s.Close()

	_, err = conn.Dial("tcp", "127.0.0.1:1")
	require.Error(t, err, "port forwarding is refused")

	// The connection still serves SFTP after all that.
	c, err := sftp.NewClient(conn)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.ReadDir("/")
	require.NoError(t, err)
}

func TestStartNeedsALogin(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tests := []struct {
		name string
		opts sftpserver.Options
		want string
	}{
		{"no user", sftpserver.Options{Root: root, Password: "p"}, "no user"},
		{"no way in", sftpserver.Options{Root: root, User: "u"}, "nobody could log in"},
		{"no root", sftpserver.Options{Root: filepath.Join(root, "missing"), User: "u", Password: "p"}, "open root"},
		{"bad address", sftpserver.Options{Addr: "127.0.0.1:-1", Root: root, User: "u", Password: "p"}, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sftpserver.Start(tt.opts)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestCutWrite(t *testing.T) {
	t.Parallel()
	var cuts atomic.Int32
	b := setup(t, func(o *sftpserver.Options) {
		o.CutAfter = func(tr sftpserver.Transfer) int64 {
			if tr.Write && tr.Path == "/big" && cuts.Add(1) == 1 {
				return 40000
			}
			return -1
		}
	})
	c := connect(t, b.srv)
	body := bytes.Repeat([]byte("0123456789"), 10000)

	f, err := c.Create("/big")
	require.NoError(t, err)
	_, err = f.Write(body)
	if err == nil {
		err = f.Close()
	}
	require.Error(t, err, "the write must see the connection drop")
	require.Error(t, c.Wait(), "the connection is gone")

	onDisk, err := os.ReadFile(filepath.Join(b.root, "big"))
	require.NoError(t, err)
	require.LessOrEqual(t, len(onDisk), 40000)
	require.Equal(t, body[:len(onDisk)], onDisk)

	// Only the first transfer was cut.
	c = connect(t, b.srv)
	put(t, c, "/big", body)
	got, err := get(c, "/big")
	require.NoError(t, err)
	require.Equal(t, body, got)
}

func TestCutRead(t *testing.T) {
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
	body := bytes.Repeat([]byte("0123456789"), 10000)
	require.NoError(t, os.WriteFile(filepath.Join(b.root, "big"), body, 0o644))
	c := connect(t, b.srv)

	got, err := get(c, "/big")
	require.Error(t, err)
	require.Less(t, len(got), len(body))

	c = connect(t, b.srv)
	got, err = get(c, "/big")
	require.NoError(t, err)
	require.Equal(t, body, got)
}

func TestCloseAndRestart(t *testing.T) {
	t.Parallel()
	key, err := sftpserver.NewHostKey()
	require.NoError(t, err)
	b := setup(t, func(o *sftpserver.Options) { o.HostKey = key })
	c := connect(t, b.srv)
	put(t, c, "/kept", []byte("kept"))

	require.NoError(t, b.srv.Close())
	require.NoError(t, b.srv.Close(), "a second Close is harmless")
	_, err = c.ReadDir("/")
	require.Error(t, err, "open connections are dropped")

	opts := b.opts
	opts.Addr = b.srv.Addr()
	again, err := sftpserver.Start(opts)
	require.NoError(t, err)
	defer again.Close()
	require.Equal(t, b.srv.HostKey(), again.HostKey())
	require.True(t, strings.HasPrefix(again.HostKey(), "ssh-ed25519 "))

	c = connect(t, again)
	got, err := get(c, "/kept")
	require.NoError(t, err)
	require.Equal(t, "kept", string(got))
}

func TestSetstat(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	c := connect(t, b.srv)
	put(t, c, "/f", []byte("0123456789"))

	require.NoError(t, c.Truncate("/f", 4))
	require.NoError(t, c.Chmod("/f", 0o600))
	fi, err := c.Stat("/f")
	require.NoError(t, err)
	require.Equal(t, int64(4), fi.Size())
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	require.Error(t, c.Chown("/f", 0, 0))
}

func TestLogsNoPasswords(t *testing.T) {
	t.Parallel()
	var logged syncBuffer
	b := setup(t, func(o *sftpserver.Options) { o.Logger = slog.New(slog.NewTextHandler(&logged, nil)) })
	_, err := dialSSH(t, b.srv, ssh.Password("Wrong-"+password))
	require.Error(t, err)
	connect(t, b.srv)

	out := logged.String()
	require.Contains(t, out, "sftp login refused")
	require.Contains(t, out, "user="+user)
	require.Contains(t, out, "method=password")
	require.NotContains(t, out, password)
}

// syncBuffer is a bytes.Buffer the server's goroutines may write to at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
