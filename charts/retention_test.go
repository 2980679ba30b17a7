package charts_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// TestAuditRetentionIsRendered checks that every service gets
// BACKDESK_AUDIT_RETENTION from config.auditRetention, six years by
// default, and that a shorter or malformed value fails the install
// instead of a service's start.
func TestAuditRetentionIsRendered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		value   any // nil: the chart's default
		want    string
		wantErr string
	}{
		{name: "default", want: "2192d"},
		{name: "six years", value: "6y", want: "6y"},
		{name: "seven years", value: "7y", want: "7y"},
		{name: "days", value: "3000d", want: "3000d"},
		{name: "one day short", value: "2191d", wantErr: "shorter than six years"},
		{name: "five years", value: "5y", wantErr: "shorter than six years"},
		{name: "a Go duration", value: "52608h", wantErr: "auditRetention"},
		{name: "a number", value: 2192, wantErr: "auditRetention"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vals := map[string]any{}
			if tc.value != nil {
				vals["config"] = map[string]any{"auditRetention": tc.value}
			}
			if tc.wantErr != "" {
				_, _, err := renderValues(loadChart(t), vals)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			file := filepath.Join(t.TempDir(), "values.yaml")
			out, err := yaml.Marshal(vals)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(file, out, 0o600))
			rel := setup(t, file)
			for _, c := range services {
				env := rel.deployments[c].Spec.Template.Spec.Containers[0].Env
				require.Equal(t, tc.want, envValue(env, "BACKDESK_AUDIT_RETENTION"), c)
			}
		})
	}
}
