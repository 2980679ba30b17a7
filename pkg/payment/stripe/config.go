package stripe

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/endpoint"
	"github.com/backdesk/backdesk/pkg/platform/secretref"
)

// baseURL is what BaseURL may be: the secret key goes with every
// request, so only https, or plain http to this machine.
var baseURL = endpoint.BaseURL{Example: "https://api.stripe.com"}

// DefaultBaseURL is Stripe's API.
const DefaultBaseURL = "https://api.stripe.com"

// Config is how Backdesk reaches its Stripe account.
type Config struct {
	// SecretKeyRef names the account's secret key (sk_live_..., or a
	// restricted key rk_live_... allowed to write Checkout Sessions):
	// env:NAME for an environment variable or file:PATH for a mounted
	// secret. The key itself is never configured, logged or shown.
	SecretKeyRef string
	// WebhookSecretRef names the webhook endpoint's signing secret
	// (whsec_...), the same way.
	WebhookSecretRef string
	// BaseURL is where the API is; empty means DefaultBaseURL. It must be
	// https, except on a loopback address (a local test server).
	BaseURL string
	// HTTPClient makes the requests; nil means one with a 30-second
	// timeout. It is copied, never changed.
	HTTPClient *http.Client
}

// Problems checks the configuration and returns every problem at once, by
// field, in words; empty means it can be used. It does not read the
// secrets, only checks the form of their references.
func (c Config) Problems() map[string]string {
	p := map[string]string{}
	if err := checkRef(c.SecretKeyRef, "the secret key (sk_...)"); err != nil {
		p["secret_key_ref"] = err.Error()
	}
	if err := checkRef(c.WebhookSecretRef, "the webhook signing secret (whsec_...)"); err != nil {
		p["webhook_secret_ref"] = err.Error()
	}
	if c.BaseURL != "" {
		if err := baseURL.Check(c.BaseURL); err != nil {
			p["base_url"] = err.Error()
		}
	}
	return p
}

// checkRef accepts env:NAME and file:PATH, the two ways a secret is handed
// to a pod. It never quotes ref, which may be a secret pasted by mistake.
func checkRef(ref, what string) error {
	switch {
	case ref == "":
		return fmt.Errorf("is required: env:NAME or file:PATH naming %s", what)
	case secretref.Check(ref) != nil:
		return errors.New("must be env:NAME or file:PATH; the secret itself is never configured")
	}
	return nil
}

// secretKey reads the secret key, refusing a publishable key or anything
// else that is not a secret or restricted key. Errors name the
// reference, never the key.
func (c Config) secretKey() (string, error) {
	key, err := readSecret("secret key", c.SecretKeyRef)
	if err != nil {
		return "", err
	}
	switch {
	case strings.HasPrefix(key, "sk_"), strings.HasPrefix(key, "rk_"):
		return key, nil
	case strings.HasPrefix(key, "pk_"):
		return "", fmt.Errorf("stripe secret key %s: is a publishable key (pk_); a secret key (sk_) or restricted key (rk_) is needed", c.SecretKeyRef)
	}
	return "", fmt.Errorf("stripe secret key %s: is not a Stripe secret key (sk_) or restricted key (rk_)", c.SecretKeyRef)
}

// webhookSecret reads the webhook signing secret. Errors name the
// reference, never the secret.
func (c Config) webhookSecret() (string, error) {
	secret, err := readSecret("webhook secret", c.WebhookSecretRef)
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(secret, "whsec_") {
		return "", fmt.Errorf("stripe webhook secret %s: is not a webhook signing secret (whsec_)", c.WebhookSecretRef)
	}
	return secret, nil
}

// readSecret reads what ref names, trimmed: mounted secrets often end in
// a newline, and Stripe's keys have no spaces.
func readSecret(what, ref string) (string, error) {
	if err := checkRef(ref, "it"); err != nil {
		return "", fmt.Errorf("stripe %s reference %s", what, err)
	}
	v, err := secretref.Read(ref)
	switch {
	case errors.Is(err, secretref.ErrNotSet):
		v = ""
	case err != nil:
		return "", fmt.Errorf("stripe %s %s: %w", what, ref, err)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", fmt.Errorf("stripe %s %s: not set or empty", what, ref)
	}
	return v, nil
}
