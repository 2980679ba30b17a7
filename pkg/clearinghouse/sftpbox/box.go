// Package sftpbox exchanges X12 files with a clearinghouse through its SFTP
// mailbox: files we send go into an outbound folder, files the
// clearinghouse sends (acknowledgments, 271s, 277s, 835s) are collected
// from an inbound folder.
//
// The exchange is built so that no file is lost and none is half-read,
// whatever the network does:
//
//   - Put uploads under a temporary ".part" name and renames the file into
//     place only once the remote size matches, so the clearinghouse never
//     picks up half a file. Sending the same bytes again is harmless.
//   - Poll takes an inbound file only once it has stopped changing, reads it
//     whole, hands it to the caller to store, and removes it from the
//     inbound folder (or moves it to an archive folder) only after the
//     caller has stored it. Any failure leaves the file where it is, to be
//     offered again; the caller's store must therefore take the same
//     content twice as once (by content hash).
//   - Run polls on an interval and dials again, with backoff, after the
//     connection drops.
//
// The server's host key is pinned: a connection to a server showing any
// other key is refused. Passwords and private keys never appear in errors;
// errors name the remote path and the step that failed.
package sftpbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// Defaults for Config.
const (
	// DefaultSettle is longer than the one-second resolution of SFTP file
	// times and than the pauses of a sender writing over a slow link. With
	// polls a minute apart it changes nothing: a file is taken at the
	// second poll that sees it unchanged.
	DefaultSettle = 10 * time.Second
	// DefaultTimeout bounds each remote step.
	DefaultTimeout = 30 * time.Second
)

// Config says where a clearinghouse mailbox is and how to log in to it.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// User is the login name.
	User string
	// HostKey pins the server's public key, in authorized_keys form
	// ("ssh-ed25519 AAAA..."). A server showing another key is refused
	// with ErrHostKeyMismatch.
	HostKey string
	// Password is the login password, resolved by the caller from a secret
	// reference. It is never logged or put in an error.
	Password string
	// PrivateKey is an unencrypted private key in PEM form, for public-key
	// login. At least one of Password and PrivateKey is needed; with both,
	// the key is tried first.
	PrivateKey []byte
	// Outbound is the remote folder Put writes to.
	Outbound string
	// Inbound is the remote folder Poll collects from.
	Inbound string
	// Archive is the remote folder inbound files are moved to once the
	// caller has stored them. When empty they are removed instead.
	Archive string
	// Settle is how long an inbound file's size and time must stay the
	// same, between two listings, before Poll takes it; a file still being
	// written is left for a later poll. Default DefaultSettle.
	Settle time.Duration
	// Timeout bounds each remote step: dialling and logging in, a
	// listing, one file's transfer, a rename. A step that runs over closes
	// the connection. Default DefaultTimeout.
	Timeout time.Duration
	// Now is the clock for settling; default time.Now.
	Now func() time.Time
}

// String describes c with its secrets masked, so a Config can be logged.
func (c Config) String() string {
	return fmt.Sprintf("sftp://%s@%s (password %s, private key %s, outbound %q, inbound %q, archive %q)",
		c.User, c.Addr, mask(c.Password != ""), mask(len(c.PrivateKey) > 0), c.Outbound, c.Inbound, c.Archive)
}

// GoString is String, so %#v does not print the secrets either.
func (c Config) GoString() string { return c.String() }

// LogValue lets slog print c with its secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("user", c.User),
		slog.String("password", mask(c.Password != "")),
		slog.String("private_key", mask(len(c.PrivateKey) > 0)),
		slog.String("outbound", c.Outbound),
		slog.String("inbound", c.Inbound),
		slog.String("archive", c.Archive),
	)
}

func mask(set bool) string {
	if set {
		return "set"
	}
	return "unset"
}

var (
	// ErrHostKeyMismatch is returned when the server shows a host key
	// other than the pinned one.
	ErrHostKeyMismatch = errors.New("sftpbox: the server's host key is not the pinned one")
	// ErrLogin is returned when the server refuses the user's password or
	// key.
	ErrLogin = errors.New("sftpbox: login refused")
	// ErrExists is returned by Put when a different file already has the
	// name.
	ErrExists = errors.New("a different file already has this name")
	// ErrConnLost is returned, wrapped, for steps that failed because the
	// connection had dropped or was dropped under them.
	ErrConnLost = errors.New("connection lost")
)

// Error is a failure of one step on one remote path.
type Error struct {
	// Step is what was being done: "list", "stat", "read", "keep",
	// "write", "check size", "rename", "remove", "compare".
	Step string
	// Path is the remote path.
	Path string
	// Err is the cause.
	Err error
}

// Error says which step failed on which path, and why.
func (e *Error) Error() string { return "sftpbox: " + e.Step + " " + e.Path + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Box is an open connection to a clearinghouse mailbox. Its methods may be
// called from several goroutines; polls take turns. Once the connection
// has dropped, or a step was cut short by Timeout or by its context, every
// call fails with ErrConnLost: Close the Box and Dial again (Run does
// this).
type Box struct {
	cfg      Config
	ssh      *ssh.Client
	sftp     *sftp.Client
	lost     chan struct{} // closed when the connection ends
	lostOnce sync.Once

	pollMu sync.Mutex
	seen   map[string]sighting // what each inbound file looked like, by name
}

// Dial connects and logs in to the mailbox cfg describes.
func Dial(ctx context.Context, cfg Config) (*Box, error) {
	l, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	return l.dial(ctx)
}

// Close ends the connection.
func (b *Box) Close() error {
	defer b.markLost()
	err := b.sftp.Close()
	if cerr := b.ssh.Close(); err == nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

// markLost records that the connection has ended.
func (b *Box) markLost() { b.lostOnce.Do(func() { close(b.lost) }) }

// alive reports whether the connection is still up.
func (b *Box) alive() bool {
	select {
	case <-b.lost:
		return false
	default:
		return true
	}
}

// do runs one remote step, cutting it short when ctx ends or Timeout runs
// out. pkg/sftp's calls take no context, so the only way to stop one is to
// close the connection under it; the Box is unusable afterwards.
func (b *Box) do(ctx context.Context, step func() error) error {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.Timeout)
	defer cancel()
	if !b.alive() {
		return lostError{}
	}
	if err := ctx.Err(); err != nil {
		// Not started, so there is nothing to cut short.
		return err
	}
	stop := context.AfterFunc(ctx, func() { b.ssh.Close() })
	err := step()
	if !stop() {
		b.markLost()
		return fmt.Errorf("gave up and closed the connection: %w", ctx.Err())
	}
	if errors.Is(err, sftp.ErrSSHFxConnectionLost) {
		b.markLost()
	}
	if err != nil && !b.alive() {
		return lostError{err}
	}
	return err
}

// lostError is a step's error once the connection is known to be gone.
type lostError struct{ cause error }

func (e lostError) Error() string {
	if e.cause == nil || errors.Is(e.cause, sftp.ErrSSHFxConnectionLost) {
		return ErrConnLost.Error()
	}
	return ErrConnLost.Error() + ": " + e.cause.Error()
}

func (e lostError) Is(target error) bool { return target == ErrConnLost }

func (e lostError) Unwrap() error { return e.cause }
