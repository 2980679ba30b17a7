package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/stretchr/testify/require"
)

func TestIsMatchesSentinelByKind(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("load practice: %w", apperr.NotFound("practice"))
	require.ErrorIs(t, err, apperr.ErrNotFound)
	require.NotErrorIs(t, err, apperr.ErrConflict)
	require.Equal(t, apperr.KindNotFound, apperr.KindOf(err))
	require.Equal(t, apperr.KindInternal, apperr.KindOf(errors.New("boom")))
}

func TestErrorNamesField(t *testing.T) {
	t.Parallel()
	err := apperr.Invalid("npi", "invalid_npi", "must be %d digits", 10)
	require.Equal(t, "npi: must be 10 digits", err.Error())
	require.Equal(t, apperr.KindInvalid, apperr.KindOf(err))
}

func TestCauseIsKeptButDistinctCodesDoNotMatch(t *testing.T) {
	t.Parallel()
	cause := errors.New("duplicate key")
	err := apperr.Conflict("duplicate_npi", "a practice with this NPI exists", cause)
	require.ErrorIs(t, err, cause)
	require.ErrorIs(t, err, apperr.ErrConflict)
	require.NotErrorIs(t, err, apperr.Conflict("stale_version", "x", nil))
}
