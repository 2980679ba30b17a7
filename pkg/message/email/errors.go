package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"os"
	"regexp"
	"strconv"
	"syscall"
)

// Step is the part of the conversation with the relay that failed.
type Step string

// The steps, in the order a send goes through them.
const (
	StepSecret   Step = "secret"   // reading the relay password
	StepConnect  Step = "connect"  // dialling the relay
	StepGreeting Step = "greeting" // the relay's 220 greeting
	StepHello    Step = "hello"    // EHLO
	StepTLS      Step = "tls"      // STARTTLS or the implicit TLS handshake
	StepAuth     Step = "auth"     // AUTH
	StepMailFrom Step = "mail"     // MAIL FROM, the envelope sender
	StepRcpt     Step = "rcpt"     // RCPT TO, the recipient
	StepData     Step = "data"     // DATA and the message itself
)

// Error is a failed send. Its message names the step, the relay and the
// SMTP codes and never the recipient, the subject, the body, the password
// or the relay's reply text.
type Error struct {
	// Addr is the relay's host:port.
	Addr string
	// Step is where the conversation failed.
	Step Step
	// Code is the relay's SMTP reply code, or zero when the failure was
	// not a reply (a broken connection, a timeout).
	Code int
	// Status is the relay's enhanced status code, such as "5.1.1", when
	// it gave one.
	Status string

	what      string
	temporary bool
	cause     error // only context errors, which carry no data
}

func (e *Error) Error() string {
	s := "email: " + e.Addr + ": " + e.what
	if e.Code != 0 {
		s += " (" + strconv.Itoa(e.Code)
		if e.Status != "" {
			s += " " + e.Status
		}
		s += ")"
	}
	return s
}

// Unwrap returns context.Canceled or context.DeadlineExceeded when the
// send was stopped by its context or its timeout, and nil otherwise.
func (e *Error) Unwrap() error { return e.cause }

// Temporary reports whether err is a failure that sending the same Mail
// again later may get past: a connection failure, a timeout, a TLS
// failure or a 4xx reply. It is false for 5xx replies, for mail or
// configuration that fails validation, for an unreadable password and
// for nil.
func Temporary(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.temporary
}

// enhancedCode finds RFC 3463's class.subject.detail at the start of a
// reply's text.
var enhancedCode = regexp.MustCompile(`^([245])\.[0-9]{1,3}\.[0-9]{1,3}\b`)

// failed turns an error from the conversation into an *Error, keeping
// the codes and dropping the text.
func failed(ctx context.Context, addr string, step Step, err error) *Error {
	e := &Error{Addr: addr, Step: step, temporary: true}
	var reply *textproto.Error
	switch {
	case errors.As(err, &reply):
		e.Code = reply.Code
		if m := enhancedCode.FindStringSubmatch(reply.Msg); m != nil && m[1][0] == strconv.Itoa(reply.Code)[0] {
			e.Status = m[0]
		}
		e.what = refusal(step, reply.Code)
		e.temporary = reply.Code/100 != 5
	case ctx.Err() != nil:
		e.cause = ctx.Err()
		if errors.Is(e.cause, context.Canceled) {
			e.what = "the send was canceled " + during(step)
		} else {
			e.what = "timed out " + during(step)
		}
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection's deadline is the context's; it can pass a
		// moment before the context notices.
		e.cause = context.DeadlineExceeded
		e.what = "timed out " + during(step)
	default:
		e.what = breakage(step, err) + " " + during(step)
	}
	return e
}

// refused builds an *Error for a refusal this package decides on.
func refused(addr string, step Step, what string, temporary bool) *Error {
	return &Error{Addr: addr, Step: step, what: what, temporary: temporary}
}

func refusal(step Step, code int) string {
	switch step {
	case StepGreeting:
		return "the relay refused the session"
	case StepHello:
		return "the relay refused EHLO"
	case StepTLS:
		return "the relay refused STARTTLS"
	case StepAuth:
		if code == 535 {
			return "the relay rejected the credentials"
		}
		return "the relay refused AUTH"
	case StepMailFrom:
		return "the relay refused the sender"
	case StepRcpt:
		return "the relay refused the recipient"
	default:
		return "the relay refused the message"
	}
}

func during(step Step) string {
	switch step {
	case StepConnect:
		return "while connecting"
	case StepGreeting:
		return "while waiting for the greeting"
	case StepHello:
		return "during EHLO"
	case StepTLS:
		return "during TLS setup"
	case StepAuth:
		return "during AUTH"
	case StepMailFrom:
		return "during MAIL FROM"
	case StepRcpt:
		return "during RCPT TO"
	default:
		return "while sending the message"
	}
}

// breakage names what went wrong with the connection in fixed words.
func breakage(step Step, err error) string {
	var (
		dnsErr   *net.DNSError
		verify   *tls.CertificateVerificationError
		hostErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		certErr  x509.CertificateInvalidError
		alert    tls.AlertError
		protoErr textproto.ProtocolError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &certErr):
		return "the relay's certificate could not be verified"
	case errors.As(err, &alert):
		return "the TLS handshake failed"
	case errors.As(err, &dnsErr):
		return "the relay's name could not be resolved"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the relay refused the connection"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return "the relay closed the connection"
	case errors.As(err, &protoErr):
		return "the relay sent a malformed reply"
	case step == StepTLS:
		return "the TLS handshake failed"
	default:
		return "the connection failed"
	}
}
