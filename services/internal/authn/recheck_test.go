package authn_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/oidcauth"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/stretchr/testify/require"
)

// provider answers re-checks as the test says; the protocol itself is
// tested against Dex (services/devstack/dexsuite).
type provider struct {
	calls  atomic.Int32
	answer func(subject string, t oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error)
}

func (p *provider) Recheck(_ context.Context, subject string, t oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error) {
	p.calls.Add(1)
	return p.answer(subject, t)
}

func recheckSetup(t *testing.T, every time.Duration) (*testBundle, *provider) {
	t.Helper()
	p := &provider{}
	b := setupWith(t, func(a *authn.Authenticator, b *testBundle) {
		a.Recheck, a.RecheckEvery, a.Now = p, every, b.clock.now
	})
	return b, p
}

func claims(groups ...any) oidcauth.Claims {
	return oidcauth.Claims{Subject: "alice", Raw: map[string]any{"groups": groups}}
}

func TestSessionsAreCheckedAgainAtTheProvider(t *testing.T) {
	t.Parallel()
	b, p := recheckSetup(t, 10*time.Minute)
	p.answer = func(subject string, tok oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error) {
		require.Equal(t, "alice", subject)
		require.Equal(t, "refresh-1", tok.Refresh, "the sealed refresh token comes back")
		return claims("compliance"), oidcauth.Tokens{Access: "access-2", Refresh: "refresh-2"}, nil
	}
	sid, _, err := b.sessions.Create(context.Background(), session.Session{Issuer: "https://idp", Subject: "alice", Groups: []string{"agent"}},
		session.Secrets{AccessToken: "access-1", RefreshToken: "refresh-1"})
	require.NoError(t, err)
	roles := func() string {
		w := b.do(http.MethodGet, "/api/v1/roles", sid, nil)
		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		return w.Body.String()
	}
	require.Contains(t, roles(), `"agent"`)
	require.Zero(t, p.calls.Load(), "nothing is asked within the interval")

	b.clock.add(10 * time.Minute)
	require.Contains(t, roles(), `"compliance"`, "roles follow the provider's groups")
	require.NotContains(t, roles(), `"agent"`)
	require.EqualValues(t, 1, p.calls.Load(), "once per interval")
	sess, err := b.sessions.Get(context.Background(), sid)
	require.NoError(t, err)
	require.Equal(t, session.Secrets{AccessToken: "access-2", RefreshToken: "refresh-2"}, b.sessions.Secrets(sid, sess))

	// The provider cannot be asked: the session goes on, asked again a
	// minute later, not at every request.
	p.answer = func(string, oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error) {
		return oidcauth.Claims{}, oidcauth.Tokens{}, errors.New("dial tcp: connection refused")
	}
	b.clock.add(10 * time.Minute)
	require.Contains(t, roles(), `"compliance"`)
	require.Contains(t, roles(), `"compliance"`)
	require.EqualValues(t, 2, p.calls.Load())
	b.clock.add(time.Minute)

	// It no longer vouches for the person: the session ends at once.
	p.answer = func(string, oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error) {
		return oidcauth.Claims{}, oidcauth.Tokens{}, oidcauth.ErrRevoked
	}
	w := b.do(http.MethodGet, "/api/v1/roles", sid, nil)
	require.Equal(t, http.StatusUnauthorized, w.Code)
	require.Contains(t, w.Body.String(), "no longer vouches")
	require.EqualValues(t, 3, p.calls.Load())
	_, err = b.sessions.Get(context.Background(), sid)
	require.ErrorIs(t, err, session.ErrNoSession)
}

// A person removed from every group keeps no role: an absent roles claim
// is read as no groups, not as "unchanged".
func TestARecheckWithoutGroupsTakesEveryRole(t *testing.T) {
	t.Parallel()
	b, p := recheckSetup(t, time.Minute)
	p.answer = func(string, oidcauth.Tokens) (oidcauth.Claims, oidcauth.Tokens, error) {
		return oidcauth.Claims{Subject: "alice", Raw: map[string]any{}}, oidcauth.Tokens{Refresh: "r"}, nil
	}
	sid, _, err := b.sessions.Create(context.Background(), session.Session{Issuer: "https://idp", Subject: "alice", Groups: []string{"platform_admin"}},
		session.Secrets{RefreshToken: "r"})
	require.NoError(t, err)
	b.clock.add(time.Minute)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/roles", nil)
	req.AddCookie(&http.Cookie{Name: authn.SessionCookie, Value: sid})
	w := httptest.NewRecorder()
	b.engine.ServeHTTP(w, req)
	require.Equal(t, http.StatusOK, w.Code)
	require.JSONEq(t, `{"roles":null}`, w.Body.String())
}
