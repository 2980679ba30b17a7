package devissuer

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"sync"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// rsaBits matches what hosted providers use, so verifiers meet keys of a
// realistic size in development.
const rsaBits = 2048

// signingKey is the private half op signs with.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k *signingKey) Key() any                                    { return k.key }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is one entry of the JWKS.
type publicKey struct {
	id  string
	key *rsa.PublicKey
}

func (k publicKey) ID() string                         { return k.id }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return k.key }

// keyring holds the active signing key and every public key ever used, so
// that rotation never invalidates a token already handed out.
type keyring struct {
	mu        sync.RWMutex
	active    *signingKey
	published []publicKey // newest first
}

func newKeyring() (*keyring, error) {
	k := &keyring{}
	if err := k.rotate(); err != nil {
		return nil, err
	}
	return k, nil
}

// rotate generates outside the lock: a 2048-bit key takes long enough that
// holding the lock would stall every token request meanwhile.
func (k *keyring) rotate() error {
	priv, err := rsa.GenerateKey(rand.Reader, rsaBits)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	next := &signingKey{id: rand.Text(), key: priv}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.active = next
	k.published = append([]publicKey{{id: next.id, key: &priv.PublicKey}}, k.published...)
	return nil
}

func (k *keyring) signing() *signingKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.active
}

func (k *keyring) public() []op.Key {
	k.mu.RLock()
	defer k.mu.RUnlock()
	keys := make([]op.Key, len(k.published))
	for i, p := range k.published {
		keys[i] = p
	}
	return keys
}
