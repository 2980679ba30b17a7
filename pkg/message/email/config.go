package email

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/endpoint"
	"github.com/backdesk/backdesk/pkg/platform/secretref"
)

// TLSMode is how the connection to the relay is protected.
type TLSMode string

// The TLS modes; see the package documentation.
const (
	TLSStartTLS TLSMode = "starttls"
	TLSImplicit TLSMode = "implicit"
	TLSNone     TLSMode = "none"
)

// DefaultTimeout bounds one Send when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Config is how Backdesk reaches its SMTP relay and who its mail is from.
// It holds a reference to the relay password, never the password, so it
// can be logged and shown as it is.
type Config struct {
	// Host is the relay's name or IP address.
	Host string
	// Port is the relay's port; zero means 587 for STARTTLS, 465 for
	// implicit TLS and 25 without TLS.
	Port int
	// TLS is the TLS mode; empty means TLSStartTLS.
	TLS TLSMode
	// Username is the relay login; empty means no AUTH.
	Username string
	// PasswordRef names the relay password as env:NAME or file:PATH. It
	// is read at every Send, so a rotated secret is picked up without a
	// restart.
	PasswordRef string
	// From is the sender's bare address, also used as the envelope
	// sender; its domain ends every Message-ID.
	From string
	// FromName is the display name shown with From, such as the
	// practice's name.
	FromName string
	// ReplyTo is an optional bare address that replies go to.
	ReplyTo string
	// Timeout bounds one Send from dialling to the relay's last answer;
	// zero means DefaultTimeout.
	Timeout time.Duration
	// RootCAs, when set, replaces the system roots for verifying the
	// relay's certificate.
	RootCAs *x509.CertPool
}

// Problems checks the configuration and returns every problem at once,
// keyed by field name, each said in words after the field's name; empty
// means the configuration can be used. No message repeats a value.
func (c Config) Problems() map[string]string {
	p := map[string]string{}
	switch {
	case strings.TrimSpace(c.Host) == "":
		p["host"] = "is required: the relay's name or IP address"
	case hasControl(c.Host), strings.ContainsAny(c.Host, " /@"), strings.Contains(c.Host, ":") && !isIPv6(c.Host):
		p["host"] = "must be a host name or IP address, without port or scheme"
	}
	if c.Port < 0 || c.Port > 65535 {
		p["port"] = "must be between 1 and 65535, or 0 for the mode's usual port"
	}
	switch c.TLS {
	case "", TLSStartTLS, TLSImplicit:
	case TLSNone:
		if c.Host != "" && !endpoint.IsLoopback(c.Host) {
			p["tls"] = "none is allowed only for a relay on a loopback address (localhost, 127.0.0.1, ::1); use starttls or implicit"
		}
	default:
		p["tls"] = "must be starttls, implicit or none"
	}
	switch {
	case hasControl(c.Username):
		p["username"] = "must not contain line breaks or control characters"
	case c.Username != "" && c.PasswordRef == "":
		p["password_ref"] = "is required with a username: env:NAME or file:PATH naming the relay password"
	case c.Username == "" && c.PasswordRef != "":
		p["username"] = "is required when a password reference is set"
	}
	if c.PasswordRef != "" {
		if err := checkSecretRef(c.PasswordRef); err != nil {
			p["password_ref"] = err.Error()
		}
	}
	if msg := addressProblem(c.From, true); msg != "" {
		p["from"] = msg
	}
	if hasControl(c.FromName) {
		p["from_name"] = "must not contain line breaks or control characters"
	}
	if msg := addressProblem(c.ReplyTo, false); msg != "" {
		p["reply_to"] = msg
	}
	if c.Timeout < 0 {
		p["timeout"] = "must not be negative; 0 means the default"
	}
	return p
}

// addr is the relay's host:port with the mode's usual port filled in.
func (c Config) addr() string {
	port := c.Port
	if port == 0 {
		switch c.mode() {
		case TLSImplicit:
			port = 465
		case TLSNone:
			port = 25
		default:
			port = 587
		}
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

func (c Config) mode() TLSMode {
	if c.TLS == "" {
		return TLSStartTLS
	}
	return c.TLS
}

func (c Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func isIPv6(host string) bool {
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Is6()
}

// checkSecretRef accepts env:NAME and file:PATH, the two ways a secret is
// handed to a pod.
func checkSecretRef(ref string) error {
	if secretref.Check(ref) != nil || hasControl(ref) {
		return errors.New("must be env:NAME or file:PATH; the password itself is never stored")
	}
	return nil
}

// resolveSecret reads the password a reference names. Errors name the
// reference, never the secret. One trailing line break, which editors and
// echo add to files, is not part of the password.
func resolveSecret(ref string) (string, error) {
	if err := checkSecretRef(ref); err != nil {
		return "", fmt.Errorf("the password reference %w", err)
	}
	v, err := secretref.Read(ref)
	switch {
	case errors.Is(err, secretref.ErrNotSet):
		v = ""
	case err != nil:
		return "", fmt.Errorf("the relay password could not be read from %s: %w", ref, err)
	}
	v = strings.TrimSuffix(strings.TrimSuffix(v, "\n"), "\r")
	if v == "" {
		return "", fmt.Errorf("the relay password named by %s is not set or empty", ref)
	}
	return v, nil
}
