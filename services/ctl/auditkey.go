package ctl

import (
	"fmt"
	"io"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/platform/config"
)

// auditKeyCmd makes and derives checkpoint keys, so operators can give the
// audit service and compliance the public key while the private one stays
// with the router: "keygen NAME" prints a new pair as the two settings,
// "verify-key" prints the public half of BACKDESK_AUDIT_SIGNING_KEY.
func auditKeyCmd(args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	name := "backdeskctl audit " + args[0]
	switch args[0] {
	case "keygen":
		if len(args) != 2 || args[1] == "" {
			fmt.Fprint(stderr, auditUsage)
			return 2
		}
		skey, vkey, err := audit.GenerateKey(args[1])
		if err == nil {
			// GenerateKey takes any name; a signer refuses a bad one.
			_, err = audit.ParseSigner(skey)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: key name %q: it must be one word with no '+', e.g. backdesk.example.com/audit\n", name, args[1])
			return 2
		}
		fmt.Fprintf(stdout, "BACKDESK_AUDIT_SIGNING_KEY=%s\nBACKDESK_AUDIT_VERIFY_KEY=%s\n", skey, vkey)
		return 0
	default: // verify-key
		if len(args) != 1 {
			fmt.Fprint(stderr, auditUsage)
			return 2
		}
		r := config.NewReader(getenv)
		skey := r.Required("BACKDESK_AUDIT_SIGNING_KEY")
		if err := r.Err(); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
			return 2
		}
		vkey, err := audit.VerifyKeyFor(skey)
		if err != nil {
			// The error names the setting and the problem, never the key.
			fmt.Fprintf(stderr, "%s: BACKDESK_AUDIT_SIGNING_KEY: not a signing key in signed-note form (PRIVATE+KEY+name+hash+key)\n", name)
			return 2
		}
		fmt.Fprintln(stdout, vkey)
		return 0
	}
}
