package console

import (
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
	"github.com/gin-gonic/gin"
)

// setup mounts the whole console in front of a fake API.
func setup(t *testing.T, replies map[string]func() (int, string)) kittest.Bundle {
	t.Helper()
	return kittest.Setup(t, replies, func(d Deps, r gin.IRouter) {
		con, err := New(d)
		if err != nil {
			t.Fatal(err)
		}
		con.Mount(r)
	})
}
