package ctl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/audit/auditstore"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"golang.org/x/mod/sumdb/note"
)

const auditUsage = `usage: backdeskctl audit verify [--checkpoint FILE]
       backdeskctl audit checkpoint > FILE
       backdeskctl audit keygen NAME
       backdeskctl audit verify-key

verify and checkpoint read BACKDESK_DATABASE_URL and the log's public key
from BACKDESK_AUDIT_VERIFY_KEY (or derive it from BACKDESK_AUDIT_SIGNING_KEY).
keygen prints a new key pair named NAME (e.g. backdesk.example.com/audit) as
the two settings; verify-key prints the public key of
BACKDESK_AUDIT_SIGNING_KEY, for the audit service and for compliance.
`

// auditCmd checks the audit log from outside the serving processes, so an
// auditor can run it against a restored backup or a read replica.
func auditCmd(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	if args[0] == "keygen" || args[0] == "verify-key" {
		return auditKeyCmd(args, getenv, stdout, stderr)
	}
	fs := flag.NewFlagSet("backdeskctl audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, auditUsage) }
	savedFile := ""
	if args[0] == "verify" {
		fs.StringVar(&savedFile, "checkpoint", "", "a checkpoint saved earlier with `backdeskctl audit checkpoint`")
	}
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	name := "backdeskctl audit " + args[0]
	switch args[0] {
	case "verify", "checkpoint":
	default:
		fmt.Fprintf(stderr, "backdeskctl audit: unknown command %q\n\n%s", args[0], auditUsage)
		return 2
	}

	// Configuration.
	url, verifier, err := auditConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 2
	}
	var saved *audit.Checkpoint
	if savedFile != "" {
		msg, err := os.ReadFile(savedFile)
		if err != nil {
			fmt.Fprintf(stderr, "%s: --checkpoint: %v\n", name, err)
			return 2
		}
		cp, err := audit.OpenCheckpoint(msg, verifier)
		if err != nil {
			fmt.Fprintf(stderr, "%s: --checkpoint %s: %v\n", name, savedFile, err)
			return 1
		}
		saved = &cp
	}

	// Database.
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		fmt.Fprintf(stderr, "%s: BACKDESK_DATABASE_URL: %v\n", name, err)
		return 2
	}
	defer db.Close()
	store := auditstore.New(db)

	if args[0] == "checkpoint" {
		return printCheckpoint(ctx, store, verifier, name, stdout, stderr)
	}
	rep, err := store.Verify(ctx, verifier, saved)
	if errors.Is(err, audit.ErrTampered) {
		fmt.Fprintf(stderr, "%s: FAILED: %v\n", name, err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	line := fmt.Sprintf("audit log verified: %d events in the log under %d signed checkpoints (latest size %d), %d not yet integrated",
		rep.Leaves, rep.Checkpoints, rep.Size, rep.Pending)
	if saved != nil {
		line += fmt.Sprintf("; consistent with the saved checkpoint at size %d", rep.SavedSize)
	}
	fmt.Fprintln(stdout, line)
	return 0
}

// printCheckpoint writes the latest signed note, checked first, so what an
// operator files away is known to be good.
func printCheckpoint(ctx context.Context, store *auditstore.Store, verifier note.Verifier, name string, stdout, stderr io.Writer) int {
	cp, err := store.LatestCheckpoint(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	if cp.Note == nil {
		fmt.Fprintf(stderr, "%s: the audit log has no checkpoint yet\n", name)
		return 1
	}
	if _, err := audit.OpenCheckpoint(cp.Note, verifier); err != nil {
		fmt.Fprintf(stderr, "%s: the latest stored checkpoint does not verify: %v\n", name, err)
		return 1
	}
	_, _ = stdout.Write(cp.Note)
	return 0
}

func auditConfig(getenv config.Getenv) (string, note.Verifier, error) {
	r := config.NewReader(getenv)
	url := r.URL("BACKDESK_DATABASE_URL", "", "postgres", "postgresql", "sqlite")
	vkey := r.String("BACKDESK_AUDIT_VERIFY_KEY", "")
	skey := r.String("BACKDESK_AUDIT_SIGNING_KEY", "")
	r.Check(
		config.Check{Bad: url == "", Var: "BACKDESK_DATABASE_URL", Message: "is required but not set"},
		config.Check{Bad: vkey == "" && skey == "", Var: "BACKDESK_AUDIT_VERIFY_KEY", Message: "is required (or BACKDESK_AUDIT_SIGNING_KEY) to check signatures"},
	)
	if err := r.Err(); err != nil {
		return "", nil, err
	}
	if vkey == "" {
		var err error
		if vkey, err = audit.VerifyKeyFor(skey); err != nil {
			return "", nil, fmt.Errorf("BACKDESK_AUDIT_SIGNING_KEY: %w", err)
		}
	}
	v, err := audit.ParseVerifier(vkey)
	if err != nil {
		return "", nil, fmt.Errorf("BACKDESK_AUDIT_VERIFY_KEY: %w", err)
	}
	return url, v, nil
}
