// Package secretref reads secrets named by reference: env:NAME (an
// environment variable) or file:PATH (a file, such as a mounted
// Kubernetes secret). Configuration holds the reference, never the
// secret, so a secret never reaches a database row, a log line or an API
// answer. Errors name the reference or the cause, never the secret.
package secretref

import (
	"errors"
	"io/fs"
	"os"
	"strings"
)

// ErrMalformed is a reference that is neither env:NAME nor file:PATH.
var ErrMalformed = errors.New("must be env:NAME or file:PATH")

// ErrNotSet is an env: reference whose variable is unset or empty.
var ErrNotSet = errors.New("the variable is not set")

// Check reports whether ref is env:NAME or file:PATH with a name.
func Check(ref string) error {
	kind, name, ok := strings.Cut(ref, ":")
	if !ok || name == "" || (kind != "env" && kind != "file") {
		return ErrMalformed
	}
	return nil
}

// Read returns the secret ref names, as stored: a variable's value or a
// file's whole content, untrimmed. An unset or empty variable is
// ErrNotSet; a file that cannot be read gives the cause alone (such as
// fs.ErrNotExist), without the path, which the caller's reference names.
func Read(ref string) (string, error) {
	if err := Check(ref); err != nil {
		return "", err
	}
	kind, name, _ := strings.Cut(ref, ":")
	if kind == "env" {
		v, ok := os.LookupEnv(name)
		if !ok || v == "" {
			return "", ErrNotSet
		}
		return v, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", err
	}
	return string(b), nil
}
