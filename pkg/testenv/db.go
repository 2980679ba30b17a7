package testenv

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/migrate"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
	"github.com/stretchr/testify/require"
)

// Dialects lists the engines a conformance test runs on.
var Dialects = []sqldb.Dialect{sqldb.SQLite, sqldb.Postgres}

// EachDB runs fn as a parallel subtest once per dialect, each with a fresh
// migrated database. The PostgreSQL subtest needs BACKDESK_TEST_POSTGRES
// and connects as the application role, like NewDB.
func EachDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	eachDB(t, true, fn)
}

// EachEmptyDB is EachDB without the migrations, for tests of migrating.
// Its PostgreSQL connection logs in as the superuser, who will own what it
// creates.
func EachEmptyDB(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	eachDB(t, false, fn)
}

func eachDB(t *testing.T, migrated bool, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			var db *sqldb.DB
			if migrated {
				db, _ = NewDB(t, d)
			} else {
				db, _ = NewEmptyDB(t, d)
			}
			fn(t, db)
		})
	}
}

// NewEmptyDB returns a fresh database of dialect d with no tables, and its
// URL. On PostgreSQL both log in as the superuser of BACKDESK_TEST_POSTGRES,
// since migrating takes the owner.
func NewEmptyDB(t testing.TB, d sqldb.Dialect) (*sqldb.DB, string) {
	t.Helper()
	var raw string
	switch d {
	case sqldb.SQLite:
		raw = "sqlite://" + filepath.Join(t.TempDir(), "backdesk.db")
	case sqldb.Postgres:
		raw = createPostgresDatabase(t, "template0")
	default:
		t.Fatalf("unknown dialect %q", d)
	}
	return open(t, raw), raw
}

// NewDB returns a fresh, migrated database of dialect d and its URL (for
// code that opens its own connection, such as a child process). It is
// closed and dropped when the test ends.
//
// On PostgreSQL both connect as the application role (AppRole), as the
// services do in production: it owns no table and row-level security
// applies to it, so a store that forgets to scope its work to a practice
// sees nothing and its test fails. The server must let that role log in
// from loopback without a password (trust authentication; see
// docs/development.md). Tests that must act as the
// owner, such as ones tampering with the append-only audit tables, ask
// OwnerDB for a second connection.
func NewDB(t testing.TB, d sqldb.Dialect) (*sqldb.DB, string) {
	t.Helper()
	var raw string
	switch d {
	case sqldb.SQLite:
		raw = "sqlite://" + filepath.Join(t.TempDir(), "backdesk.db")
		db := open(t, raw)
		_, err := schema.Migrate(context.Background(), db)
		require.NoError(t, err, "migrate sqlite")
		return db, raw
	case sqldb.Postgres:
		raw = asRole(newPostgresDatabase(t), AppRole)
		return open(t, raw), raw
	}
	t.Fatalf("unknown dialect %q", d)
	return nil, ""
}

// AppRole is the PostgreSQL role the services log in as; migration 0009
// creates it.
const AppRole = "backdesk_app"

// OwnerDB returns a connection to db's database as its owner, the superuser
// of BACKDESK_TEST_POSTGRES, which row-level security and the audit tables'
// missing privileges do not stop (the append-only triggers still do). It
// is for tests that set up or damage what the application may not. On
// SQLite, which has no roles, it returns db.
func OwnerDB(t testing.TB, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	if db.Dialect != sqldb.Postgres {
		return db
	}
	var name string
	require.NoError(t, db.QueryRowContext(context.Background(), `SELECT current_database()`).Scan(&name))
	return open(t, withDatabase(need(t, PostgresVar, "PostgreSQL"), name))
}

// asRole returns raw with its user replaced by role and no password.
func asRole(raw, role string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.User = url.User(role)
	return u.String()
}

func open(t testing.TB, raw string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), raw)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// newPostgresDatabase copies a migrated template database, which is far
// faster than migrating each test's database from scratch.
func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := need(t, PostgresVar, "PostgreSQL")
	templateOnce.Do(func() { templateName, templateErr = ensureTemplate(base) })
	require.NoError(t, templateErr, "prepare PostgreSQL template database")
	return createPostgresDatabase(t, templateName)
}

// createPostgresDatabase makes a uniquely named database from template and
// drops it when the test ends.
func createPostgresDatabase(t testing.TB, template string) string {
	t.Helper()
	base := need(t, PostgresVar, "PostgreSQL")
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	name := "t_backdesk_" + randomHex(8)
	_, err = admin.Exec(fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s`, name, template))
	require.NoError(t, err, "create test database")
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return withDatabase(base, name)
}

// ensureTemplate builds (once per schema version, shared by every test
// process through an advisory lock) a database with all migrations applied.
func ensureTemplate(base string) (string, error) {
	ctx := context.Background()
	migs, err := migrate.Load(schema.FS(sqldb.Postgres))
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range migs {
		h.Write([]byte(m.Checksum))
	}
	name := "tmpl_backdesk_" + hex.EncodeToString(h.Sum(nil))[:12]

	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", PostgresVar, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242001)`); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock(4242001)`) }()

	var ready sql.NullString
	err = conn.QueryRowContext(ctx,
		`SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&ready)
	if err == nil && ready.String == "ready" {
		return name, nil
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name)); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %s`, name)); err != nil {
		return "", err
	}
	db, err := sqldb.Open(ctx, withDatabase(base, name))
	if err != nil {
		return "", err
	}
	_, err = schema.Migrate(ctx, db)
	_ = db.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`COMMENT ON DATABASE %s IS 'ready'`, name)); err != nil {
		return "", err
	}
	return name, nil
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ReportRoundTrips reports the database round trips db made since before,
// per operation of b, as "roundtrips/op": a cost that, unlike ns/op, does
// not depend on how busy the machine is.
func ReportRoundTrips(b *testing.B, db *sqldb.DB, before sqldb.Counts) {
	b.Helper()
	if b.N > 0 {
		b.ReportMetric(float64(db.Counts().Sub(before).RoundTrips())/float64(b.N), "roundtrips/op")
	}
}
