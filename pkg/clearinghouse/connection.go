package clearinghouse

import (
	"errors"
	"fmt"
	"github.com/backdesk/backdesk/pkg/platform/secretref"
	"strings"
	"time"
)

// Mode is how files reach a clearinghouse.
type Mode string

// The modes.
const (
	// ModeSFTP puts batches in the clearinghouse's outbound folder and
	// polls its inbound folder for answers.
	ModeSFTP Mode = "sftp"
	// ModeManual keeps batches for a billing manager to download and
	// takes answers uploaded by hand.
	ModeManual Mode = "manual"
)

// Connection is how Backdesk reaches one clearinghouse. Practices are
// linked to it; several may share one.
type Connection struct {
	ID   string
	Name string
	Mode Mode
	// SFTP: where, as whom, the pinned host key, and a reference to the
	// password or private key (SecretRef), never the secret itself.
	Address   string
	Username  string
	HostKey   string
	SecretRef string
	Outbound  string
	Inbound   string
	Archive   string
	// The interchange's sender and receiver (ISA05-ISA08).
	SenderQualifier, SenderID     string
	ReceiverQualifier, ReceiverID string
	Production                    bool
	// AnswerWithin is how long a question waits for its answer before
	// the item goes to an agent; AckWithin how long a batch waits for its
	// acknowledgment before it is flagged.
	AnswerWithin time.Duration
	AckWithin    time.Duration
	LastPollAt   *time.Time
	LastError    string
}

// Default windows for a connection that sets none.
const (
	DefaultAnswerWithin = 4 * time.Hour
	DefaultAckWithin    = time.Hour
)

// Payer is one payer a connection reaches: the name a practice's system
// gives it, the clearinghouse's id for it, and which questions it answers
// electronically.
type Payer struct {
	Name        string
	ID          string
	Eligibility bool
	ClaimStatus bool
}

// Problems checks a connection as a billing manager entered it and
// returns every problem at once, by field, in words; empty means it can
// be saved.
func (c Connection) Problems() map[string]string {
	p := map[string]string{}
	if strings.TrimSpace(c.Name) == "" {
		p["name"] = "is required"
	}
	switch c.Mode {
	case ModeSFTP:
		if c.Address == "" {
			p["address"] = "is required for SFTP, as host:port"
		} else if !strings.Contains(c.Address, ":") {
			p["address"] = "must be host:port, e.g. sftp.example.com:22"
		}
		if c.Username == "" {
			p["username"] = "is required for SFTP"
		}
		if c.HostKey == "" {
			p["host_key"] = "is required for SFTP: the server's public key, as in known_hosts, so that no other server is trusted"
		}
		if err := checkSecretRef(c.SecretRef); err != nil {
			p["secret_ref"] = err.Error()
		}
		if c.Outbound == "" {
			p["outbound"] = "is required for SFTP: the folder batches are put in"
		}
		if c.Inbound == "" {
			p["inbound"] = "is required for SFTP: the folder answers are read from"
		}
	case ModeManual:
	default:
		p["mode"] = "must be sftp or manual"
	}
	checkID := func(field, v string) {
		switch {
		case v == "":
			p[field] = "is required"
		case len(v) > 15:
			p[field] = "must be at most 15 characters"
		case strings.ContainsAny(v, "*:^~|\r\n"):
			p[field] = "must not contain X12 delimiters"
		}
	}
	checkID("sender_id", c.SenderID)
	checkID("receiver_id", c.ReceiverID)
	for field, v := range map[string]string{"sender_qualifier": c.SenderQualifier, "receiver_qualifier": c.ReceiverQualifier} {
		if len(v) != 2 {
			p[field] = "must be a two-character ID qualifier, e.g. ZZ"
		}
	}
	return p
}

// checkSecretRef accepts env:NAME and file:PATH, the two ways a secret is
// handed to a pod.
func checkSecretRef(ref string) error {
	switch {
	case ref == "":
		return errors.New("is required for SFTP: env:NAME or file:PATH naming the password or private key")
	case secretref.Check(ref) != nil:
		return errors.New("must be env:NAME or file:PATH; the secret itself is never stored")
	}
	return nil
}

// ResolveSecret reads the secret a reference names: the variable of
// env:NAME or the file of file:PATH. Errors name the reference, never the
// secret.
func ResolveSecret(ref string) ([]byte, error) {
	if err := checkSecretRef(ref); err != nil {
		return nil, fmt.Errorf("secret reference: %w", err)
	}
	v, err := secretref.Read(ref)
	switch {
	case errors.Is(err, secretref.ErrNotSet):
		return nil, fmt.Errorf("secret %s: the variable is not set", ref)
	case err != nil:
		return nil, fmt.Errorf("secret %s: %w", ref, err)
	}
	return []byte(v), nil
}
