// Package dex runs a real Dex, the OpenID Connect provider, on loopback
// for the identity tests (services/devstack/dexsuite). The binary is the
// pinned release deploy/dev/dex.sh builds into the tools cache; without
// it a test is skipped, except under CI=true, where it fails.
//
// Each Dex gets its own port, configuration and storage (a SQLite file,
// so that a restart keeps refresh tokens and signing keys, or memory, so
// that a restart brings new keys), static users whose password is
// Password, and the gRPC admin API on another port.
package dex

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// BinVar names the environment variable that points at the Dex binary.
const BinVar = "BACKDESK_DEX"

// Password is every static user's password.
const Password = "backdesk"

// User is a static user of Dex's password database.
type User struct {
	Email, Username, ID string
	Groups              []string
}

// Client is a static OAuth client.
type Client struct {
	ID, Secret   string
	RedirectURIs []string
}

// Options configure one Dex.
type Options struct {
	Users   []User
	Clients []Client
	// Memory keeps Dex's state in memory: a restart forgets refresh
	// tokens and makes new signing keys. Otherwise it is kept in a SQLite
	// file that outlives restarts.
	Memory bool
}

// Dex is one running Dex.
type Dex struct {
	t        testing.TB
	bin, dir string
	addr     string
	grpcAddr string
	opts     Options
	hash     string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
	log    *bytes.Buffer
}

// Start runs a Dex with opts for t and stops it when t ends.
func Start(t testing.TB, opts Options) *Dex {
	t.Helper()
	bin := Binary(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	d := &Dex{t: t, bin: bin, dir: t.TempDir(), opts: opts, hash: string(hash)}
	t.Cleanup(d.Stop)
	// A port found free may be taken by another test before Dex binds
	// it; Dex then exits at once, and is started again on other ports.
	for attempt := 1; ; attempt++ {
		d.addr, d.grpcAddr = freeAddr(t), freeAddr(t)
		err := d.start()
		if err == nil {
			return d
		}
		if attempt == 3 {
			t.Fatalf("%v\n%s", err, d.Log())
		}
	}
}

// Binary returns the Dex binary to run: BACKDESK_DEX, or the newest one
// deploy/dev/dex.sh left in the tools cache. Without one it skips t, or
// fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	if b := os.Getenv(BinVar); b != "" {
		if _, err := os.Stat(b); err != nil {
			t.Fatalf("%s=%s: %v", BinVar, b, err)
		}
		return b
	}
	tools := os.Getenv("BACKDESK_TOOLS")
	if tools == "" {
		home, _ := os.UserHomeDir()
		tools = filepath.Join(home, ".cache", "backdesk", "tools")
	}
	found, _ := filepath.Glob(filepath.Join(tools, "dex-*", "dex"))
	sort.Slice(found, func(i, j int) bool { return modTime(found[i]).After(modTime(found[j])) })
	if len(found) > 0 {
		return found[0]
	}
	msg := "no Dex binary: run `bash deploy/dev/dex.sh` once (or `make test-dex`), or set " + BinVar
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// Issuer is Dex's issuer URL.
func (d *Dex) Issuer() string { return "http://" + d.addr + "/dex" }

// Log returns what Dex wrote since its last start.
func (d *Dex) Log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.log.String()
}

// Restart stops Dex and starts it again on the same port with users in
// place of the static users it had.
func (d *Dex) Restart(users []User) {
	d.t.Helper()
	d.Stop()
	d.opts.Users = users
	if err := d.start(); err != nil {
		d.t.Fatalf("%v\n%s", err, d.Log())
	}
}

// Stop ends Dex and waits for it.
func (d *Dex) Stop() {
	d.mu.Lock()
	cmd, exited := d.cmd, d.exited
	d.cmd = nil
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

func (d *Dex) start() error {
	cfg := filepath.Join(d.dir, "config.yaml")
	if err := os.WriteFile(cfg, []byte(d.config()), 0o600); err != nil {
		return err
	}
	log := &bytes.Buffer{}
	cmd := exec.Command(d.bin, "serve", cfg)
	cmd.Stdout, cmd.Stderr = lockedWriter{&d.mu, log}, lockedWriter{&d.mu, log}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start Dex: %w", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	d.mu.Lock()
	d.cmd, d.log, d.exited = cmd, log, exited
	d.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(d.Issuer() + "/.well-known/openid-configuration")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			d.mu.Lock()
			d.cmd = nil
			d.mu.Unlock()
			return fmt.Errorf("Dex exited at start")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("Dex did not answer within 30s: %v", err)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// config writes Dex's configuration as JSON, which is YAML too.
func (d *Dex) config() string {
	storage := map[string]any{"type": "memory"}
	if !d.opts.Memory {
		storage = map[string]any{"type": "sqlite3", "config": map[string]any{"file": filepath.Join(d.dir, "dex.db")}}
	}
	var users []map[string]any
	for _, u := range d.opts.Users {
		users = append(users, map[string]any{
			"email": u.Email, "username": u.Username, "userID": u.ID, "hash": d.hash, "groups": u.Groups,
		})
	}
	var clients []map[string]any
	for _, c := range d.opts.Clients {
		clients = append(clients, map[string]any{"id": c.ID, "secret": c.Secret, "name": c.ID, "redirectURIs": c.RedirectURIs})
	}
	cfg := map[string]any{
		"issuer":           d.Issuer(),
		"storage":          storage,
		"web":              map[string]any{"http": d.addr},
		"grpc":             map[string]any{"addr": d.grpcAddr},
		"logger":           map[string]any{"level": "info"},
		"oauth2":           map[string]any{"skipApprovalScreen": true, "passwordConnector": "local"},
		"expiry":           map[string]any{"idTokens": "10m"},
		"enablePasswordDB": true,
		"staticPasswords":  users,
		"staticClients":    clients,
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		d.t.Fatal(err)
	}
	return string(b)
}

// Tokens are what Dex's token endpoint answered.
type Tokens struct {
	Access  string `json:"access_token"`
	ID      string `json:"id_token"`
	Refresh string `json:"refresh_token"`
	Error   string `json:"error"`
}

// PasswordGrant asks Dex for tokens for user (an email) through the
// resource owner password grant, as a script would.
func (d *Dex) PasswordGrant(ctx context.Context, clientID, secret, user, scope string) (Tokens, error) {
	form := url.Values{"grant_type": {"password"}, "username": {user}, "password": {Password}, "scope": {scope}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Issuer()+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return Tokens{}, err
	}
	req.SetBasicAuth(clientID, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Tokens{}, err
	}
	defer resp.Body.Close()
	var out Tokens
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return Tokens{}, fmt.Errorf("token endpoint answered %s", resp.Status)
	}
	if resp.StatusCode != http.StatusOK {
		return out, fmt.Errorf("token endpoint answered %s: %s", resp.Status, out.Error)
	}
	return out, nil
}
