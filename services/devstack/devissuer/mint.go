package devissuer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// MintOptions tunes tokens made by Mint. A test that checks nonce handling
// mints an ID token with the nonce it expects, or with a wrong one.
type MintOptions struct {
	Nonce string
	// MFA mints tokens of a sign-in with a second factor (amr "mfa").
	MFA bool
}

// mintScopes are what a browser login by Backdesk asks for, so minted
// tokens carry the same claims as ones from the code flow.
var mintScopes = []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, scopeGroups}

// Mint signs tokens for a user with the active key, exactly as the token
// endpoint would, because it runs op's own token code on a completed auth
// request: scripts and tests get tokens without a browser, and those
// tokens cannot differ from real ones. The access token is also known to
// the userinfo endpoint.
func (i *Issuer) Mint(username string, o MintOptions) (accessToken, idToken string, err error) {
	u, ok := i.users.byUsername(username)
	if !ok {
		return "", "", fmt.Errorf("devissuer: %w %q", errUnknownUser, username)
	}
	now := i.storage.now()
	req := &authRequest{
		id:           rand.Text(),
		clientID:     i.client.id,
		nonce:        o.Nonce,
		scopes:       slices.Clone(mintScopes),
		responseType: oidc.ResponseTypeCode,
		subject:      u.Subject,
		authTime:     now,
		done:         true,
		amr:          methods(o.MFA),
	}
	ctx := op.ContextWithIssuer(context.Background(), i.issuer)
	accessToken, _, _, err = op.CreateAccessToken(ctx, req, i.client.AccessTokenType(), i.provider, i.client, "")
	if err != nil {
		return "", "", fmt.Errorf("devissuer: access token: %w", err)
	}
	idToken, err = op.CreateIDToken(ctx, i.issuer, req, i.client.IDTokenLifetime(), accessToken, "", i.storage, i.client)
	if err != nil {
		return "", "", fmt.Errorf("devissuer: id token: %w", err)
	}
	return accessToken, idToken, nil
}

type devTokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// serveDevToken is POST /dev-token: form field user in, tokens out, for
// backdeskctl and shell scripts that cannot click through a login page.
func (i *Issuer) serveDevToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{errorDetail{"method_not_allowed", "use POST with form field user"}})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{errorDetail{"bad_request", "cannot read form"}})
		return
	}
	username := r.PostForm.Get("user")
	if username == "" {
		writeJSON(w, http.StatusBadRequest, errorBody{errorDetail{"bad_request", "form field user is required"}})
		return
	}
	access, id, err := i.Mint(username, MintOptions{MFA: r.PostForm.Get("mfa") == "true"})
	switch {
	case errors.Is(err, errUnknownUser):
		writeJSON(w, http.StatusNotFound, errorBody{errorDetail{"unknown_user", fmt.Sprintf("no demo user %q", username)}})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{"internal", "cannot sign tokens"}})
		return
	}
	writeJSON(w, http.StatusOK, devTokenResponse{
		AccessToken: access,
		IDToken:     id,
		TokenType:   oidc.BearerToken,
		ExpiresIn:   int64(i.ttl.Seconds()),
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
