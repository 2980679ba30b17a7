package admin

import (
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
)

// setup mounts the platform admin's pages in front of a fake API.
func setup(t *testing.T, replies map[string]func() (int, string)) kittest.Bundle {
	t.Helper()
	return kittest.Setup(t, replies, kittest.Pages(Mount))
}

// answer is a canned reply of the fake API.
var answer = kittest.Answer
