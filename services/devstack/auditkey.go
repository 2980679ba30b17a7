package devstack

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
)

// devAuditKey returns the audit signing key for a dev database without
// BACKDESK_AUDIT_SIGNING_KEY: kept in a file beside a SQLite database, so
// checkpoints signed before a restart still verify after it; generated
// afresh (and lost at exit) for any other database.
func devAuditKey(databaseURL string) (key string, persisted bool, err error) {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme != "sqlite" {
		k, _, err := audit.GenerateKey("backdesk-dev-audit")
		return k, false, err
	}
	path := filepath.Join(filepath.Dir(u.Host+u.Path), "audit-signing.key")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), true, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", false, fmt.Errorf("read dev audit key: %w", err)
	}
	k, _, err := audit.GenerateKey("backdesk-dev-audit")
	if err != nil {
		return "", false, err
	}
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return "", false, fmt.Errorf("write dev audit key: %w", err)
	}
	return k, true, nil
}
