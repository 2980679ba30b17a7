package kit

import (
	"net/http"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/stretchr/testify/require"
)

// TestApplyShowsEveryRefusedFieldAtOnce: a form the API refused as a
// whole gets each message beside its input, and what has no input above
// the form; a single refusal still lands beside its field.
func TestApplyShowsEveryRefusedFieldAtOnce(t *testing.T) {
	t.Parallel()
	fields := map[string]string{"team_id": "team", "kinds": "kinds", "days": "days"}
	f := NewForm(nil)
	require.True(t, f.Apply(Reply{Status: http.StatusBadRequest, Err: web.ErrorDetail{Code: "invalid_fields", Message: "several fields",
		Fields: map[string]string{"team_id": "is required", "kinds[2]": "is not a kind of work", "days": "must be 1 to 365",
			"reason": "is too long"}}}, fields))
	require.Equal(t, map[string]string{"team": "is required", "kinds": "is not a kind of work", "days": "must be 1 to 365"}, f.Errors)
	require.Equal(t, "Reason: is too long", f.Alert)

	one := NewForm(nil)
	require.True(t, one.Apply(Reply{Status: http.StatusBadRequest, Err: web.ErrorDetail{Field: "kinds[0]", Message: "is unknown"}}, fields))
	require.Equal(t, map[string]string{"kinds": "is unknown"}, one.Errors)
	require.Empty(t, one.Alert)

	whole := NewForm(nil)
	require.True(t, whole.Apply(Reply{Status: http.StatusBadRequest, Err: web.ErrorDetail{Message: "the body is not JSON"}}, fields))
	require.Equal(t, "the body is not JSON", whole.Alert)
	require.False(t, NewForm(nil).Apply(Reply{Status: http.StatusForbidden}, fields), "a refusal of the person is no form's")
}
