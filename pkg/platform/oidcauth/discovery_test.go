package oidcauth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A provider whose discovery document names another issuer (here with a
// trailing slash) is reported as that mistake, naming both issuers, and
// not as a provider that cannot be reached.
func TestIssuerMismatchIsNamed(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `/","jwks_uri":"` + srv.URL + `/keys","authorization_endpoint":"` + srv.URL + `/auth","token_endpoint":"` + srv.URL + `/token"}`))
	}))
	t.Cleanup(srv.Close)
	v := NewVerifier(Config{Issuer: srv.URL, ClientID: "backdesk"})
	err := v.Ready(context.Background())
	var mm *IssuerMismatchError
	require.True(t, errors.As(err, &mm), "%v", err)
	require.Equal(t, srv.URL+"/", mm.Discovered)
	require.Equal(t, srv.URL, mm.Configured)
	require.Contains(t, err.Error(), `issuer in discovery is "`+srv.URL+`/", configured is "`+srv.URL+`"`)
	_, err = v.Verify(context.Background(), "a.b.c")
	require.True(t, errors.As(err, &mm), "a token is refused for the mismatch, not as invalid: %v", err)

	// The start-up watch logs the mismatch as a misconfiguration and keeps
	// trying without stopping the process.
	var log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	v.WatchDiscovery(ctx, slog.New(slog.NewTextHandler(&log, nil)))
	require.Contains(t, log.String(), "identity provider misconfigured")
	require.Contains(t, log.String(), "issuer in discovery is")
}

// A provider that answers once it is up is picked up by the start-up
// watch, which then returns.
func TestWatchDiscoveryWaitsForTheProvider(t *testing.T) {
	t.Parallel()
	up := make(chan struct{})
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-up:
		default:
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `","jwks_uri":"` + srv.URL + `/keys"}`))
	}))
	t.Cleanup(srv.Close)
	v := NewVerifier(Config{Issuer: srv.URL, ClientID: "backdesk"})
	time.AfterFunc(300*time.Millisecond, func() { close(up) })
	var log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v.WatchDiscovery(ctx, slog.New(slog.NewTextHandler(&log, nil)))
	require.NoError(t, ctx.Err(), "the watch returned once the provider answered")
	require.NoError(t, v.Ready(context.Background()))
	require.True(t, strings.Contains(log.String(), "not reachable yet") && strings.Contains(log.String(), "identity provider discovered"), log.String())
}

// A provider that refuses to redeem the code says why (a wrong client
// secret is invalid_client), and the refusal keeps its code and
// description instead of a bare "refused".
func TestProviderRefusalKeepsItsReason(t *testing.T) {
	t.Parallel()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `","jwks_uri":"` + srv.URL + `/keys","authorization_endpoint":"` + srv.URL + `/auth","token_endpoint":"` + srv.URL + `/token"}`))
		case "/token":
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client","error_description":"Invalid client credentials."}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	l := NewVerifier(Config{Issuer: srv.URL, ClientID: "backdesk"}).NewLogin("wrong-secret", "http://127.0.0.1/auth/callback", nil)
	a, err := l.Begin(context.Background())
	require.NoError(t, err)
	_, _, err = l.Finish(context.Background(), a, a.State, "some-code")
	require.ErrorIs(t, err, ErrLogin)
	var pe *ProviderError
	require.True(t, errors.As(err, &pe), "%v", err)
	require.Equal(t, "invalid_client", pe.Code)
	require.Equal(t, "Invalid client credentials.", pe.Description)
	require.Contains(t, err.Error(), "invalid_client (Invalid client credentials.)")
	require.Contains(t, pe.Hint(), "BACKDESK_OIDC_CLIENT_SECRET")
	require.NotContains(t, err.Error(), "wrong-secret", "the secret is never repeated")
}

// The discovery document is read again after DiscoveryRefresh, in the
// background: a provider that gains an end-session endpoint is followed
// without a restart, and the old document serves meanwhile.
func TestDiscoveryIsReadAgain(t *testing.T) {
	t.Parallel()
	var endSession atomic.Value
	endSession.Store("")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		extra := ""
		if e := endSession.Load().(string); e != "" {
			extra = `,"end_session_endpoint":"` + e + `"`
		}
		_, _ = w.Write([]byte(`{"issuer":"` + srv.URL + `","jwks_uri":"` + srv.URL + `/keys"` + extra + `}`))
	}))
	t.Cleanup(srv.Close)
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	v := NewVerifier(Config{Issuer: srv.URL, ClientID: "backdesk", Now: clock.now})
	endOf := func() string {
		p, err := v.Provider(context.Background())
		require.NoError(t, err)
		var m struct {
			End string `json:"end_session_endpoint"`
		}
		require.NoError(t, p.Claims(&m))
		return m.End
	}
	require.Empty(t, endOf())
	endSession.Store(srv.URL + "/logout")
	clock.add(time.Minute)
	require.Empty(t, endOf(), "within the hour the document in hand serves")
	clock.add(DiscoveryRefresh)
	endOf() // starts the background read
	require.Eventually(t, func() bool { return endOf() == srv.URL+"/logout" }, 5*time.Second, 10*time.Millisecond)
}
