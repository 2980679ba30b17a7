package devstack_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/services/devstack/devissuer"
	"github.com/stretchr/testify/require"
)

func mintOpts() devissuer.MintOptions { return devissuer.MintOptions{} }

// newIssuer serves a development provider of its own on a loopback port.
func newIssuer(t *testing.T) *devissuer.Issuer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()
	iss, err := devissuer.New(devissuer.Config{
		Issuer: base + "/dev/oidc", ClientID: "backdesk-dev", ClientSecret: "s3cret",
		RedirectURIs: []string{base + "/auth/callback"},
	})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(iss.Prefix()+"/", iss.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return iss
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func verifierFor(iss *devissuer.Issuer, clock *fakeClock) *oidcauth.Verifier {
	return oidcauth.NewVerifier(oidcauth.Config{Issuer: iss.Issuer(), ClientID: "backdesk-dev", Now: clock.Now, KeyRefresh: 30 * time.Second})
}

// TestUnknownKeyFloodFetchesKeysOncePerInterval sends many tokens with
// random key ids; the provider's keys are fetched at most once per refresh
// interval however many arrive.
func TestUnknownKeyFloodFetchesKeysOncePerInterval(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	clock := &fakeClock{t: time.Now()}
	v := verifierFor(iss, clock)
	ctx := context.Background()

	good, _, err := iss.Mint("alice", devissuer.MintOptions{})
	require.NoError(t, err)
	_, err = v.Verify(ctx, good)
	require.NoError(t, err)
	require.Equal(t, 1, v.JWKSFetches())

	claims := claimsFor(iss.Issuer(), clock.Now())
	forged := make([]string, 20)
	for i := range forged {
		forged[i] = foreignSigned(t, claims, fmt.Sprintf("random-kid-%d", i))
	}
	var wg sync.WaitGroup
	for round := 0; round < 10; round++ {
		for _, tok := range forged {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := v.Verify(ctx, tok)
				require.ErrorIs(t, err, oidcauth.ErrInvalidToken)
			}()
		}
	}
	wg.Wait()
	require.LessOrEqual(t, v.JWKSFetches(), 2, "200 bad tokens within one interval")

	clock.Add(31 * time.Second)
	before := v.JWKSFetches()
	for _, tok := range forged {
		_, err := v.Verify(ctx, tok)
		require.Error(t, err)
	}
	require.Equal(t, before+1, v.JWKSFetches(), "one more fetch in the next interval")
}

// TestRotatedKeyIsPickedUpWithoutRestart rotates the provider's signing key
// while a verifier holds the old keys.
func TestRotatedKeyIsPickedUpWithoutRestart(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	clock := &fakeClock{t: time.Now()}
	v := verifierFor(iss, clock)
	ctx := context.Background()
	old, _, err := iss.Mint("alice", devissuer.MintOptions{})
	require.NoError(t, err)
	_, err = v.Verify(ctx, old)
	require.NoError(t, err)

	require.NoError(t, iss.Rotate())
	fresh, _, err := iss.Mint("bob", devissuer.MintOptions{})
	require.NoError(t, err)
	clock.Add(31 * time.Second) // past the refresh interval since the last fetch
	c, err := v.Verify(ctx, fresh)
	require.NoError(t, err, "a token signed with the new key verifies")
	require.Equal(t, "dev-bob", c.Subject)
	_, err = v.Verify(ctx, old)
	require.NoError(t, err, "tokens signed with the old key still verify")
}

func TestIDTokenNonceMustMatch(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t)
	clock := &fakeClock{t: time.Now()}
	login := verifierFor(iss, clock).NewLogin("s3cret", "http://127.0.0.1/auth/callback", nil)
	_, id, err := iss.Mint("alice", devissuer.MintOptions{Nonce: "nonce-of-this-login"})
	require.NoError(t, err)
	_, err = login.CheckNonce(context.Background(), id, "nonce-of-another-login")
	require.ErrorIs(t, err, oidcauth.ErrLogin)
	c, err := login.CheckNonce(context.Background(), id, "nonce-of-this-login")
	require.NoError(t, err)
	require.Equal(t, "dev-alice", c.Subject)
}
