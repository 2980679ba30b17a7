package secretref_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/secretref"
	"github.com/stretchr/testify/require"
)

func TestReadNamesTheCauseNeverTheSecret(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "password")
	require.NoError(t, os.WriteFile(path, []byte("s3cret\n"), 0o600))
	got, err := secretref.Read("file:" + path)
	require.NoError(t, err)
	require.Equal(t, "s3cret\n", got, "as stored: callers trim as their secret allows")

	t.Setenv("SECRETREF_TEST", "tok")
	got, err = secretref.Read("env:SECRETREF_TEST")
	require.NoError(t, err)
	require.Equal(t, "tok", got)

	_, err = secretref.Read("env:SECRETREF_TEST_UNSET")
	require.ErrorIs(t, err, secretref.ErrNotSet)
	_, err = secretref.Read("file:" + filepath.Join(dir, "missing"))
	require.ErrorIs(t, err, fs.ErrNotExist)
	require.NotContains(t, err.Error(), dir, "the cause alone; the reference names the path")
	for _, bad := range []string{"", "s3cret", "env:", "vault:x", "file"} {
		_, err := secretref.Read(bad)
		require.ErrorIs(t, err, secretref.ErrMalformed, bad)
	}
}
