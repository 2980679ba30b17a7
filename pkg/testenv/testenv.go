// Package testenv gives each test its own migrated database and its own
// Redis. SQLite and the in-process Redis are always available; PostgreSQL
// and a real Redis are used when BACKDESK_TEST_POSTGRES and
// BACKDESK_TEST_REDIS name them. Under CI=true those variables are
// mandatory: a suite that needs them fails instead of quietly skipping.
// PostgreSQL tests connect as the application role, which row-level
// security binds; OwnerDB gives them the owner when they need it.
package testenv

import (
	"os"
	"testing"
)

// Environment variables that point tests at real servers.
const (
	PostgresVar = "BACKDESK_TEST_POSTGRES"
	RedisVar    = "BACKDESK_TEST_REDIS"
)

// InCI reports whether the tests run under CI=true.
func InCI() bool { return os.Getenv("CI") == "true" }

// need returns the variable's value; when it is unset the test is skipped
// outside CI and failed inside it.
func need(t testing.TB, name, what string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if InCI() {
		t.Fatalf("%s is not set: under CI=true the %s suites must run (source deploy/dev/services.sh)", name, what)
	}
	t.Skipf("%s not set; skipping the %s variant", name, what)
	return ""
}

func getenv(name string) string { return os.Getenv(name) }
