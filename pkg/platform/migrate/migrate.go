// Package migrate applies numbered SQL migrations, embedded per dialect, to
// a database. It records each applied file with a checksum and refuses to
// run when a file that was already applied has since been edited, because
// that database and a fresh one would then disagree silently.
package migrate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

// Migration is one numbered SQL file.
type Migration struct {
	Version  int
	Name     string
	SQL      string
	Checksum string
}

// Load reads files named NNNN_description.sql from fsys, in version order.
func Load(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and an underscore, e.g. 0001_init.sql", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(body), Checksum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`

// lockKey is an arbitrary constant for PostgreSQL's advisory lock, so two
// migration jobs started together take turns instead of colliding.
const lockKey = 7245310991

// Apply runs every migration in fsys that db has not seen yet, each in its
// own transaction, and returns the ones it applied. Running it again
// applies nothing.
func Apply(ctx context.Context, db *sqldb.DB, fsys fs.FS) ([]Migration, error) {
	all, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", sqldb.MapError(err))
	}
	defer conn.Close()
	if db.Dialect == sqldb.Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
			return nil, fmt.Errorf("migrate: take lock: %w", err)
		}
		defer func() { _, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey) }()
	}
	if err := ensureTable(ctx, conn, db.Dialect); err != nil {
		return nil, err
	}
	done, err := applied(ctx, conn)
	if err != nil {
		return nil, err
	}
	var ran []Migration
	for _, m := range all {
		if sum, ok := done[m.Version]; ok {
			if sum != m.Checksum {
				return ran, fmt.Errorf("migration %s was edited after it was applied; add a new migration instead", m.Name)
			}
			continue
		}
		if err := applyOne(ctx, conn, m); err != nil {
			return ran, err
		}
		ran = append(ran, m)
	}
	return ran, nil
}

// ensureTable creates schema_migrations unless it exists. On PostgreSQL
// it looks first, because even CREATE TABLE IF NOT EXISTS needs the right
// to create tables, which the application role lacks: that role may still
// run Apply against an up-to-date database and find nothing to do (the
// dev binary does, at start).
func ensureTable(ctx context.Context, conn *sql.Conn, d sqldb.Dialect) error {
	if d == sqldb.Postgres {
		exists, err := hasTable(ctx, conn, d)
		if err != nil || exists {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, createTable); err != nil {
		return fmt.Errorf("migrate: create schema_migrations: %w", err)
	}
	return nil
}

// hasTable reports whether schema_migrations exists yet.
func hasTable(ctx context.Context, conn *sql.Conn, d sqldb.Dialect) (bool, error) {
	probe := `SELECT to_regclass('schema_migrations') IS NOT NULL`
	if d == sqldb.SQLite {
		probe = `SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	}
	var exists bool
	if err := conn.QueryRowContext(ctx, probe).Scan(&exists); err != nil {
		return false, fmt.Errorf("migrate: look for schema_migrations: %w", err)
	}
	return exists, nil
}

func applied(ctx context.Context, conn *sql.Conn) (map[int]string, error) {
	rows, err := conn.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, fmt.Errorf("migrate: read schema_migrations: %w", err)
		}
		out[v] = sum
	}
	return out, rows.Err()
}

func applyOne(ctx context.Context, conn *sql.Conn, m Migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: begin: %w", m.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
		m.Version, m.Name, m.Checksum, time.Now().UTC()); err != nil {
		return fmt.Errorf("migration %s: record: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: commit: %w", m.Name, err)
	}
	return nil
}

// Pending returns the migrations of fsys that db has not applied, without
// changing anything, so that a role that may not migrate can still tell
// whether the schema is current.
func Pending(ctx context.Context, db *sqldb.DB, fsys fs.FS) ([]Migration, error) {
	all, err := Load(fsys)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", sqldb.MapError(err))
	}
	defer conn.Close()
	exists, err := hasTable(ctx, conn, db.Dialect)
	if err != nil {
		return nil, err
	}
	if !exists {
		return all, nil
	}
	done, err := applied(ctx, conn)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, m := range all {
		if _, ok := done[m.Version]; !ok {
			out = append(out, m)
		}
	}
	return out, nil
}
