package recordcsv

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIDSetRemembersFirstLineAcrossGrowth(t *testing.T) {
	t.Parallel()
	s := newIDSet()
	for i := uint64(0); i < 5000; i++ {
		_, dup := s.add(i*0x9E3779B97F4A7C15, uint32(i+2))
		require.False(t, dup)
	}
	for i := uint64(0); i < 5000; i++ {
		first, dup := s.add(i*0x9E3779B97F4A7C15, 99999)
		require.True(t, dup)
		require.Equal(t, uint32(i+2), first)
	}
	require.Equal(t, 5000, s.n)
}
