package stripe

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/secretref"
)

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
		if err := checkBaseURL(c.BaseURL); err != nil {
			p["base_url"] = err.Error()
		}
	}
	return p
}

// problemsError joins problems into one error, in field order.
func problemsError(p map[string]string) error {
	var b strings.Builder
	b.WriteString("stripe configuration:")
	for i, field := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b.WriteString(";")
		}
		b.WriteString(" " + field + " " + p[field])
	}
	return errors.New(b.String())
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

// checkBaseURL keeps the secret key off plain HTTP: it is in every
// request's Authorization header.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return errors.New("must be an absolute URL with no credentials, path, query or fragment, e.g. https://api.stripe.com")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return errors.New("must be https (plain http only to a loopback address)")
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
