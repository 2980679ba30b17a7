package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/platform/config"
)

// devToken asks the dev binary's built-in identity provider for a demo
// user's access token and prints it, for curl and scripts.
func devToken(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	form := url.Values{}
	for _, a := range args {
		switch {
		case a == "--mfa":
			form.Set("mfa", "true")
		case !strings.HasPrefix(a, "-") && form.Get("user") == "":
			form.Set("user", a)
		default:
			form.Del("user")
		}
	}
	if form.Get("user") == "" || len(args) > 2 {
		fmt.Fprintln(stderr, "usage: backdeskctl dev token USER [--mfa]   (alice, bob, maria, pat, carol, admin; --mfa: as signed in with a second factor)")
		return 2
	}
	base := strings.TrimSuffix(config.NewReader(getenv).String("BACKDESK_PUBLIC_URL", "http://127.0.0.1:8080"), "/")
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/dev/oidc/dev-token", strings.NewReader(form.Encode()))
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl dev token: BACKDESK_PUBLIC_URL: %v\n", err)
		return 2
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(stderr, "backdeskctl dev token: cannot reach the dev binary at %s (is `make run` running?): %v\n", base, err)
		return 1
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
		Error       struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&out); err != nil || (res.StatusCode == http.StatusOK && out.AccessToken == "") {
		fmt.Fprintf(stderr, "backdeskctl dev token: unexpected answer from %s (status %d); is the built-in identity provider on?\n", base, res.StatusCode)
		return 1
	}
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "backdeskctl dev token: %s\n", out.Error.Message)
		return 1
	}
	fmt.Fprintln(stdout, out.AccessToken)
	return 0
}
