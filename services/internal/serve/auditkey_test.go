package serve_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"
)

// open builds a process with the audit keys given; the database is a
// fresh SQLite file and Redis is never dialled by these tests.
func open(t *testing.T, signingKey, verifyKey string) *serve.Process {
	t.Helper()
	cfg := config.Base{
		DatabaseURL: "sqlite://" + t.TempDir() + "/db", RedisURL: "redis://127.0.0.1:6379/0",
		Addr: "127.0.0.1:0", ShutdownTimeout: time.Second,
		AuditSigningKey: signingKey, AuditVerifyKey: verifyKey,
	}
	p, err := serve.Open(context.Background(), "test", cfg, &bytes.Buffer{})
	require.NoError(t, err)
	t.Cleanup(p.Close)
	return p
}

func keys(t *testing.T) (signingKey, verifyKey string) {
	t.Helper()
	s, v, err := audit.GenerateKey("backdesk.test/audit")
	require.NoError(t, err)
	return s, v
}

// signs reports whether v accepts a note signed by s.
func signs(t *testing.T, s note.Signer, v note.Verifier) bool {
	t.Helper()
	msg, err := note.Sign(&note.Note{Text: "probe\n"}, s)
	require.NoError(t, err)
	_, err = note.Open(msg, note.VerifierList(v))
	return err == nil
}

// A process gets its verifier from the public key alone, and Open never
// loads the signing key: only the code that signs checkpoints does.
func TestOpenLoadsOnlyTheVerifyKey(t *testing.T) {
	t.Parallel()
	skey, vkey := keys(t)

	p := open(t, "", vkey)
	require.NotNil(t, p.AuditVerifier)
	require.Nil(t, p.AuditSigner)

	p = open(t, skey, "")
	require.Nil(t, p.AuditSigner, "Open must not load the signing key")
	require.NoError(t, p.IntegrateAudit(time.Second))
	require.NotNil(t, p.AuditSigner)
	require.True(t, signs(t, p.AuditSigner, p.AuditVerifier), "the verifier is derived from the signing key")

	p = open(t, skey, vkey)
	require.NoError(t, p.IntegrateAudit(time.Second))
	require.True(t, signs(t, p.AuditSigner, p.AuditVerifier))
}

// A verify key that is not the signing key's public half stops the
// signing process at start: its checkpoints would fail verification
// everywhere else.
func TestSigningKeyMustMatchTheVerifyKey(t *testing.T) {
	t.Parallel()
	skey, _ := keys(t)
	_, other := keys(t)
	p := open(t, skey, other)
	err := p.IntegrateAudit(time.Second)
	require.ErrorContains(t, err, "BACKDESK_AUDIT_VERIFY_KEY")
	require.Nil(t, p.AuditSigner)

	require.ErrorContains(t, open(t, "", "").IntegrateAudit(time.Second), "BACKDESK_AUDIT_SIGNING_KEY")
}

// The audit service checks checkpoints and must never be able to sign
// one: it needs the public key and refuses the private one.
func TestVerifyOnly(t *testing.T) {
	t.Parallel()
	skey, vkey := keys(t)
	tests := []struct {
		name             string
		signing, verify  string
		wantErr, without []string
	}{
		{name: "verify key", verify: vkey},
		{name: "nothing", wantErr: []string{"BACKDESK_AUDIT_VERIFY_KEY: is required"}, without: []string{"BACKDESK_AUDIT_SIGNING_KEY: must not"}},
		{name: "signing key only", signing: skey, wantErr: []string{"BACKDESK_AUDIT_SIGNING_KEY: must not be given", "BACKDESK_AUDIT_VERIFY_KEY: is required"}},
		{name: "both", signing: skey, verify: vkey, wantErr: []string{"BACKDESK_AUDIT_SIGNING_KEY: must not be given"}, without: []string{"BACKDESK_AUDIT_VERIFY_KEY: is required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := open(t, tc.signing, tc.verify)
			v, err := p.VerifyOnly()
			require.Nil(t, p.AuditSigner)
			if len(tc.wantErr) == 0 {
				require.NoError(t, err)
				require.NotNil(t, v)
				return
			}
			require.Error(t, err)
			require.Nil(t, v)
			for _, w := range tc.wantErr {
				require.Contains(t, err.Error(), w)
			}
			for _, w := range tc.without {
				require.NotContains(t, err.Error(), w)
			}
			require.NotContains(t, err.Error(), skey, "never print the key")
		})
	}
}
