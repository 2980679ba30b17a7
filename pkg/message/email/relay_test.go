package email

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// testCert is a self-signed certificate for 127.0.0.1, ::1 and
// localhost, made once per test run, and a pool that trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

// relayOptions shape a test relay.
type relayOptions struct {
	tls      TLSMode // starttls offers STARTTLS; implicit wraps the listener; none offers neither
	username string  // with password: AUTH PLAIN is offered and required
	password string
	// rcpt, when set, answers each RCPT TO; a non-nil error refuses it.
	rcpt func(n int, to string) error
	// dropInData closes the connection after the first bytes of DATA.
	dropInData bool
	// inRcpt, when set, is closed when RCPT TO arrives, and the reply
	// waits until release is closed.
	inRcpt, release chan struct{}
}

// received is one message as the relay saw it.
type received struct {
	From string
	To   []string
	User string // the authenticated user, if any
	TLS  bool   // whether the session was encrypted at MAIL FROM
	Data []byte
}

// testRelay is a real SMTP server on a loopback port that records what
// it is told.
type testRelay struct {
	opts    relayOptions
	host    string
	port    int
	accepts atomic.Int32

	mu       sync.Mutex
	mailFrom int // MAIL FROM commands seen
	rcpts    int // RCPT TO commands seen
	auths    int // AUTH attempts
	got      []received
}

func startRelay(t testing.TB, opts relayOptions) *testRelay {
	t.Helper()
	cert, _ := testCert()
	r := &testRelay{opts: opts, host: "127.0.0.1"}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &relaySession{r: r, conn: c}, nil
	}))
	srv.Domain = "relay.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	// Generous safety nets so a broken test ends; nothing asserts on them.
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r.port = ln.Addr().(*net.TCPAddr).Port
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	switch opts.tls {
	case TLSStartTLS:
		srv.TLSConfig = tlsConf
	case TLSImplicit:
		ln = tls.NewListener(ln, tlsConf)
	}
	ln = &countingListener{Listener: ln, n: &r.accepts}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

// config is a Config that reaches r and trusts its certificate.
func (r *testRelay) config(t testing.TB) Config {
	_, pool := testCert()
	c := Config{
		Host:     r.host,
		Port:     r.port,
		TLS:      r.opts.tls,
		From:     "billing@dental.example",
		FromName: "Smile Dental",
		RootCAs:  pool,
	}
	if r.opts.username != "" {
		c.Username = r.opts.username
		c.PasswordRef = secretFile(t, r.opts.password)
	}
	return c
}

func (r *testRelay) addr() string { return net.JoinHostPort(r.host, strconv.Itoa(r.port)) }

func (r *testRelay) messages() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *testRelay) counts() (mailFrom, rcpts, auths int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mailFrom, r.rcpts, r.auths
}

// secretFile writes a password where a file: reference names it.
func secretFile(t testing.TB, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "relay-password")
	require.NoError(t, os.WriteFile(path, []byte(password+"\n"), 0o600))
	return "file:" + path
}

type countingListener struct {
	net.Listener
	n *atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

type relaySession struct {
	r      *testRelay
	conn   *smtp.Conn
	user   string
	authed bool
	cur    *received
}

func (s *relaySession) AuthMechanisms() []string {
	if s.r.opts.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		s.r.mu.Lock()
		s.r.auths++
		s.r.mu.Unlock()
		if username != s.r.opts.username || password != s.r.opts.password {
			return smtp.ErrAuthFailed
		}
		s.user, s.authed = username, true
		return nil
	}), nil
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	s.r.mu.Lock()
	s.r.mailFrom++
	s.r.mu.Unlock()
	if s.r.opts.username != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	state, ok := s.conn.TLSConnectionState()
	s.cur = &received{From: from, User: s.user, TLS: ok && state.HandshakeComplete}
	return nil
}

func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	s.r.rcpts++
	n := s.r.rcpts
	s.r.mu.Unlock()
	if s.r.opts.inRcpt != nil {
		close(s.r.opts.inRcpt)
		<-s.r.opts.release
	}
	if s.r.opts.rcpt != nil {
		if err := s.r.opts.rcpt(n, to); err != nil {
			return err
		}
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *relaySession) Data(r io.Reader) error {
	if s.r.opts.dropInData {
		_, _ = io.ReadFull(r, make([]byte, 16))
		_ = s.conn.Conn().Close()
		return errors.New("dropped")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.r.mu.Lock()
	s.r.got = append(s.r.got, *s.cur)
	s.r.mu.Unlock()
	return nil
}

func (s *relaySession) Reset()        { s.cur = nil }
func (s *relaySession) Logout() error { return nil }
