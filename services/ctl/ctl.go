// Package ctl is backdeskctl, the operator's command line: it migrates the
// database and reports its version, and grows with the platform (creating
// admins and practices, importing files, verifying the audit log).
package ctl

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/schema"
)

// Version is set at build time with -ldflags "-X ...ctl.Version=v1.2.3".
var Version = "dev"

const usage = `usage: backdeskctl <command>

commands:
  migrate          apply database migrations to BACKDESK_DATABASE_URL (safe to re-run)
  version          print the version
  audit verify [--checkpoint FILE]
                   recompute the audit log from the stored events and check every
                   signed checkpoint, and consistency with a saved one
  audit checkpoint print the latest signed audit checkpoint, to keep outside the platform
  audit keygen NAME
                   print a new audit checkpoint key pair (signing and verify key)
  audit verify-key print the public key of BACKDESK_AUDIT_SIGNING_KEY
  admin bootstrap --email ADDRESS [--remove]
                   make whoever signs in with ADDRESS (verified) the first platform
                   admin; refused once anybody is one (audited)
  sessions revoke-all
                   end every browser session in BACKDESK_REDIS_URL (run after
                   upgrading, or after an incident)
  probe [--timeout 10s] URL...
                   GET each URL and fail unless all answer 2xx (the chart's helm test)
  dev token USER [--mfa]
                   print an access token for a demo user of the dev binary
                   (at BACKDESK_PUBLIC_URL, default http://127.0.0.1:8080)
`

// Main runs backdeskctl with args (without the program name) and returns the
// process exit status: 0 success, 1 failure, 2 bad usage or configuration.
func Main(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backdeskctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch fs.Arg(0) {
	case "migrate":
		return migrateCmd(ctx, getenv, stdout, stderr)
	case "dev":
		if fs.Arg(1) != "token" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return devToken(ctx, fs.Args()[2:], getenv, stdout, stderr)
	case "audit":
		return auditCmd(ctx, fs.Args()[1:], getenv, stdout, stderr)
	case "admin":
		return adminCmd(ctx, fs.Args()[1:], getenv, stdout, stderr)
	case "sessions":
		return sessionsCmd(ctx, fs.Args()[1:], getenv, stdout, stderr)
	case "probe":
		return probeCmd(ctx, fs.Args()[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "backdeskctl", version())
		return 0
	case "", "help":
		fmt.Fprint(stderr, usage)
		return 2
	default:
		fmt.Fprintf(stderr, "backdeskctl: unknown command %q\n\n%s", fs.Arg(0), usage)
		return 2
	}
}

func migrateCmd(ctx context.Context, getenv config.Getenv, stdout, stderr io.Writer) int {
	r := config.NewReader(getenv)
	url := r.URL("BACKDESK_DATABASE_URL", "", "postgres", "postgresql", "sqlite")
	r.Check(config.Check{Bad: url == "", Var: "BACKDESK_DATABASE_URL", Message: "is required but not set"})
	if err := r.Err(); err != nil {
		fmt.Fprintf(stderr, "backdeskctl migrate: %v\n", err)
		return 2
	}
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl migrate: BACKDESK_DATABASE_URL: %v\n", err)
		return 2
	}
	defer db.Close()
	ran, err := schema.Migrate(ctx, db)
	for _, m := range ran {
		fmt.Fprintf(stdout, "applied %s\n", m.Name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl migrate: %v\n", err)
		return 1
	}
	if len(ran) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	return 0
}

func version() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return "dev-" + s.Value
			}
		}
	}
	return Version
}
