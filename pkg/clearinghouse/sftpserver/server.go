// Package sftpserver is a small SFTP server: one user, one directory on
// disk, served over SSH on a TCP address. The development binary runs it
// as a stand-in clearinghouse, and the tests of the SFTP transport
// (pkg/clearinghouse/sftpbox) run against it, so both speak the real
// protocol end to end.
//
// The SSH side is golang.org/x/crypto/ssh with password and/or public-key
// login and an ed25519 host key. The SFTP side is github.com/pkg/sftp's
// request server, whose handlers reach the disk only through an os.Root:
// a client cannot name, follow or create a path outside the served
// directory. Only the "sftp" subsystem is offered; shells, commands and
// port forwarding are refused.
//
// Options.CutAfter makes the server close a client's connection part way
// through a file transfer, as a network failure would, so clients can be
// tested on how they recover.
package sftpserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// handshakeTimeout bounds how long a connection may take to finish the SSH
// handshake and log in, so idle or slow half-open connections do not pile up.
const handshakeTimeout = 30 * time.Second

// Options configures a Server.
type Options struct {
	// Addr is the TCP address to listen on; default "127.0.0.1:0", a free
	// loopback port. Give the address of a stopped server to start a new
	// one in its place.
	Addr string
	// Root is the directory served. Clients see it as "/".
	Root string
	// User is the one user name accepted.
	User string
	// Password, when not empty, lets User log in with it.
	Password string
	// AuthorizedKeys, when not empty, lets User log in with any of these
	// public keys. At least one of Password and AuthorizedKeys is needed.
	AuthorizedKeys []ssh.PublicKey
	// HostKey is the server's private host key; when nil, Start generates
	// an ed25519 key. Give the same key to a restarted server so that
	// clients pinning it still connect.
	HostKey ssh.Signer
	// CutAfter, when set, is asked each time a client opens a file. If it
	// returns n >= 0, the server closes that client's connection once n
	// bytes of the file have been read or written; bytes up to n of a
	// write reach the disk. A negative n leaves the transfer alone. It is
	// for testing how clients recover from a transfer cut mid-way, and
	// may be called from several goroutines at once.
	CutAfter func(Transfer) int64
	// Logger receives connection and login events: user names, remote
	// addresses and outcomes, never passwords or file contents. Default
	// slog.Default().
	Logger *slog.Logger
}

// Transfer describes a file a client has opened, for Options.CutAfter.
type Transfer struct {
	// Path is the file's path as the client sees it, from "/".
	Path string
	// Write is true when the file was opened for writing.
	Write bool
}

// Server is a running SFTP server. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	ln     net.Listener
	root   *os.Root
	config *ssh.ServerConfig
	signer ssh.Signer
	log    *slog.Logger

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Start opens opts.Root, listens on opts.Addr and serves connections until
// Close.
func Start(opts Options) (*Server, error) {
	if opts.User == "" {
		return nil, errors.New("sftpserver: no user name given")
	}
	if opts.Password == "" && len(opts.AuthorizedKeys) == 0 {
		return nil, errors.New("sftpserver: neither a password nor an authorized key given; nobody could log in")
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	signer := opts.HostKey
	if signer == nil {
		var err error
		if signer, err = NewHostKey(); err != nil {
			return nil, err
		}
	}
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("sftpserver: open root: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("sftpserver: listen: %w", err)
	}
	s := &Server{
		opts:   opts,
		ln:     ln,
		root:   root,
		signer: signer,
		log:    opts.Logger.With("component", "sftpserver"),
		conns:  make(map[net.Conn]struct{}),
	}
	s.config = s.sshConfig()
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// NewHostKey returns a new ed25519 host key.
func NewHostKey() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sftpserver: generate host key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("sftpserver: host key: %w", err)
	}
	return signer, nil
}

// Addr is the address the server listens on, as host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// HostKey is the server's public host key in authorized_keys form
// ("ssh-ed25519 AAAA..."), for clients to pin.
func (s *Server) HostKey() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.signer.PublicKey())))
}

// Close stops listening, drops every open connection, and returns once
// all of them have ended. Transfers in progress are cut.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	if rerr := s.root.Close(); err == nil {
		err = rerr
	}
	return err
}

func (s *Server) sshConfig() *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{
		MaxAuthTries: 3,
		AuthLogCallback: func(c ssh.ConnMetadata, method string, err error) {
			// Clients try "none" first to learn the methods on offer.
			if method == "none" {
				return
			}
			if err != nil {
				s.log.Info("sftp login refused", "user", c.User(), "remote", c.RemoteAddr().String(), "method", method)
				return
			}
			s.log.Info("sftp login", "user", c.User(), "remote", c.RemoteAddr().String(), "method", method)
		},
	}
	cfg.AddHostKey(s.signer)
	if s.opts.Password != "" {
		cfg.PasswordCallback = func(c ssh.ConnMetadata, password []byte) (*ssh.Permissions, error) {
			// Both comparisons run every time, so timing says nothing about
			// which of the two was wrong.
			u := subtle.ConstantTimeCompare([]byte(c.User()), []byte(s.opts.User))
			p := subtle.ConstantTimeCompare(password, []byte(s.opts.Password))
			if u&p == 1 {
				return nil, nil
			}
			return nil, errors.New("wrong user or password")
		}
	}
	if len(s.opts.AuthorizedKeys) > 0 {
		cfg.PublicKeyCallback = func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() != s.opts.User {
				return nil, errors.New("wrong user")
			}
			offered := key.Marshal()
			for _, k := range s.opts.AuthorizedKeys {
				if subtle.ConstantTimeCompare(offered, k.Marshal()) == 1 {
					return nil, nil
				}
			}
			return nil, errors.New("key not authorized")
		}
	}
	return cfg
}

// accept hands each new connection to its own goroutine until the
// listener is closed.
func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Running out of file descriptors and the like pass; wait a
			// little rather than spin.
			s.log.Warn("sftp accept failed", "err", err)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if !s.track(nc) {
			nc.Close()
			return
		}
		s.wg.Add(1)
		go s.serveConn(nc)
	}
}

// track records nc so Close can drop it; it reports false once the server
// is closing.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

// serveConn runs the SSH handshake on nc and then serves its sessions.
func (s *Server) serveConn(nc net.Conn) {
	defer s.wg.Done()
	defer s.untrack(nc)
	defer nc.Close()

	_ = nc.SetDeadline(time.Now().Add(handshakeTimeout))
	conn, chans, reqs, err := ssh.NewServerConn(nc, s.config)
	if err != nil {
		s.log.Debug("sftp handshake failed", "remote", nc.RemoteAddr().String(), "err", err)
		return
	}
	_ = nc.SetDeadline(time.Time{})
	defer conn.Close()

	// Global requests (port forwarding among them) are all refused.
	go ssh.DiscardRequests(reqs)
	var sessions sync.WaitGroup
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "only sftp sessions are served")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		sessions.Add(1)
		go func() {
			defer sessions.Done()
			s.serveSession(conn, ch, creqs)
		}()
	}
	sessions.Wait()
}
