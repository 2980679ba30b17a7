package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/endpoint"
)

// Base holds the settings every Backdesk service shares (the README lists them).
// Each service embeds it in its own config struct and adds what it alone needs.
type Base struct {
	DatabaseURL      string        // BACKDESK_DATABASE_URL: postgres://… or sqlite://path
	RedisURL         string        // BACKDESK_REDIS_URL: redis://, rediss://, redis-sentinel://
	Addr             string        // BACKDESK_ADDR: listen address
	PublicURL        string        // BACKDESK_PUBLIC_URL: how browsers reach the platform
	OIDCIssuer       string        // BACKDESK_OIDC_ISSUER
	OIDCClientID     string        // BACKDESK_OIDC_CLIENT_ID
	OIDCClientSecret string        // BACKDESK_OIDC_CLIENT_SECRET
	OIDCRolesClaim   string        // BACKDESK_OIDC_ROLES_CLAIM, default "groups"
	OIDCRoleMap      string        // BACKDESK_OIDC_ROLE_MAP, "group=role,…"
	OIDCScopes       string        // BACKDESK_OIDC_SCOPES, default "openid profile email"
	OIDCLeeway       time.Duration // BACKDESK_OIDC_LEEWAY: clock skew allowed on tokens, default 60s
	OIDCKeyRefresh   time.Duration // BACKDESK_OIDC_JWKS_REFRESH: least time between key refetches, default 30s
	// OIDCAPIAudience (BACKDESK_OIDC_API_AUDIENCE) is the audience bearer
	// access tokens must carry when the provider issues them for an API
	// rather than for the client id.
	OIDCAPIAudience string
	// OIDCLogoutIDTokenHint (BACKDESK_OIDC_LOGOUT_ID_TOKEN_HINT) sends the
	// ID token back as id_token_hint at logout, for providers that need it.
	OIDCLogoutIDTokenHint bool
	// OIDCRequireMFA (BACKDESK_OIDC_REQUIRE_MFA) names the roles whose PHI
	// access needs a second factor: "all", or roles separated by commas.
	OIDCRequireMFA string
	// OIDCMFAACRValues (BACKDESK_OIDC_MFA_ACR_VALUES) are acr values that
	// vouch for a second factor, separated by spaces or commas.
	OIDCMFAACRValues string
	// OIDCRecheckInterval (BACKDESK_OIDC_RECHECK_INTERVAL) is how often a
	// browser session's person is checked again at the provider (refresh
	// token, or userinfo); 0, the default, never.
	OIDCRecheckInterval time.Duration
	// OIDCAcceptIDTokenBearers (BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS)
	// accepts bearer tokens with ID-token marks (at_hash, nonce), which
	// Dex's access tokens carry.
	OIDCAcceptIDTokenBearers bool
	SessionIdle              time.Duration // BACKDESK_SESSION_IDLE_TIMEOUT, default 15m
	SessionLifetime          time.Duration // BACKDESK_SESSION_LIFETIME, default 12h
	AuditSigningKey          string        // BACKDESK_AUDIT_SIGNING_KEY
	// AuditKeyNote says, in the start-up log, where an audit signing key
	// that is not configured came from (the dev binary makes its own).
	AuditKeyNote       string
	AuditVerifyKey     string        // BACKDESK_AUDIT_VERIFY_KEY: public key that checks checkpoints, name+hash+key
	AuditRetentionDays int           // BACKDESK_AUDIT_RETENTION: "2192d" or "6y"; default and minimum six years
	GrantDefaultDays   int           // BACKDESK_GRANT_DEFAULT_DAYS: a grant's length when none is asked, default 90
	GrantMaxDays       int           // BACKDESK_GRANT_MAX_DAYS: the longest grant, default 365
	GrantReviewDays    int           // BACKDESK_GRANT_REVIEW_DAYS: re-certify grants this often, default 30
	BreakGlassFor      time.Duration // BACKDESK_BREAK_GLASS_DURATION: how long break-glass stays open, default 15m
	AgentOfflineAfter  time.Duration // BACKDESK_AGENT_OFFLINE_AFTER: offline this long and an agent's queue moves, default 2h
	AuditVerifyEvery   time.Duration // BACKDESK_AUDIT_VERIFY_EVERY: how often the router verifies the whole audit log, default 24h
	QueueWeights       string        // BACKDESK_QUEUE_WEIGHTS: "queue=weight,…" over the defaults
	LogLevel           slog.Level    // BACKDESK_LOG_LEVEL: debug, info, warn, error
	ShutdownTimeout    time.Duration // BACKDESK_SHUTDOWN_TIMEOUT, default 10s
	// Messages is how patients' texts and e-mails go out.
	Messages Messages
	// Payments is how patients pay by link.
	Payments Payments
}

// Audit retention in days: HIPAA requires audit records to be kept six
// years (45 CFR 164.316(b)(2)), and six years hold at most 2192 days.
const (
	MinAuditRetentionDays     = 2192
	DefaultAuditRetentionDays = MinAuditRetentionDays
)

// Defaults are the values used when a variable is unset. An empty
// DatabaseURL or RedisURL default makes that variable required.
type Defaults struct {
	DatabaseURL  string
	RedisURL     string
	Addr         string
	PublicURL    string
	OIDCIssuer   string
	OIDCClientID string
	OIDCRoleMap  string
	// MessageProvider is the text and e-mail provider when none is named:
	// "dev" in the dev binary, none elsewhere.
	MessageProvider string
	// PaymentProvider is the payment provider when none is named: "dev"
	// in the dev binary, none elsewhere.
	PaymentProvider string
}

// SecureCookies reports whether cookies must be marked Secure: whenever
// browsers reach the platform over https.
func (b Base) SecureCookies() bool { return strings.HasPrefix(b.PublicURL, "https://") }

// ReadBase reads the shared settings through r; r.Err reports the problems.
func ReadBase(r *Reader, d Defaults) Base {
	b := Base{
		DatabaseURL:              r.URL("BACKDESK_DATABASE_URL", d.DatabaseURL, "postgres", "postgresql", "sqlite"),
		RedisURL:                 r.URL("BACKDESK_REDIS_URL", d.RedisURL, "redis", "rediss", "redis-sentinel", "redis-socket"),
		Addr:                     r.String("BACKDESK_ADDR", firstNonEmpty(d.Addr, ":8080")),
		PublicURL:                r.URL("BACKDESK_PUBLIC_URL", d.PublicURL, "http", "https"),
		OIDCIssuer:               r.URL("BACKDESK_OIDC_ISSUER", d.OIDCIssuer, "https", "http"),
		OIDCClientID:             r.String("BACKDESK_OIDC_CLIENT_ID", d.OIDCClientID),
		OIDCClientSecret:         r.String("BACKDESK_OIDC_CLIENT_SECRET", ""),
		OIDCRolesClaim:           r.String("BACKDESK_OIDC_ROLES_CLAIM", "groups"),
		OIDCRoleMap:              r.String("BACKDESK_OIDC_ROLE_MAP", d.OIDCRoleMap),
		OIDCScopes:               r.String("BACKDESK_OIDC_SCOPES", "openid profile email"),
		OIDCLeeway:               r.Duration("BACKDESK_OIDC_LEEWAY", 60*time.Second),
		OIDCKeyRefresh:           r.Duration("BACKDESK_OIDC_JWKS_REFRESH", 30*time.Second),
		OIDCAPIAudience:          r.String("BACKDESK_OIDC_API_AUDIENCE", ""),
		OIDCRequireMFA:           r.String("BACKDESK_OIDC_REQUIRE_MFA", ""),
		OIDCMFAACRValues:         r.String("BACKDESK_OIDC_MFA_ACR_VALUES", ""),
		OIDCLogoutIDTokenHint:    r.Bool("BACKDESK_OIDC_LOGOUT_ID_TOKEN_HINT", false),
		OIDCRecheckInterval:      r.Duration("BACKDESK_OIDC_RECHECK_INTERVAL", 0),
		OIDCAcceptIDTokenBearers: r.Bool("BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS", false),
		SessionIdle:              r.Duration("BACKDESK_SESSION_IDLE_TIMEOUT", 15*time.Minute),
		SessionLifetime:          r.Duration("BACKDESK_SESSION_LIFETIME", 12*time.Hour),
		AuditSigningKey:          r.String("BACKDESK_AUDIT_SIGNING_KEY", ""),
		AuditVerifyKey:           r.String("BACKDESK_AUDIT_VERIFY_KEY", ""),
		AuditRetentionDays:       r.Days("BACKDESK_AUDIT_RETENTION", DefaultAuditRetentionDays),
		ShutdownTimeout:          r.Duration("BACKDESK_SHUTDOWN_TIMEOUT", 10*time.Second),
		GrantDefaultDays:         r.Int("BACKDESK_GRANT_DEFAULT_DAYS", 90),
		GrantMaxDays:             r.Int("BACKDESK_GRANT_MAX_DAYS", 365),
		GrantReviewDays:          r.Int("BACKDESK_GRANT_REVIEW_DAYS", 30),
		BreakGlassFor:            r.Duration("BACKDESK_BREAK_GLASS_DURATION", 15*time.Minute),
		AgentOfflineAfter:        r.Duration("BACKDESK_AGENT_OFFLINE_AFTER", 2*time.Hour),
		AuditVerifyEvery:         r.Duration("BACKDESK_AUDIT_VERIFY_EVERY", 24*time.Hour),
		QueueWeights:             r.String("BACKDESK_QUEUE_WEIGHTS", ""),
		Messages:                 ReadMessages(r, d.MessageProvider),
		Payments:                 ReadPayments(r, d.PaymentProvider),
	}
	level := r.String("BACKDESK_LOG_LEVEL", "info")
	if err := b.LogLevel.UnmarshalText([]byte(level)); err != nil {
		r.Check(Check{Bad: true, Var: "BACKDESK_LOG_LEVEL", Message: "must be debug, info, warn or error"})
	}
	_, _, addrErr := net.SplitHostPort(b.Addr)
	r.Check(
		Check{Bad: b.DatabaseURL == "", Var: "BACKDESK_DATABASE_URL", Message: "is required but not set"},
		Check{Bad: b.RedisURL == "", Var: "BACKDESK_REDIS_URL", Message: "is required but not set"},
		Check{Bad: addrErr != nil, Var: "BACKDESK_ADDR", Message: "must be host:port or :port"},
		Check{Bad: strings.HasPrefix(b.DatabaseURL, "sqlite:") && sqlitePath(b.DatabaseURL) == "", Var: "BACKDESK_DATABASE_URL", Message: "sqlite URL needs a path, e.g. sqlite://.backdesk/backdesk.db"},
		Check{Bad: b.OIDCIssuer == "", Var: "BACKDESK_OIDC_ISSUER", Message: "is required: the OpenID Connect provider that vouches for every user"},
		Check{Bad: b.OIDCClientID == "", Var: "BACKDESK_OIDC_CLIENT_ID", Message: "is required: the client id tokens must be issued to"},
		Check{Bad: b.OIDCIssuer != "" && insecureRemote(b.OIDCIssuer), Var: "BACKDESK_OIDC_ISSUER", Message: "must use https unless the host is loopback"},
		Check{Bad: b.OIDCKeyRefresh == 0, Var: "BACKDESK_OIDC_JWKS_REFRESH", Message: "must be greater than zero"},
		Check{Bad: b.OIDCRecheckInterval < 0 || (b.OIDCRecheckInterval > 0 && b.OIDCRecheckInterval < time.Minute),
			Var: "BACKDESK_OIDC_RECHECK_INTERVAL", Message: "must be 0 (off) or at least 1m"},
		Check{Bad: b.SessionIdle == 0 || b.SessionIdle > b.SessionLifetime, Var: "BACKDESK_SESSION_IDLE_TIMEOUT", Message: "must be greater than zero and at most BACKDESK_SESSION_LIFETIME"},
		Check{Bad: b.SessionLifetime > 24*time.Hour, Var: "BACKDESK_SESSION_LIFETIME", Message: "must be at most 24h"},
		Check{Bad: b.ShutdownTimeout == 0, Var: "BACKDESK_SHUTDOWN_TIMEOUT", Message: "must be greater than zero"},
		Check{Bad: b.GrantMaxDays < 1 || b.GrantMaxDays > 3650, Var: "BACKDESK_GRANT_MAX_DAYS", Message: "must be between 1 and 3650"},
		Check{Bad: b.GrantDefaultDays < 1 || b.GrantDefaultDays > b.GrantMaxDays, Var: "BACKDESK_GRANT_DEFAULT_DAYS", Message: "must be between 1 and BACKDESK_GRANT_MAX_DAYS"},
		Check{Bad: b.GrantReviewDays < 1 || b.GrantReviewDays > 365, Var: "BACKDESK_GRANT_REVIEW_DAYS", Message: "must be between 1 and 365"},
		Check{Bad: b.BreakGlassFor < time.Minute || b.BreakGlassFor > 4*time.Hour, Var: "BACKDESK_BREAK_GLASS_DURATION", Message: "must be between 1m and 4h"},
		Check{Bad: b.AgentOfflineAfter < time.Minute, Var: "BACKDESK_AGENT_OFFLINE_AFTER", Message: "must be at least 1m"},
		Check{Bad: b.AuditVerifyEvery < time.Minute, Var: "BACKDESK_AUDIT_VERIFY_EVERY", Message: "must be at least 1m"},
		Check{Bad: badWeights(b.QueueWeights), Var: "BACKDESK_QUEUE_WEIGHTS", Message: "must be queue=weight pairs separated by commas, e.g. claims=4,balances=4, with weights from 1 to 100"},
		Check{Bad: b.AuditRetentionDays < MinAuditRetentionDays, Var: "BACKDESK_AUDIT_RETENTION",
			Message: "must be at least six years (2192d or 6y): HIPAA requires audit records to be kept six years"},
	)
	r.Check(auditKeyChecks(b)...)
	return b
}

// LogValue prints the settings with secrets masked, for the start-up log
// line. A secret that is not set is left out rather than shown empty; the
// audit signing key a development binary made itself is said so.
func (b Base) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("database_url", Mask(b.DatabaseURL)),
		slog.String("redis_url", Mask(b.RedisURL)),
		slog.String("addr", b.Addr),
		slog.String("public_url", b.PublicURL),
		slog.String("oidc_issuer", b.OIDCIssuer),
		slog.String("oidc_client_id", b.OIDCClientID),
		secretAttr("oidc_client_secret", b.OIDCClientSecret, ""),
		slog.String("oidc_roles_claim", b.OIDCRolesClaim),
		slog.String("oidc_scopes", b.OIDCScopes),
		slog.String("oidc_api_audience", b.OIDCAPIAudience),
		slog.String("oidc_require_mfa", b.OIDCRequireMFA),
		slog.String("oidc_mfa_acr_values", b.OIDCMFAACRValues),
		slog.Bool("oidc_logout_id_token_hint", b.OIDCLogoutIDTokenHint),
		slog.String("oidc_recheck_interval", b.OIDCRecheckInterval.String()),
		slog.Bool("oidc_accept_id_token_bearers", b.OIDCAcceptIDTokenBearers),
		slog.String("session_idle_timeout", b.SessionIdle.String()),
		slog.String("session_lifetime", b.SessionLifetime.String()),
		secretAttr("audit_signing_key", b.AuditSigningKey, b.AuditKeyNote),
		slog.String("audit_verify_key", b.AuditVerifyKey), // public: says which key checks checkpoints
		slog.Int("audit_retention_days", b.AuditRetentionDays),
		slog.String("audit_verify_every", b.AuditVerifyEvery.String()),
		slog.String("log_level", b.LogLevel.String()),
		slog.String("shutdown_timeout", b.ShutdownTimeout.String()),
	}
	kept := attrs[:0]
	for _, a := range attrs {
		if a.Key != "" {
			kept = append(kept, a)
		}
	}
	return slog.GroupValue(kept...)
}

// secretAttr is a masked secret, or note when it is not set, or nothing.
func secretAttr(key, value, note string) slog.Attr {
	switch {
	case value != "":
		return slog.String(key, Secret(value))
	case note != "":
		return slog.String(key, note)
	}
	return slog.Attr{}
}

func sqlitePath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host + u.Path
}

func insecureRemote(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	return !endpoint.IsLoopback(u.Hostname())
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func badWeights(s string) bool {
	_, err := ParseWeights(s)
	return err != nil
}

// ParseWeights reads "queue=weight,…"; an empty string is no override.
func ParseWeights(s string) (map[string]int, error) {
	out := map[string]int{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if !ok || strings.TrimSpace(name) == "" || err != nil || n < 1 || n > 100 {
			return nil, fmt.Errorf("%q is not queue=weight", part)
		}
		out[strings.TrimSpace(name)] = n
	}
	return out, nil
}
