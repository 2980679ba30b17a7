// Package dexsuite runs Backdesk against a real Dex (pkg/testenv/dex):
// bearer tokens from Dex's password grant for each role, the browser's
// code + PKCE sign-in through Dex's own login form, sign-out, signing key
// rotation, session re-checks, the first-admin bootstrap, and the
// operator's day-one mistakes (issuer, scopes, client secret), each
// producing the error it should. Run it with `make test-dex`; `make test`
// runs it when the Dex binary is built (always under CI=true).
package dexsuite
