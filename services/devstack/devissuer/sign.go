package devissuer

import (
	"encoding/json"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// SignClaims signs any claims with the active key, under its key id. Tests
// of relying parties use it to make tokens the provider would never issue
// (wrong audience, expired, no iat) yet whose signature is genuine, so the
// claim checks themselves are what gets exercised.
func (i *Issuer) SignClaims(claims map[string]any) (string, error) {
	k := i.keys.signing()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: k.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), k.id))
	if err != nil {
		return "", fmt.Errorf("devissuer: signer: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("devissuer: claims: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devissuer: sign: %w", err)
	}
	return jws.CompactSerialize()
}

// Issuer returns the issuer URL tokens carry.
func (i *Issuer) Issuer() string { return i.issuer }

// PublicKeyBytes returns the active public key's modulus bytes, which a
// test can misuse as an HMAC secret to check that such tokens are refused.
func (i *Issuer) PublicKeyBytes() []byte { return i.keys.signing().key.N.Bytes() }
