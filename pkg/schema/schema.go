// Package schema holds Backdesk's database migrations, one folder per
// dialect, embedded in every binary. backdeskctl migrate (and the dev
// binary at start) applies them; serving processes in production never do.
package schema

import (
	"context"
	"embed"
	"io/fs"

	"github.com/backdesk/backdesk/pkg/platform/migrate"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// FS returns the migrations for dialect d.
func FS(d sqldb.Dialect) fs.FS {
	sub, err := fs.Sub(files, string(d))
	if err != nil {
		panic(err) // the folders are embedded at build time
	}
	return sub
}

// Migrate brings db up to the newest schema and returns what it applied.
func Migrate(ctx context.Context, db *sqldb.DB) ([]migrate.Migration, error) {
	// The roles are checked on every run, not only by the migration that
	// first made them: a BYPASSRLS granted since is refused here.
	if err := sqldb.CheckAppRole(ctx, db, sqldb.AppRole); err != nil {
		return nil, err
	}
	return migrate.Apply(ctx, db, FS(db.Dialect))
}

// Pending returns the migrations db has not applied yet, changing nothing.
func Pending(ctx context.Context, db *sqldb.DB) ([]migrate.Migration, error) {
	return migrate.Pending(ctx, db, FS(db.Dialect))
}
