package oidcauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
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
	key    *ecdsa.PrivateKey
	gate   chan struct{}
	status atomic.Int32
	hits   atomic.Int32
}

func newJWKSServer(t *testing.T) (*jwksServer, *httptest.Server) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	js := &jwksServer{key: key}
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
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	}))
	t.Cleanup(srv.Close)
	return js, srv
}

func (js *jwksServer) sign(t *testing.T) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: js.key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
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
