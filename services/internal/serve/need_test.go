package serve_test

import (
	"testing"

	"github.com/backdesk/backdesk/services/internal/serve"
	"github.com/stretchr/testify/require"
)

func TestNeedNamesWhatIsMissing(t *testing.T) {
	t.Parallel()
	type deps struct {
		Store  *int
		Notify func()
		Name   string
		Now    func() int `dep:"optional"`
		Limit  int
		hidden *int
	}
	n := 1
	// An unexported field is never a dependency, set or not.
	require.NoError(t, serve.Need("svc", deps{Store: &n, Notify: func() {}, Name: "x", hidden: nil}))
	err := serve.Need("svc", deps{Name: "x"})
	require.EqualError(t, err, "svc: built without Store, Notify")
	require.EqualError(t, serve.Need("svc", &deps{Store: &n, Notify: func() {}}), "svc: built without Name")
	require.Error(t, serve.Need("svc", 3))
}
