package config

import (
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// auditKeyChecks validates BACKDESK_AUDIT_VERIFY_KEY, the public key that
// checks audit checkpoints. Only its form is checked here; whether it
// matches the signing key is for the process that holds both. A private
// key pasted into it is named as such, since it would hand the signing
// key to a service that must only verify (and the message never repeats
// the value).
func auditKeyChecks(b Base) []Check {
	private := strings.HasPrefix(b.AuditVerifyKey, "PRIVATE+KEY+")
	_, err := note.NewVerifier(b.AuditVerifyKey)
	return []Check{
		{Bad: private, Var: "BACKDESK_AUDIT_VERIFY_KEY",
			Message: "holds a private signing key; give the public verifier key (name+hash+key), which `backdeskctl audit verify-key` prints"},
		{Bad: b.AuditVerifyKey != "" && !private && err != nil, Var: "BACKDESK_AUDIT_VERIFY_KEY",
			Message: "must be a public verifier key in signed-note form, name+hash+key (`backdeskctl audit verify-key` prints it for a signing key)"},
	}
}
