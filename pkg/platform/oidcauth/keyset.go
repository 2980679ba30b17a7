package oidcauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// allowedAlgs are the only signature algorithms accepted. "none" and the
// HMAC family are absent on purpose: with HMAC, a provider's public key
// could be abused as a shared secret.
var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// keySet is a cached JWKS. A token signed with a key id it does not know
// triggers a refetch, but at most one per refresh interval however many
// such tokens arrive, so a flood of forged key ids cannot turn into a flood
// of requests to the provider. The fetch runs detached from the request
// that started it, so a client that hangs up cannot spoil it for others,
// and only a fetch that succeeded starts the interval.
type keySet struct {
	url      string
	client   *http.Client
	interval time.Duration
	now      func() time.Time

	// onUnknown is told when a token's key is still unknown after the
	// keys were fetched again.
	onUnknown func()

	mu        sync.Mutex // guards the fields below
	keys      []jose.JSONWebKey
	lastFetch time.Time // last successful fetch
	lastFail  time.Time // last failed fetch
	inflight  *fetch
	fetches   int
}

// fetch is one JWKS request that any number of verifications wait on.
type fetch struct {
	done chan struct{}
	err  error
}

// retryAfterFailure is how soon a failed fetch may be tried again: short,
// so an outage ends for verifications as soon as the provider is back,
// yet not a fetch per forged token while it is down.
const retryAfterFailure = 2 * time.Second

// unknownKeyRefresh is how soon after a fetch a token with a kid the set
// does not hold fetches the keys again.
const unknownKeyRefresh = 5 * time.Second

// errUnknownKey means no cached or freshly fetched key matches the token.
var errUnknownKey = errors.New("token signed with an unknown key")

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, allowedAlgs)
	if err != nil {
		return nil, fmt.Errorf("malformed token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("token must carry exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	cached := k.cached(kid)
	if payload, ok := verifyWith(jws, cached); ok {
		return payload, nil
	}
	// A kid never seen is most likely a key the provider has just rotated
	// in: the keys are fetched again sooner than the interval allows.
	if err := k.refresh(ctx, kid != "" && len(cached) == 0); err != nil {
		return nil, err
	}
	if payload, ok := verifyWith(jws, k.cached(kid)); ok {
		return payload, nil
	}
	if k.onUnknown != nil {
		k.onUnknown()
	}
	return nil, errUnknownKey
}

func verifyWith(jws *jose.JSONWebSignature, keys []jose.JSONWebKey) ([]byte, bool) {
	for _, key := range keys {
		if payload, err := jws.Verify(key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

// cached returns the keys that could have signed a token with kid: the one
// with that id, or all of them when the token names none.
func (k *keySet) cached(kid string) []jose.JSONWebKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	if kid == "" {
		return append([]jose.JSONWebKey(nil), k.keys...)
	}
	for _, key := range k.keys {
		if key.KeyID == kid {
			return []jose.JSONWebKey{key}
		}
	}
	return nil
}

// refresh refetches the JWKS unless it was fetched within the interval.
// When it was, it returns nil: a request that queued behind another's fetch
// then finds the new key in the cache rather than being refused. Waiting
// ends with ctx, but the fetch itself goes on for the next caller.
func (k *keySet) refresh(ctx context.Context, newKid bool) error {
	k.mu.Lock()
	now := k.now()
	interval := k.interval
	if newKid {
		interval = min(interval, unknownKeyRefresh)
	}
	if (!k.lastFetch.IsZero() && now.Sub(k.lastFetch) < interval) ||
		(!k.lastFail.IsZero() && now.Sub(k.lastFail) < retryAfterFailure) {
		k.mu.Unlock()
		return nil
	}
	f := k.inflight
	if f == nil {
		f = &fetch{done: make(chan struct{})}
		k.inflight = f
		k.fetches++
		go k.run(f)
	}
	k.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run performs f with a context of its own and records the outcome.
func (k *keySet) run(f *fetch) {
	k.mu.Lock()
	url := k.url
	k.mu.Unlock()
	keys, err := fetchJWKS(context.Background(), k.client, url)
	k.mu.Lock()
	if err == nil {
		k.keys, k.lastFetch = keys, k.now()
	} else {
		k.lastFail = k.now()
	}
	k.inflight = nil
	f.err = err
	k.mu.Unlock()
	close(f.done)
}

// Fetches reports how many times the JWKS was fetched.
// setURL points the set at the provider's keys' new address; the keys in
// hand serve until the next fetch.
func (k *keySet) setURL(url string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if url != k.url {
		k.url, k.lastFetch = url, time.Time{}
	}
}

func (k *keySet) Fetches() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.fetches
}

func fetchJWKS(ctx context.Context, client *http.Client, url string) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch provider keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch provider keys: status %d", resp.StatusCode)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode provider keys: %w", err)
	}
	var out []jose.JSONWebKey
	for _, key := range set.Keys {
		if key.Use == "" || key.Use == "sig" {
			out = append(out, key)
		}
	}
	return out, nil
}
