package ctl

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os/user"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/pkg/access/factcache"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/identity/identitystore"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
)

const adminUsage = `usage: backdeskctl admin bootstrap --email ADDRESS [--by NAME]
       backdeskctl admin bootstrap --remove --email ADDRESS [--by NAME]

bootstrap gives platform_admin to whoever signs in with ADDRESS, verified by
the identity provider, so a new deployment whose provider maps no group to
platform_admin has a first admin. It is refused once anybody holds
platform_admin. --remove withdraws the grant once the provider's groups give
the role. Both are audited, with NAME (default: your account here) as the
actor. Reads BACKDESK_DATABASE_URL.
`

// adminCmd runs "admin bootstrap".
func adminCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "bootstrap" {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	fs := flag.NewFlagSet("backdeskctl admin bootstrap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, adminUsage) }
	email := fs.String("email", "", "the verified email of the first platform admin")
	by := fs.String("by", operatorName(), "who runs this, for the audit trail")
	remove := fs.Bool("remove", false, "withdraw the grant instead")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		fmt.Fprint(stderr, adminUsage)
		return 2
	}
	if *email == "" {
		fmt.Fprintln(stderr, "backdeskctl admin bootstrap: --email is required")
		return 2
	}
	r := config.NewReader(getenv)
	url := r.URL("BACKDESK_DATABASE_URL", "", "postgres", "postgresql", "sqlite")
	r.Check(config.Check{Bad: url == "", Var: "BACKDESK_DATABASE_URL", Message: "is required but not set"})
	if err := r.Err(); err != nil {
		fmt.Fprintf(stderr, "backdeskctl admin bootstrap: %v\n", err)
		return 2
	}
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl admin bootstrap: BACKDESK_DATABASE_URL: %v\n", err)
		return 2
	}
	defer db.Close()
	store := identitystore.New(db, auditstore.New(db))
	now := time.Now().UTC().Truncate(time.Microsecond)
	if *remove {
		err = store.RemoveBootstrap(ctx, *email, *by, now)
	} else {
		err = store.BootstrapAdmin(ctx, *email, *by, now)
	}
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl admin bootstrap: %v\n", err)
		if apperr.KindOf(err) == apperr.KindInvalid {
			return 2
		}
		return 1
	}
	announce(ctx, getenv, stderr)
	if *remove {
		fmt.Fprintf(stdout, "bootstrap grant to %s withdrawn\n", *email)
		return 0
	}
	fmt.Fprintf(stdout, "%s is platform admin at their next sign-in, once the provider vouches for the email;\n"+
		"remove the grant with --remove when the provider's groups give the role\n", *email)
	return 0
}

// announce tells the running services, through BACKDESK_REDIS_URL when it
// is set, to drop the principals they cached, so the grant takes effect at
// the person's next request; without it, within the cache's lifetime
// (30 s).
func announce(ctx context.Context, getenv config.Getenv, stderr io.Writer) {
	url := getenv("BACKDESK_REDIS_URL")
	if url == "" {
		return
	}
	rdb, db, err := redisClient(url)
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl admin bootstrap: %v (the services see the change within 30 s)\n", err)
		return
	}
	defer rdb.Close()
	if err := rdb.Publish(ctx, factcache.ChannelFor(db), access.PrincipalsKey).Err(); err != nil {
		fmt.Fprintf(stderr, "backdeskctl admin bootstrap: services not told (%v); they see the change within 30 s\n", err)
	}
}

// operatorName is the account running backdeskctl, the default actor of
// its audited changes.
func operatorName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
