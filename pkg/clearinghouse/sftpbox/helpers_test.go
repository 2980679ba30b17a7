package sftpbox_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpbox"
	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpserver"
	"github.com/stretchr/testify/require"
)

const (
	user     = "billing"
	password = "s3cret-Passw0rd"
	settle   = time.Minute
)

// clock is a settling clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// store is what a caller's keep does: it stores each content once, by
// hash, and counts how often each was delivered.
type store struct {
	mu         sync.Mutex
	bodies     map[[32]byte][]byte
	deliveries map[[32]byte]int
	fail       error // when set, keep returns it and stores nothing
	kept       chan sftpbox.File
}

func newStore() *store {
	return &store{
		bodies:     make(map[[32]byte][]byte),
		deliveries: make(map[[32]byte]int),
		kept:       make(chan sftpbox.File, 100),
	}
}

func (s *store) keep(_ context.Context, f sftpbox.File) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if int64(len(f.Body)) != f.Size {
		return errors.New("size and body disagree")
	}
	h := sha256.Sum256(f.Body)
	s.deliveries[h]++
	if s.fail != nil {
		return s.fail
	}
	s.bodies[h] = f.Body
	select {
	case s.kept <- f:
	default:
	}
	return nil
}

func (s *store) setFail(err error) {
	s.mu.Lock()
	s.fail = err
	s.mu.Unlock()
}

// has reports whether body is stored.
func (s *store) has(body []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.bodies[sha256.Sum256(body)]
	return ok
}

func (s *store) stored() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func (s *store) delivered(body []byte) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries[sha256.Sum256(body)]
}

type testBundle struct {
	srv   *sftpserver.Server
	opts  sftpserver.Options
	root  string
	cfg   sftpbox.Config
	clock *clock
	store *store
}

// setup starts a server whose root holds outbound, inbound and archive
// folders, and a Config for it with a hand-moved clock.
func setup(t *testing.T, change func(*sftpserver.Options)) *testBundle {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"outbound", "inbound", "archive"} {
		require.NoError(t, os.Mkdir(filepath.Join(root, d), 0o755))
	}
	opts := sftpserver.Options{Root: root, User: user, Password: password, Logger: slog.New(slog.DiscardHandler)}
	if change != nil {
		change(&opts)
	}
	srv, err := sftpserver.Start(opts)
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	c := &clock{t: time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC)}
	return &testBundle{
		srv:   srv,
		opts:  opts,
		root:  root,
		clock: c,
		store: newStore(),
		cfg: sftpbox.Config{
			Addr:     srv.Addr(),
			User:     user,
			HostKey:  srv.HostKey(),
			Password: password,
			Outbound: "/outbound",
			Inbound:  "/inbound",
			Archive:  "/archive",
			Settle:   settle,
			Now:      c.Now,
		},
	}
}

func (b *testBundle) dial(t *testing.T) *sftpbox.Box {
	t.Helper()
	box, err := sftpbox.Dial(t.Context(), b.cfg)
	require.NoError(t, err)
	t.Cleanup(func() { box.Close() })
	return box
}

// path is where a remote path lies on disk.
func (b *testBundle) path(remote string) string {
	return filepath.Join(b.root, filepath.FromSlash(remote))
}

// drop puts a file in a remote folder from the server's side.
func (b *testBundle) drop(t *testing.T, remote string, body []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(b.path(remote), body, 0o644))
}

func (b *testBundle) exists(remote string) bool {
	_, err := os.Stat(b.path(remote))
	return err == nil
}

func (b *testBundle) read(t *testing.T, remote string) []byte {
	t.Helper()
	body, err := os.ReadFile(b.path(remote))
	require.NoError(t, err)
	return body
}

// settledPoll polls once to see the files and once more a Settle later to
// take them.
func (b *testBundle) settledPoll(t *testing.T, box *sftpbox.Box) (sftpbox.Polled, error) {
	t.Helper()
	_, err := box.Poll(t.Context(), b.store.keep)
	require.NoError(t, err)
	b.clock.Advance(settle)
	return box.Poll(t.Context(), b.store.keep)
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return body
}

// within fails the test if ch yields nothing before a generous limit; it
// guards against a hang and says nothing about speed.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}
