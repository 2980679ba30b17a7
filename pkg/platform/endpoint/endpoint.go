// Package endpoint checks the addresses Backdesk is configured to talk to
// or listen on: which hosts are this machine, and whether a provider's
// base URL keeps the credentials sent to it off plain HTTP.
package endpoint

import (
	"errors"
	"net"
	"net/url"
	"strings"
)

// IsLoopback reports a host that can only be this machine: "localhost"
// or a literal loopback address. Other names are not resolved, since
// what a name points at can change after the check.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// IsLoopbackAddr is IsLoopback for a host:port listen address.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && IsLoopback(host)
}

// BaseURL is what a provider's base URL may look like.
type BaseURL struct {
	// Example is a correct value, quoted in the error, e.g.
	// "https://api.stripe.com".
	Example string
	// PathAllowed accepts a path after the host, for a provider reached
	// through a prefix.
	PathAllowed bool
}

// Check accepts an absolute URL without credentials, query or fragment
// (or path, unless PathAllowed) that is https, or plain http only to a
// loopback host: the provider's credentials go with every request. The
// error is a sentence to follow the setting's name; it never quotes raw,
// which may hold a secret pasted by mistake.
func (b BaseURL) Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		(!b.PathAllowed && strings.Trim(u.Path, "/") != "") {
		parts := "credentials, path, query or fragment"
		if b.PathAllowed {
			parts = "credentials, query or fragment"
		}
		return errors.New("must be an absolute URL with no " + parts + ", e.g. " + b.Example)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && IsLoopback(u.Hostname())) {
		return nil
	}
	return errors.New("must be https (plain http only to a loopback address)")
}
