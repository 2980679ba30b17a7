package sftpbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// login is a checked Config with its keys parsed, ready to dial as often
// as needed.
type login struct {
	cfg     Config
	hostKey ssh.PublicKey
	signer  ssh.Signer
}

// prepare checks cfg, fills in defaults and parses the keys. Its errors
// are about the configuration, so retrying will not help.
func prepare(cfg Config) (*login, error) {
	checks := []struct {
		bad bool
		msg string
	}{
		{cfg.Addr == "", "no server address"},
		{cfg.User == "", "no user name"},
		{cfg.HostKey == "", "no pinned host key; an unknown server is never trusted"},
		{cfg.Password == "" && len(cfg.PrivateKey) == 0, "neither a password nor a private key"},
		{cfg.Settle < 0, "negative settle time"},
		{cfg.Timeout < 0, "negative timeout"},
	}
	for _, c := range checks {
		if c.bad {
			return nil, errors.New("sftpbox: config: " + c.msg)
		}
	}
	if cfg.Settle == 0 {
		cfg.Settle = DefaultSettle
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("sftpbox: config: server address: %w", err)
	}
	l := &login{cfg: cfg}
	var err error
	l.hostKey, _, _, _, err = ssh.ParseAuthorizedKey([]byte(cfg.HostKey))
	if err != nil {
		return nil, fmt.Errorf("sftpbox: config: pinned host key: %w", err)
	}
	if len(cfg.PrivateKey) > 0 {
		// The parser's errors say what is wrong with the key, never what
		// is in it.
		l.signer, err = ssh.ParsePrivateKey(cfg.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("sftpbox: config: private key: %w", err)
		}
	}
	return l, nil
}

// hostKeyAlgorithms asks the server for the kind of key that is pinned, so
// a server holding several host keys shows that one.
func hostKeyAlgorithms(key ssh.PublicKey) []string {
	if key.Type() == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{key.Type()}
}

// dial connects, checks the host key, logs in and starts an SFTP session,
// all within Timeout.
func (l *login) dial(ctx context.Context) (*Box, error) {
	addr := l.cfg.Addr
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()

	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sftpbox: dial %s: %w", addr, err)
	}
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()

	// The handshake's error alone does not say which phase failed; these
	// record how far it got.
	var keyOK, authTried atomic.Bool
	var auth []ssh.AuthMethod
	if l.signer != nil {
		auth = append(auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			authTried.Store(true)
			return []ssh.Signer{l.signer}, nil
		}))
	}
	if l.cfg.Password != "" {
		auth = append(auth, ssh.PasswordCallback(func() (string, error) {
			authTried.Store(true)
			return l.cfg.Password, nil
		}))
	}
	conf := &ssh.ClientConfig{
		User: l.cfg.User,
		Auth: auth,
		HostKeyCallback: func(_ string, _ net.Addr, key ssh.PublicKey) error {
			if !keysEqual(key, l.hostKey) {
				return &mismatchError{addr: addr, shown: key, pinned: l.hostKey}
			}
			keyOK.Store(true)
			return nil
		},
		HostKeyAlgorithms: hostKeyAlgorithms(l.hostKey),
	}
	conn, chans, reqs, err := ssh.NewClientConn(nc, addr, conf)
	if err != nil {
		nc.Close()
		var mismatch *mismatchError
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("sftpbox: dial %s: gave up during the handshake: %w", addr, ctx.Err())
		case errors.As(err, &mismatch):
			// The callback's own error says it all, without the ssh
			// package's prefix.
			return nil, mismatch
		case keyOK.Load() && authTried.Load():
			return nil, fmt.Errorf("%w: %s turned away user %q; check the password or key (%w)", ErrLogin, addr, l.cfg.User, err)
		}
		return nil, fmt.Errorf("sftpbox: dial %s: %w", addr, err)
	}
	client := ssh.NewClient(conn, chans, reqs)
	sc, err := sftp.NewClient(client)
	if err != nil {
		client.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("sftpbox: start sftp on %s: %w", addr, err)
	}
	if !stop() {
		// Timed out just as the session started; the connection is closed.
		sc.Close()
		client.Close()
		return nil, fmt.Errorf("sftpbox: dial %s: %w", addr, ctx.Err())
	}
	b := &Box{
		cfg:  l.cfg,
		ssh:  client,
		sftp: sc,
		lost: make(chan struct{}),
		seen: make(map[string]sighting),
	}
	go func() {
		_ = sc.Wait()
		b.markLost()
	}()
	return b, nil
}

func keysEqual(a, b ssh.PublicKey) bool {
	return a.Type() == b.Type() && string(a.Marshal()) == string(b.Marshal())
}

// mismatchError names both keys by fingerprint, so whoever reads it can
// tell a rotated server key from a wrong address.
type mismatchError struct {
	addr          string
	shown, pinned ssh.PublicKey
}

func (e *mismatchError) Error() string {
	return fmt.Sprintf("%s: %s showed %s %s, pinned is %s %s", ErrHostKeyMismatch, e.addr,
		e.shown.Type(), ssh.FingerprintSHA256(e.shown), e.pinned.Type(), ssh.FingerprintSHA256(e.pinned))
}

func (e *mismatchError) Is(target error) bool { return target == ErrHostKeyMismatch }
