package dexsuite_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/testenv/browser"
	"github.com/backdesk/backdesk/pkg/testenv/dex"
	"github.com/stretchr/testify/require"
)

// A person opens the console in Chromium, is sent to Dex's own login
// form, signs in there, lands in the console under their name with the
// role Dex's groups gave, and signs out.
func TestDexBrowserSignInAndOut(t *testing.T) {
	t.Parallel()
	p := setup(t, dex.Options{}, nil)
	br := browser.New(t)
	br.Visit(p.base + "/")
	br.WaitVisible("#login")
	require.True(t, strings.HasPrefix(br.URL(), p.dex.Issuer()+"/auth/local"), "Dex's login form, not %s", br.URL())
	br.SendKeys("#login", "compliance@dex.test")
	br.SendKeys("#password", dex.Password)
	br.Click("#submit-login")
	br.WaitVisible("#user-name")
	require.True(t, strings.HasPrefix(br.URL(), p.base+"/"), "back at Backdesk, not %s", br.URL())
	require.Contains(t, br.Text(".topbar .who"), "Cora Compliance")
	require.Contains(t, strings.ToLower(br.Text(".topbar .who")), "compliance")

	br.Click("#logout-form button")
	br.WaitVisible(`main a[href="/auth/login"]`)
	require.Contains(t, br.Text("main h1"), "signed out")
	// Released Dex has no end-session endpoint: sign-out ends at
	// Backdesk's own page, and the console asks for a sign-in again.
	require.True(t, strings.HasPrefix(br.URL(), p.base+"/auth/logged-out"), br.URL())
	br.Visit(p.base + "/")
	br.WaitVisible("#login")
}
