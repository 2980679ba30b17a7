// Command console runs the web console on its own. Its pages call the JSON
// API over HTTP at BACKDESK_API_URL (the ingress, or wherever the API
// services are reachable from here; default BACKDESK_PUBLIC_URL), with the
// browser's own session, so access and audit stay the API's.
package main

import (
	"github.com/backdesk/backdesk/services/internal/catalog"
)

func main() { catalog.Main("console") }
