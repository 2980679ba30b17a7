package practice

import (
	"testing"

	"github.com/backdesk/backdesk/services/console/internal/kittest"
)

// bundle is the practice admin's pages in front of a fake API.
type bundle struct{ kittest.Bundle }

// setup mounts the practice admin's pages in front of a fake API.
func setup(t *testing.T, replies map[string]func() (int, string)) bundle {
	t.Helper()
	return bundle{kittest.Setup(t, replies, kittest.Pages(Mount))}
}

// answer is a canned reply of the fake API.
var answer = kittest.Answer
