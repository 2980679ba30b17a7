package catalog_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/internal/catalog"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/stretchr/testify/require"
)

// The audit service starts with the public key and refuses to start
// without it, or with the signing key in its environment.
func TestAuditServiceTakesOnlyTheVerifyKey(t *testing.T) {
	t.Parallel()
	skey, vkey, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	tests := []struct {
		name, signing, verify, wantErr string
	}{
		{name: "verify key", verify: vkey},
		{name: "signing key only", signing: skey, wantErr: "BACKDESK_AUDIT_SIGNING_KEY: must not be given to the audit service"},
		{name: "signing key beside the verify key", signing: skey, verify: vkey, wantErr: "BACKDESK_AUDIT_SIGNING_KEY: must not be given to the audit service"},
		{name: "no key", wantErr: "BACKDESK_AUDIT_VERIFY_KEY: is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Base{
				DatabaseURL: "sqlite://" + t.TempDir() + "/db", RedisURL: "redis://127.0.0.1:6379/0",
				Addr: "127.0.0.1:0", ShutdownTimeout: time.Second, AuditRetentionDays: config.DefaultAuditRetentionDays,
				AuditSigningKey: tc.signing, AuditVerifyKey: tc.verify,
			}
			p, err := serve.Open(context.Background(), "audit", cfg, &bytes.Buffer{})
			require.NoError(t, err)
			t.Cleanup(p.Close)
			err = catalog.Build(context.Background(), p, domains.New(p, domains.Options{}), catalog.Options{}, "audit")
			require.Nil(t, p.AuditSigner, "the audit service never loads a signing key")
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
