// Command audit runs the audit service: the compliance read side of the
// audit trail, which holds only the checkpoints' public key.
package main

import (
	"github.com/backdesk/backdesk/services/internal/catalog"
)

func main() { catalog.Main("audit") }
