package ctl

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const probeUsage = `usage: backdeskctl probe [--timeout 10s] URL...
  GET each URL once and succeed only when every one answers 2xx; the
  chart's "helm test" runs it against every service's readiness endpoint
`

// probeCmd checks that each URL answers 2xx to a GET. It prints one line
// per URL (status, or why it could not be reached) and returns 1 when any
// failed, so it can serve as a helm test or an operator's quick check
// from inside the cluster, where the images have no shell or curl.
func probeCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backdeskctl probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, probeUsage) }
	timeout := fs.Duration("timeout", 10*time.Second, "how long each request may take")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 || *timeout <= 0 {
		fmt.Fprint(stderr, probeUsage)
		return 2
	}
	for _, raw := range fs.Args() {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fmt.Fprintf(stderr, "backdeskctl probe: %q is not an http(s) URL\n", raw)
			return 2
		}
	}
	client := &http.Client{Timeout: *timeout}
	failed := 0
	for _, raw := range fs.Args() {
		status, err := probeOnce(ctx, client, raw)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %v\n", raw, err)
		case status < 200 || status > 299:
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %d %s\n", raw, status, http.StatusText(status))
		default:
			fmt.Fprintf(stdout, "ok   %s: %d\n", raw, status)
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "backdeskctl probe: %d of %d failed\n", failed, fs.NArg())
		return 1
	}
	return 0
}

func probeOnce(ctx context.Context, client *http.Client, raw string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return 0, err
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, nil
}
