//go:build tools

// Package dexbuild pins the Dex release the identity-provider tests run
// (deploy/dev/dex.sh builds its cmd/dex from this module).
package dexbuild

import _ "github.com/dexidp/dex/cmd/dex"
