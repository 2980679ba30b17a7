// Command console runs the web console on its own. Its pages call the JSON
// API over HTTP at BACKDESK_API_URL (the ingress, or wherever the API
// services are reachable from here; default BACKDESK_PUBLIC_URL), with the
// browser's own session, so access and audit stay the API's.
package main

import (
	"context"
	"os"

	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/services/console"
	"github.com/backdesk/backdesk/services/internal/serve"
)

func main() {
	serve.Main("console", func(_ context.Context, p *serve.Process) error {
		r := config.NewReader(os.Getenv)
		apiURL := r.URL("BACKDESK_API_URL", p.Config.PublicURL, "http", "https")
		r.Check(config.Check{Bad: apiURL == "", Var: "BACKDESK_API_URL", Message: "is required (or BACKDESK_PUBLIC_URL): where the console calls the API"})
		if err := r.Err(); err != nil {
			return err
		}
		api, err := console.Upstream(apiURL, nil)
		if err != nil {
			return &config.VarError{Var: "BACKDESK_API_URL", Message: err.Error()}
		}
		console.New(console.Deps{API: api, Guard: p.Guard, IdleTimeout: p.Config.SessionIdle,
			SecureCookies: p.Config.SecureCookies(), PublicURL: p.Config.PublicURL,
			IssuerURL: p.Config.OIDCIssuer, Log: p.Log}).Mount(p.API)
		return nil
	})
}
