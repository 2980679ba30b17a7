package charts_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// devVerifyKey is the public half of the dev signing key in
// deploy/dev/secrets.yaml.
const devVerifyKey = "backdesk-dev+fceab9a4+AS/2oHhee4dFIJYmFeX9K5tkH8ESlDYzkb6/fR5vXwvd"

// TestAuditServiceGetsNoSigningKey checks that the audit Deployment
// receives the public checkpoint key as a plain value and nothing of the
// signing key: no variable, no reference to its Secret anywhere in the
// pod. The router, which signs, keeps the signing key.
func TestAuditServiceGetsNoSigningKey(t *testing.T) {
	t.Parallel()
	for _, set := range valueSets {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			rel := setup(t, set.file)
			secretName, _ := value(t, rel.values, "secrets.auditSigningKey.name").(string)
			require.NotEmpty(t, secretName)
			audit := rel.deployments["audit"]
			pod, err := json.Marshal(audit.Spec.Template)
			require.NoError(t, err)
			require.False(t, strings.Contains(string(pod), "BACKDESK_AUDIT_SIGNING_KEY"), "the audit pod gets the signing key")
			require.False(t, strings.Contains(string(pod), secretName), "the audit pod refers to the signing key's Secret %s", secretName)
			verifyKey, _ := value(t, rel.values, "config.auditVerifyKey").(string)
			env := audit.Spec.Template.Spec.Containers[0].Env
			if verifyKey != "" {
				v := envVar(env, "BACKDESK_AUDIT_VERIFY_KEY")
				require.NotNil(t, v, "audit needs the verify key")
				require.Equal(t, verifyKey, v.Value)
			}

			router := rel.deployments["router"].Spec.Template.Spec.Containers[0].Env
			require.NotNil(t, envVar(router, "BACKDESK_AUDIT_SIGNING_KEY"))
			if verifyKey != "" {
				require.Equal(t, verifyKey, envValue(router, "BACKDESK_AUDIT_VERIFY_KEY"), "the router checks its key against it at start")
			}
		})
	}
}

// TestExampleValuesCarryAVerifyKey checks that the dev and production
// examples set the verify key the audit service cannot start without, the
// dev one matching the dev signing key.
func TestExampleValuesCarryAVerifyKey(t *testing.T) {
	t.Parallel()
	dev := setup(t, "../deploy/dev/values.yaml")
	require.Equal(t, devVerifyKey, value(t, dev.values, "config.auditVerifyKey"))
	secrets, err := os.ReadFile(filepath.Join("..", "deploy", "dev", "secrets.yaml"))
	require.NoError(t, err)
	require.Contains(t, string(secrets), devVerifyKey)
	prod := setup(t, "../deploy/prod/values.example.yaml")
	require.NotEmpty(t, value(t, prod.values, "config.auditVerifyKey"))
}

// TestSigningKeyCannotReachTheAuditService checks that asking for it fails
// the install, and that a private key is refused where the public one goes.
func TestSigningKeyCannotReachTheAuditService(t *testing.T) {
	t.Parallel()
	ch := loadChart(t)
	bad := []struct {
		name, values string
	}{
		{"signing key for audit", `audit: {secretEnv: {auditSigningKey: true}}`},
		{"private key as the verify key", `config: {auditVerifyKey: "PRIVATE+KEY+backdesk-dev+fceab9a4+AfYXgBlCLIvjcetVb5vTy5B7eeDf67ftsUqGS3Ii40mH"}`},
		{"not a key", `config: {auditVerifyKey: "backdesk-dev"}`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var vals map[string]any
			require.NoError(t, yaml.Unmarshal([]byte(tc.values), &vals))
			_, _, err := renderValues(ch, vals)
			require.Error(t, err, "accepted %s", tc.values)
		})
	}
}
