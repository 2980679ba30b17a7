package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// ErrInvalidConfig is wrapped by New's error for a Config with problems.
var ErrInvalidConfig = errors.New("email: invalid configuration")

// Sender sends Mail through one relay. It is safe for concurrent use;
// each Send opens its own connection.
type Sender struct {
	cfg    Config
	addr   string
	tls    *tls.Config
	helo   string
	from   string // the envelope sender, <address>
	now    func() time.Time
	dialer net.Dialer
}

// New checks cfg and returns a Sender for it, or an error wrapping
// ErrInvalidConfig that lists every problem.
func New(cfg Config) (*Sender, error) {
	if p := cfg.Problems(); len(p) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidConfig, describe(p))
	}
	helo, err := os.Hostname()
	if err != nil || helo == "" || hasControl(helo) || strings.ContainsAny(helo, " \t") {
		helo = "localhost"
	}
	return &Sender{
		cfg:  cfg,
		addr: cfg.addr(),
		tls: &tls.Config{
			ServerName: cfg.Host,
			RootCAs:    cfg.RootCAs,
			MinVersion: tls.VersionTLS12,
		},
		helo: helo,
		from: (&mail.Address{Address: cfg.From}).String(),
		now:  time.Now,
	}, nil
}

// Send delivers m to the relay, which takes it from there. It returns nil
// once the relay has accepted the message. A Mail that fails its checks
// is refused before any connection is made, with an error wrapping
// ErrInvalidMail; other failures are *Error, and Temporary says whether
// to try again later. The whole send is bounded by ctx and by
// Config.Timeout.
func (s *Sender) Send(ctx context.Context, m Mail) error {
	if p := m.Problems(); len(p) > 0 {
		return fmt.Errorf("%w: %s", ErrInvalidMail, describe(p))
	}
	msg, err := compose(s.cfg, m, s.now())
	if err != nil {
		// go-mail's words may quote the address; ours do not.
		return fmt.Errorf("%w: the message could not be composed", ErrInvalidMail)
	}
	var password string
	if s.cfg.Username != "" {
		if password, err = resolveSecret(s.cfg.PasswordRef); err != nil {
			return refused(s.addr, StepSecret, err.Error(), false)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.timeout())
	defer cancel()
	return s.deliver(ctx, msg, (&mail.Address{Address: m.To}).String(), password)
}

// deliver holds one SMTP conversation. It drives go-mail's SMTP client
// step by step rather than through go-mail's Client, so that every
// failure is known by its step and its reply code, and so that no error
// text, which go-mail builds with the recipient's address, reaches the
// caller.
func (s *Sender) deliver(ctx context.Context, msg *gomail.Msg, rcpt, password string) error {
	conn, err := s.dialer.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return failed(ctx, s.addr, StepConnect, err)
	}
	defer conn.Close()
	// One deadline covers the whole conversation; cancelling ctx moves
	// it to the past, which ends any read or write at once.
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if s.cfg.mode() == TLSImplicit {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return failed(ctx, s.addr, StepTLS, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return failed(ctx, s.addr, StepGreeting, err)
	}
	step, err := s.converse(c, msg, rcpt, password)
	if err == nil {
		// The relay has the message; a failed QUIT changes nothing.
		_ = c.Quit()
		return nil
	}
	var (
		reply *textproto.Error
		e     *Error
	)
	if errors.As(err, &reply) || errors.As(err, &e) {
		// After a refusal the relay is still listening: say goodbye, as
		// RFC 5321 asks. A broken connection gets no QUIT.
		_ = c.Quit()
	}
	if e != nil {
		return e
	}
	return failed(ctx, s.addr, step, err)
}

// converse runs the commands after the greeting and returns the step that
// failed, if one did.
func (s *Sender) converse(c *smtp.Client, msg *gomail.Msg, rcpt, password string) (Step, error) {
	if err := c.Hello(s.helo); err != nil {
		return StepHello, err
	}
	if s.cfg.mode() == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return StepTLS, refused(s.addr, StepTLS, "the relay does not offer STARTTLS, which the configured mode requires", true)
		}
		if err := c.StartTLS(s.tls); err != nil {
			return StepTLS, err
		}
	}
	if s.cfg.Username != "" {
		auth, err := s.auth(c, password)
		if err != nil {
			return StepAuth, err
		}
		if err := c.Auth(auth); err != nil {
			return StepAuth, err
		}
	}
	if err := c.Mail(s.from); err != nil {
		return StepMailFrom, err
	}
	if err := c.Rcpt(rcpt); err != nil {
		return StepRcpt, err
	}
	w, err := c.Data()
	if err != nil {
		return StepData, err
	}
	if _, err := msg.WriteTo(w); err != nil {
		return StepData, err
	}
	if err := w.Close(); err != nil {
		return StepData, err
	}
	return "", nil
}

// auth picks PLAIN, or LOGIN when the relay offers only that. Both send
// the password as it is, so both are refused on a connection without TLS
// unless the mode is none, which only a loopback relay may use.
func (s *Sender) auth(c *smtp.Client, password string) (smtp.Auth, error) {
	ok, offered := c.Extension("AUTH")
	if !ok {
		return nil, refused(s.addr, StepAuth, "the relay does not offer AUTH, and a username is configured", false)
	}
	mechs := strings.Fields(strings.ToUpper(offered))
	inClear := s.cfg.mode() == TLSNone
	switch {
	case slices.Contains(mechs, "PLAIN"):
		return smtp.PlainAuth("", s.cfg.Username, password, s.cfg.Host, inClear), nil
	case slices.Contains(mechs, "LOGIN"):
		return smtp.LoginAuth(s.cfg.Username, password, s.cfg.Host, inClear), nil
	}
	return nil, refused(s.addr, StepAuth, "the relay offers neither AUTH PLAIN nor AUTH LOGIN", false)
}

// describe lists problems as "field message" in field order.
func describe(p map[string]string) string {
	fields := make([]string, 0, len(p))
	for f := range p {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for i, f := range fields {
		fields[i] = f + " " + p[f]
	}
	return strings.Join(fields, "; ")
}
