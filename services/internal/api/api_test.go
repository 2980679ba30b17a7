package api_test

import (
	"testing"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/stretchr/testify/require"
)

// The console checks an upload against MaxImportFile without importing
// the imports domain (and its stores); the limit must stay the domain's.
func TestImportLimitIsTheDomains(t *testing.T) {
	t.Parallel()
	require.Equal(t, int64(imports.MaxFileBytes), int64(api.MaxImportFile))
}

func TestEachKeepsNilAndEmptyApart(t *testing.T) {
	t.Parallel()
	double := func(n int) int { return 2 * n }
	require.Nil(t, api.Each[int, int](nil, double), "a nil list answers null")
	require.Equal(t, []int{}, api.Each([]int{}, double), "an empty list answers []")
	require.Equal(t, []int{2, 4}, api.Each([]int{1, 2}, double))
	require.Equal(t, []string{}, api.OrEmpty[string](nil))
}
