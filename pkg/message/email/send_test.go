package email

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// The patient data of the tests. None of it may appear in an error.
const (
	patientAddr = "ana.silva@patients.example"
	subject     = "Your cleaning on Thursday — 9:00"
	bodyText    = "Hi Ana,\n\nYour cleaning at Smile Dental is on Thursday at 9:00. Café au lait is on us; the line that follows is long on purpose so that it has to be wrapped by the encoder.\n.A line that starts with a dot.\n\nSmile Dental\n"
	bodyHTML    = "<p>Hi Ana,</p><p>Your cleaning is on <b>Thursday</b> at 9:00.</p>"
	messageKey  = "reminder.4f1c2a9e-6b7d-4e2a-9c55-0d3b8e2f7a10"
	unsubURL    = "https://backdesk.example/unsubscribe/9f2c7b?practice=12"
)

func testMail() Mail {
	return Mail{To: patientAddr, Subject: subject, Body: bodyText, MessageID: messageKey, UnsubscribeURL: unsubURL}
}

// requireSafe fails when err's message holds patient data or a secret.
func requireSafe(t *testing.T, err error, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	msg := err.Error()
	for _, s := range append([]string{patientAddr, "ana.silva", subject, "Thursday", "Hi Ana", "Café", messageKey, unsubURL}, secrets...) {
		require.NotContains(t, msg, s)
	}
}

func sendErr(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

func parse(t *testing.T, data []byte) *mail.Message {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	return msg
}

// decoded reads a quoted-printable part and gives its text with the
// line ends the caller wrote.
func decoded(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	require.NoError(t, err)
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestSendOverStartTLSWithAuth(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS, username: "backdesk", password: "relay-pw-7Qx"})
	cfg := r.config(t)
	cfg.ReplyTo = "front-desk@dental.example"
	s, err := New(cfg)
	require.NoError(t, err)
	at := time.Date(2026, 6, 10, 19, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return at }

	require.NoError(t, s.Send(t.Context(), testMail()))

	got := r.messages()
	require.Len(t, got, 1)
	m := got[0]
	require.Equal(t, "billing@dental.example", m.From, "MAIL FROM")
	require.Equal(t, []string{patientAddr}, m.To, "RCPT TO")
	require.Equal(t, "backdesk", m.User, "AUTH PLAIN")
	require.True(t, m.TLS, "MAIL FROM came after STARTTLS")

	msg := parse(t, m.Data)
	h := msg.Header
	from, err := mail.ParseAddress(h.Get("From"))
	require.NoError(t, err)
	require.Equal(t, mail.Address{Name: "Smile Dental", Address: "billing@dental.example"}, *from)
	to, err := mail.ParseAddress(h.Get("To"))
	require.NoError(t, err)
	require.Equal(t, patientAddr, to.Address)
	replyTo, err := mail.ParseAddress(h.Get("Reply-To"))
	require.NoError(t, err)
	require.Equal(t, "front-desk@dental.example", replyTo.Address)
	subj, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	require.Equal(t, subject, subj)
	require.Equal(t, "<"+messageKey+"@dental.example>", h.Get("Message-ID"))
	date, err := mail.ParseDate(h.Get("Date"))
	require.NoError(t, err)
	require.True(t, date.Equal(at), "Date %s", h.Get("Date"))
	require.Equal(t, "1.0", h.Get("MIME-Version"))
	require.Equal(t, "OOF, AutoReply", h.Get("X-Auto-Response-Suppress"))
	for _, absent := range []string{"Auto-Submitted", "Precedence", "User-Agent", "X-Mailer", "Bcc"} {
		require.Empty(t, h.Get(absent), absent)
	}

	// RFC 8058: exactly one https URL in List-Unsubscribe, and the
	// one-click marker written exactly so.
	require.Equal(t, []string{"<" + unsubURL + ">"}, h["List-Unsubscribe"])
	require.Equal(t, []string{"List-Unsubscribe=One-Click"}, h["List-Unsubscribe-Post"])
	require.Contains(t, string(m.Data), "\r\nList-Unsubscribe: <"+unsubURL+">\r\n")
	require.Contains(t, string(m.Data), "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "text/plain", mediaType)
	require.True(t, strings.EqualFold(params["charset"], "utf-8"), "charset %q", params["charset"])
	require.Equal(t, "quoted-printable", h.Get("Content-Transfer-Encoding"))
	require.Equal(t, bodyText, decoded(t, msg.Body))
}

func TestSendOverImplicitTLSWithHTML(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSImplicit, username: "backdesk", password: "relay-pw-7Qx"})
	s, err := New(r.config(t))
	require.NoError(t, err)
	m := testMail()
	m.HTML = bodyHTML
	m.UnsubscribeURL = ""

	require.NoError(t, s.Send(t.Context(), m))

	got := r.messages()
	require.Len(t, got, 1)
	require.True(t, got[0].TLS)
	msg := parse(t, got[0].Data)
	require.Empty(t, msg.Header.Get("List-Unsubscribe"))
	require.Empty(t, msg.Header.Get("List-Unsubscribe-Post"))
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	parts := multipart.NewReader(msg.Body, params["boundary"])
	want := []struct{ typ, text string }{{"text/plain", bodyText}, {"text/html", bodyHTML}}
	for _, w := range want {
		p, err := parts.NextRawPart()
		require.NoError(t, err)
		typ, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		require.Equal(t, w.typ, typ)
		require.Equal(t, "quoted-printable", p.Header.Get("Content-Transfer-Encoding"))
		require.Equal(t, w.text, decoded(t, p))
	}
	_, err = parts.NextRawPart()
	require.ErrorIs(t, err, io.EOF)
}

func TestSendWithoutTLSToLoopback(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSNone})
	s, err := New(r.config(t))
	require.NoError(t, err)
	require.NoError(t, s.Send(t.Context(), testMail()))
	got := r.messages()
	require.Len(t, got, 1)
	require.False(t, got[0].TLS)
}

func TestStartTLSModeRefusesRelayWithoutStartTLS(t *testing.T) {
	t.Parallel()
	// The relay would take AUTH and mail in the clear were it asked.
	r := startRelay(t, relayOptions{tls: TLSNone, username: "backdesk", password: "relay-pw-7Qx"})
	cfg := r.config(t)
	cfg.TLS = TLSStartTLS
	s, err := New(cfg)
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err, "relay-pw-7Qx")
	e := sendErr(t, err)
	require.Equal(t, StepTLS, e.Step)
	require.True(t, Temporary(err), "a relay without TLS is deferred, as mail servers do")
	require.Equal(t, "email: "+r.addr()+": the relay does not offer STARTTLS, which the configured mode requires", err.Error())
	mailFrom, rcpts, auths := r.counts()
	require.Zero(t, mailFrom, "MAIL FROM")
	require.Zero(t, rcpts, "RCPT TO")
	require.Zero(t, auths, "AUTH")
	require.Empty(t, r.messages())
}

func TestUntrustedCertificateIsRefused(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS})
	cfg := r.config(t)
	cfg.RootCAs = nil // the system roots do not know the test's certificate
	s, err := New(cfg)
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err)
	e := sendErr(t, err)
	require.Equal(t, StepTLS, e.Step)
	require.Contains(t, err.Error(), "certificate could not be verified")
	require.True(t, Temporary(err))
	mailFrom, _, _ := r.counts()
	require.Zero(t, mailFrom)
}

func TestWrongPasswordIsPermanent(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS, username: "backdesk", password: "relay-pw-7Qx"})
	cfg := r.config(t)
	cfg.PasswordRef = secretFile(t, "not-the-pw-3Zk")
	s, err := New(cfg)
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err, "not-the-pw-3Zk", "relay-pw-7Qx")
	e := sendErr(t, err)
	require.Equal(t, StepAuth, e.Step)
	require.Equal(t, 535, e.Code)
	require.Equal(t, "5.7.8", e.Status)
	require.False(t, Temporary(err))
	require.Equal(t, "email: "+r.addr()+": the relay rejected the credentials (535 5.7.8)", err.Error())
	mailFrom, _, auths := r.counts()
	require.Equal(t, 1, auths)
	require.Zero(t, mailFrom)
}

func TestRecipientDeferredThenRetried(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS, rcpt: func(n int, to string) error {
		if n == 1 {
			// Relays often quote the address; it must not reach the error.
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailbox busy: " + to}
		}
		return nil
	}})
	s, err := New(r.config(t))
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err)
	e := sendErr(t, err)
	require.Equal(t, StepRcpt, e.Step)
	require.Equal(t, 451, e.Code)
	require.Equal(t, "4.3.0", e.Status)
	require.True(t, Temporary(err))
	require.Empty(t, r.messages())

	// The retry is recognisably the same message.
	require.NoError(t, s.Send(t.Context(), testMail()))
	got := r.messages()
	require.Len(t, got, 1)
	require.Equal(t, "<"+messageKey+"@dental.example>", parse(t, got[0].Data).Header.Get("Message-ID"))
}

func TestRecipientRefusedIsPermanent(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS, rcpt: func(_ int, to string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user <" + to + ">"}
	}})
	s, err := New(r.config(t))
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err)
	require.False(t, Temporary(err))
	require.Equal(t, "email: "+r.addr()+": the relay refused the recipient (550 5.1.1)", err.Error())
	require.Empty(t, r.messages())
}

func TestConnectionDroppedDuringDataIsTemporary(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS, dropInData: true})
	s, err := New(r.config(t))
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err)
	e := sendErr(t, err)
	require.Equal(t, StepData, e.Step)
	require.Zero(t, e.Code)
	require.True(t, Temporary(err))
	require.Empty(t, r.messages())
}

func TestCancelledSendStopsAtOnce(t *testing.T) {
	t.Parallel()
	inRcpt, release := make(chan struct{}), make(chan struct{})
	r := startRelay(t, relayOptions{tls: TLSStartTLS, inRcpt: inRcpt, release: release})
	defer close(release)
	s, err := New(r.config(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, testMail()) }()

	<-inRcpt // the relay holds its answer to RCPT TO until the test ends
	cancel()
	err = <-done

	requireSafe(t, err)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, StepRcpt, sendErr(t, err).Step)
	require.True(t, Temporary(err))
}

func TestUnreachableRelayIsTemporary(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	s, err := New(Config{Host: "127.0.0.1", Port: port, TLS: TLSNone, From: "billing@dental.example"})
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err)
	require.Equal(t, StepConnect, sendErr(t, err).Step)
	require.True(t, Temporary(err))
	require.Equal(t, "email: 127.0.0.1:"+strconv.Itoa(port)+": the relay refused the connection while connecting", err.Error())
}

func TestUnreadablePasswordStopsBeforeConnecting(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS, username: "backdesk", password: "relay-pw-7Qx"})
	cfg := r.config(t)
	cfg.PasswordRef = "file:" + t.TempDir() + "/missing"
	s, err := New(cfg)
	require.NoError(t, err)

	err = s.Send(t.Context(), testMail())

	requireSafe(t, err)
	require.Equal(t, StepSecret, sendErr(t, err).Step)
	require.False(t, Temporary(err))
	require.Contains(t, err.Error(), "no such file")
	require.Zero(t, r.accepts.Load())
}

func TestInvalidMailIsRefusedBeforeConnecting(t *testing.T) {
	t.Parallel()
	r := startRelay(t, relayOptions{tls: TLSStartTLS})
	s, err := New(r.config(t))
	require.NoError(t, err)
	for name, change := range map[string]func(*Mail){
		"subject with CRLF":     func(m *Mail) { m.Subject = "Reminder\r\nBcc: " + patientAddr },
		"subject with LF":       func(m *Mail) { m.Subject = "Reminder\nX-Injected: yes" },
		"to with CRLF":          func(m *Mail) { m.To = patientAddr + "\r\nBcc: x@y.example" },
		"to not an address":     func(m *Mail) { m.To = "ana.silva at patients.example" },
		"to with display name":  func(m *Mail) { m.To = "Ana <" + patientAddr + ">" },
		"message id with CRLF":  func(m *Mail) { m.MessageID = "abc\r\nBcc: x@y.example" },
		"unsubscribe with CRLF": func(m *Mail) { m.UnsubscribeURL = unsubURL + "\r\nBcc: x@y.example" },
		"unsubscribe over http": func(m *Mail) { m.UnsubscribeURL = "http://backdesk.example/u/1" },
	} {
		t.Run(name, func(t *testing.T) {
			m := testMail()
			change(&m)
			err := s.Send(t.Context(), m)
			requireSafe(t, err)
			require.ErrorIs(t, err, ErrInvalidMail)
			require.False(t, Temporary(err))
		})
	}
	require.Zero(t, r.accepts.Load(), "no connection was made")
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	t.Parallel()
	_, err := New(Config{Host: "smtp.example.com", TLS: TLSNone, From: "billing@dental.example"})
	require.ErrorIs(t, err, ErrInvalidConfig)
	require.Contains(t, err.Error(), "tls none is allowed only for a relay on a loopback address")
	require.False(t, Temporary(err))
}

func TestErrorUnwrapsOnlyContextErrors(t *testing.T) {
	t.Parallel()
	e := failed(context.Background(), "relay.example:587", StepData, errors.New("write: "+patientAddr))
	require.NoError(t, e.Unwrap())
	require.Equal(t, "email: relay.example:587: the connection failed while sending the message", e.Error())
}

func BenchmarkSendStartTLS(b *testing.B) {
	r := startRelay(b, relayOptions{tls: TLSStartTLS, username: "backdesk", password: "relay-pw-7Qx"})
	s, err := New(r.config(b))
	require.NoError(b, err)
	m := testMail()
	for b.Loop() {
		if err := s.Send(b.Context(), m); err != nil {
			b.Fatal(err)
		}
	}
}
