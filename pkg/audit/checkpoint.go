package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint commits to the first Size events of the log: Root is the
// RFC 6962 tree head over their leaf hashes. Note is the signed text that
// proves Backdesk published it; a copy kept outside the platform lets a
// later verification prove nothing before it was rewritten.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
	Note   []byte
}

// ErrCheckpoint is wrapped by every failure to open a checkpoint: a bad
// signature, a different origin, or text not in checkpoint form.
var ErrCheckpoint = errors.New("invalid audit checkpoint")

// CheckpointText is the standard transparency-log checkpoint body: the
// origin, the tree size in decimal and the root hash in base64, one per
// line. Tools that read Go checksum-database or Trillian checkpoints read it.
func CheckpointText(origin string, size uint64, root []byte) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root))
}

// SignCheckpoint signs the checkpoint for size and root with the log's key;
// the origin is the key's name, so one key names one log.
func SignCheckpoint(signer note.Signer, size uint64, root []byte) (Checkpoint, error) {
	msg, err := note.Sign(&note.Note{Text: CheckpointText(signer.Name(), size, root)}, signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return Checkpoint{Origin: signer.Name(), Size: size, Root: root, Note: msg}, nil
}

// OpenCheckpoint checks msg's signature with verifier and parses it. The
// origin must be the verifier's name: a checkpoint of another log, even one
// signed by a key we trust, says nothing about this one.
func OpenCheckpoint(msg []byte, verifier note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, fmt.Errorf("%w: fewer than three lines", ErrCheckpoint)
	}
	if lines[0] != verifier.Name() {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not %q", ErrCheckpoint, lines[0], verifier.Name())
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: size %q", ErrCheckpoint, lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != 32 {
		return Checkpoint{}, fmt.Errorf("%w: root hash %q", ErrCheckpoint, lines[2])
	}
	return Checkpoint{Origin: lines[0], Size: size, Root: root, Note: bytes.Clone(msg)}, nil
}

// GenerateKey makes a new Ed25519 key pair named name, in note form
// (PRIVATE+KEY+name+hash+key and name+hash+key). The dev binary uses it;
// production keys are generated once and kept in a secret store.
func GenerateKey(name string) (signingKey, verifyKey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// ParseSigner reads BACKDESK_AUDIT_SIGNING_KEY.
func ParseSigner(signingKey string) (note.Signer, error) {
	s, err := note.NewSigner(strings.TrimSpace(signingKey))
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	return s, nil
}

// ParseVerifier reads a public key in note form (name+hash+key).
func ParseVerifier(verifyKey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifyKey))
	if err != nil {
		return nil, fmt.Errorf("audit verify key: %w", err)
	}
	return v, nil
}

// VerifyKeyFor derives the public key from a signing key, so an operator
// who holds only the signing key can still verify.
func VerifyKeyFor(signingKey string) (string, error) {
	s, err := ParseSigner(signingKey)
	if err != nil {
		return "", err
	}
	// PRIVATE+KEY+name+hash+key; the base64 key may itself hold '+'.
	parts := strings.SplitN(strings.TrimSpace(signingKey), "+", 5)
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize {
		return "", errors.New("audit signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(s.Name(), pub)
}
