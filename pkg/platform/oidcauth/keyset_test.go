package oidcauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/require"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// jwksServer serves one key's JWKS; each request waits for a value on
// gate when gate is set, and answers fail's status when it is not 200.
type jwksServer struct {
	mu     sync.Mutex // guards key and kid, which rotate changes
	key    *ecdsa.PrivateKey
	kid    string
	gate   chan struct{}
	status atomic.Int32
	hits   atomic.Int32
}

func newJWKSServer(t *testing.T) (*jwksServer, *httptest.Server) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	js := &jwksServer{key: key, kid: "k1"}
	js.status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		js.hits.Add(1)
		if js.gate != nil {
			<-js.gate
		}
		if s := int(js.status.Load()); s != http.StatusOK {
			w.WriteHeader(s)
			return
		}
		js.mu.Lock()
		set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &js.key.PublicKey, KeyID: js.kid, Algorithm: "ES256", Use: "sig"}}}
		js.mu.Unlock()
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	return js, srv
}

// rotate replaces the provider's key with a new one under a new kid.
func (js *jwksServer) rotate(t *testing.T, kid string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	js.mu.Lock()
	defer js.mu.Unlock()
	js.key, js.kid = key, kid
}

func (js *jwksServer) sign(t *testing.T) string {
	t.Helper()
	js.mu.Lock()
	key, kid := js.key, js.kid
	js.mu.Unlock()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid))
	require.NoError(t, err)
	jws, err := s.Sign([]byte(`{"sub":"alice"}`))
	require.NoError(t, err)
	raw, err := jws.CompactSerialize()
	require.NoError(t, err)
	return raw
}

// A request that gives up while the keys are being fetched must not spoil
// the fetch, nor stop the next request from finding the key.
func TestCancelledRequestDoesNotBlockKeyRefresh(t *testing.T) {
	t.Parallel()
	js, srv := newJWKSServer(t)
	js.gate = make(chan struct{})
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	k := &keySet{url: srv.URL, client: srv.Client(), interval: 30 * time.Second, now: clock.now}
	tok := js.sign(t)

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := k.VerifySignature(ctx, tok); errc <- err }()
	require.Eventually(t, func() bool { return js.hits.Load() == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	close(js.gate) // the provider answers after the client has gone

	payload, err := k.VerifySignature(context.Background(), tok)
	require.NoError(t, err, "the next request, within the interval, still gets the key")
	require.JSONEq(t, `{"sub":"alice"}`, string(payload))
	require.Equal(t, int32(1), js.hits.Load(), "one fetch served both")
}

// A fetch that failed does not count as one that happened: once the
// provider is back, the keys are fetched without waiting out the interval.
func TestFailedFetchIsRetriedSoon(t *testing.T) {
	t.Parallel()
	js, srv := newJWKSServer(t)
	js.status.Store(http.StatusBadGateway)
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	k := &keySet{url: srv.URL, client: srv.Client(), interval: 30 * time.Second, now: clock.now}
	tok := js.sign(t)

	_, err := k.VerifySignature(context.Background(), tok)
	require.Error(t, err)
	_, err = k.VerifySignature(context.Background(), tok)
	require.Error(t, err)
	require.Equal(t, int32(1), js.hits.Load(), "a second fetch right after a failure waits a moment")

	js.status.Store(http.StatusOK)
	clock.add(retryAfterFailure + time.Second)
	_, err = k.VerifySignature(context.Background(), tok)
	require.NoError(t, err, "well within the 30 s interval, the key is there")
	require.Equal(t, int32(2), js.hits.Load())
}

// A token signed with a key the provider has just rotated in (a new kid)
// fetches the keys again at once, without waiting out the refresh
// interval, unless the last fetch was only a moment ago; and a token whose
// key is still unknown is said to be so, not to have a bad signature.
func TestNewKeyIDFetchesTheKeysAtOnce(t *testing.T) {
	t.Parallel()
	js, srv := newJWKSServer(t)
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	k := &keySet{url: srv.URL, client: srv.Client(), interval: 30 * time.Second, now: clock.now}
	_, err := k.VerifySignature(context.Background(), js.sign(t))
	require.NoError(t, err)
	require.Equal(t, int32(1), js.hits.Load())

	js.rotate(t, "k2")
	rotated := js.sign(t)
	clock.add(time.Second)
	_, err = k.VerifySignature(context.Background(), rotated)
	require.ErrorIs(t, err, errUnknownKey, "a second after a fetch, the keys are not fetched again")
	require.Equal(t, int32(1), js.hits.Load())
	require.Equal(t, "unknown signing key", reason(fmt.Errorf("oidc: failed to verify signature: %v", err)),
		"the library wraps the error with %%v; it is still read as an unknown key")

	clock.add(unknownKeyRefresh)
	_, err = k.VerifySignature(context.Background(), rotated)
	require.NoError(t, err, "well within the 30 s interval, a new kid fetches the keys")
	require.Equal(t, int32(2), js.hits.Load())
}
