package oidcauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// IssuerMismatchError says the provider's discovery document names
// another issuer than the one configured: every token would be refused,
// so it is reported as the configuration mistake it is. A trailing slash
// is enough to cause it.
type IssuerMismatchError struct {
	Configured string
	Discovered string
}

func (e *IssuerMismatchError) Error() string {
	return fmt.Sprintf("issuer in discovery is %q, configured is %q: set BACKDESK_OIDC_ISSUER to exactly the discovery document's issuer", e.Discovered, e.Configured)
}

// mismatch reads the issuer the discovery document names, to explain a
// refusal by the OIDC library; nil when it cannot tell.
func mismatch(ctx context.Context, client *http.Client, issuer string) *IssuerMismatchError {
	url := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil
	}
	res, err := client.Do(req)
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var doc struct {
		Issuer string `json:"issuer"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&doc) != nil {
		return nil
	}
	if doc.Issuer == "" || doc.Issuer == issuer {
		return nil
	}
	return &IssuerMismatchError{Configured: issuer, Discovered: doc.Issuer}
}

// WatchDiscovery loads the provider's discovery document at start-up,
// and while the provider cannot be reached tries again with a doubling
// pause (up to a minute), logging each failure with its cause (an issuer
// mismatch is named as such). It returns once discovery succeeded, or
// when ctx ends; it never stops the process.
func (v *Verifier) WatchDiscovery(ctx context.Context, log *slog.Logger) {
	wait := time.Second
	for {
		err := v.Ready(ctx)
		if err == nil {
			log.InfoContext(ctx, "identity provider discovered", "issuer", v.cfg.Issuer)
			return
		}
		var mm *IssuerMismatchError
		if errors.As(err, &mm) {
			log.ErrorContext(ctx, "identity provider misconfigured", "error", err.Error(), "retry_in", wait.String())
		} else {
			log.WarnContext(ctx, "identity provider not reachable yet", "error", err.Error(), "retry_in", wait.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Minute)
	}
}
