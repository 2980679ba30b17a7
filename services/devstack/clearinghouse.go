package devstack

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/audit"
	"github.com/backdesk/backdesk/pkg/clearinghouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/demohouse"
	"github.com/backdesk/backdesk/pkg/clearinghouse/sftpserver"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/session"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/services/internal/domains"
	"github.com/backdesk/backdesk/services/internal/serve"
)

// DemoClearinghouseName is the connection the demo practice asks about
// its patients' coverage through: the demo clearinghouse the dev binary
// runs on loopback.
const DemoClearinghouseName = "Demo Clearinghouse"

const (
	demoConnectionID = "demo-clearinghouse"
	demoSFTPUser     = "lakeside"
	// demoAnswerEvery is how often the demo clearinghouse looks for
	// batches to answer.
	demoAnswerEvery = time.Second
	// demoSettle is how long an answer must sit unchanged before the
	// poller takes it. The demo clearinghouse writes each answer whole,
	// so a short wait is safe.
	demoSettle = time.Second
)

// demoClearinghouse is the dev binary's stand-in clearinghouse: an SFTP
// server on a free loopback port, with a host key made at start and a
// password made at start and handed over in a file only its owner reads,
// serving a folder in which demohouse answers every batch Backdesk puts.
type demoClearinghouse struct {
	root   string // the folder served
	temp   string // a temporary folder holding root and the password, removed at close; "" for the data folder
	secret string // the password file
	server *sftpserver.Server
	log    *slog.Logger
}

// startDemoClearinghouse starts the demo clearinghouse's server. Its
// folder sits beside a SQLite database (.backdesk/clearinghouse), so the
// files sent and answered stay there to look at; with any other database
// it is a temporary folder.
func startDemoClearinghouse(databaseURL string, log *slog.Logger) (*demoClearinghouse, error) {
	d := &demoClearinghouse{log: log}
	dir := dataDir(databaseURL)
	if dir == "" {
		tmp, err := os.MkdirTemp("", "backdesk-demo-clearinghouse-")
		if err != nil {
			return nil, fmt.Errorf("demo clearinghouse: %w", err)
		}
		d.temp, dir = tmp, tmp
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		d.root, d.secret = filepath.Join(dir, "clearinghouse"), filepath.Join(dir, "clearinghouse.password")
		err = demohouse.Prepare(d.root)
	}
	password := session.Token()
	if err == nil {
		err = writeSecret(d.secret, password)
	}
	if err == nil {
		d.server, err = sftpserver.Start(sftpserver.Options{Root: d.root, User: demoSFTPUser, Password: password, Logger: log})
	}
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("demo clearinghouse: %w", err)
	}
	return d, nil
}

// dataDir is the folder of a SQLite database, where the dev binary keeps
// its files; "" for any other database.
func dataDir(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.Scheme != "sqlite" || u.Host+u.Path == "" {
		return ""
	}
	return filepath.Dir(u.Host + u.Path)
}

// writeSecret writes a password to a new file that only its owner may
// read, replacing the last run's.
func writeSecret(path, secret string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.WriteString(secret + "\n")
	return errors.Join(err, f.Close())
}

// connection is how Backdesk reaches the demo clearinghouse this run.
func (d *demoClearinghouse) connection() clearinghouse.Connection {
	return clearinghouse.Connection{
		ID: demoConnectionID, Name: DemoClearinghouseName, Mode: clearinghouse.ModeSFTP,
		Address: d.server.Addr(), Username: demoSFTPUser, HostKey: d.server.HostKey(), SecretRef: "file:" + d.secret,
		Outbound: "/" + demohouse.Outbound, Inbound: "/" + demohouse.Inbound, Archive: "/" + demohouse.Archive,
		SenderQualifier: "ZZ", SenderID: "BACKDESK", ReceiverQualifier: "ZZ", ReceiverID: "DEMOHOUSE",
	}
}

// Close stops the server and removes a temporary folder.
func (d *demoClearinghouse) Close() error {
	var err error
	if d.server != nil {
		err = d.server.Close()
	}
	if d.temp != "" {
		err = errors.Join(err, os.RemoveAll(d.temp))
	}
	return err
}

// setUpDemoClearinghouse starts the demo clearinghouse and makes the
// platform use it: the clearinghouse service sends over SFTP, the
// connection is saved with this run's address, host key and password
// file, and it reaches every payer of the demo data. The server stops
// when p closes. Seeding links the demo practice (linker) before the
// demo appointments are imported, so their checks wait for the
// clearinghouse.
func setUpDemoClearinghouse(ctx context.Context, p *serve.Process, d *domains.Domains) (*demoClearinghouse, error) {
	demo, err := startDemoClearinghouse(p.Config.DatabaseURL, p.Log)
	if err != nil {
		return nil, err
	}
	p.OnClose(demo.Close)
	system := audit.Event{Actor: audit.SystemActor}
	if _, err := d.Clearinghouse.SaveConnection(ctx, system, demo.connection()); err != nil {
		return nil, fmt.Errorf("demo clearinghouse connection: %w", err)
	}
	if err := d.Clearinghouse.SavePayers(ctx, system, demoConnectionID, demoPayers(demoFiles(time.Now()))); err != nil {
		return nil, fmt.Errorf("demo clearinghouse payers: %w", err)
	}
	return demo, nil
}

// demoPayers are the payers the demo clearinghouse reaches: every payer of
// the demo appointments and claims, with ids of the clearinghouse's own,
// for eligibility those of the appointments and for claim status the
// first (by name) of the claims'.
func demoPayers(files map[string]string) []clearinghouse.Payer {
	names := func(kind string) []string {
		rows, _ := csv.NewReader(strings.NewReader(files[kind])).ReadAll() // made by demoFiles: always reads
		if len(rows) == 0 {
			return nil
		}
		col := slices.Index(rows[0], "payer_name")
		var out []string
		for _, r := range rows[1:] {
			if col >= 0 && r[col] != "" && !slices.Contains(out, r[col]) {
				out = append(out, r[col])
			}
		}
		return out
	}
	eligibility, claims := names("appointments"), names("claims")
	// One payer of the demo claims answers 276s, so the demo shows claim
	// follow-ups both asked of the clearinghouse and worked by agents.
	slices.Sort(claims)
	claims = claims[:min(1, len(claims))]
	all := slices.Concat(eligibility, names("claims"))
	slices.Sort(all)
	all = slices.Compact(all)
	out := make([]clearinghouse.Payer, len(all))
	for i, n := range all {
		out[i] = clearinghouse.Payer{Name: n, ID: fmt.Sprintf("DEMO%02d", i+1),
			Eligibility: slices.Contains(eligibility, n), ClaimStatus: slices.Contains(claims, n)}
	}
	return out
}

// linker is seeding's hook: it makes the demo practice ask through the
// demo clearinghouse, unless it asks through a connection already (a
// developer may have linked it to another).
func (d *demoClearinghouse) linker(p *serve.Process, svc *clearinghouse.Service) func(context.Context, string) error {
	return func(ctx context.Context, practiceID string) error {
		var linked bool
		err := p.DB.Scoped(sqldb.WithPractice(ctx, practiceID), func(q sqldb.Querier) error {
			var err error
			_, linked, err = svc.Store().Linked(ctx, q, practiceID)
			return err
		})
		if err != nil || linked {
			return err
		}
		return svc.Link(ctx, audit.Event{Actor: audit.SystemActor}, practiceID, demoConnectionID)
	}
}

// start links the demo practice of a database seeded before the demo
// clearinghouse existed (its next checks go to it), then starts the
// answering and one exchange with p's loops, so that the demo's checks
// go out as the dev binary starts rather than at the scheduler's next
// five-minute mark.
func (d *demoClearinghouse) start(ctx context.Context, p *serve.Process, dom *domains.Domains) error {
	pr, err := dom.Practices.GetByNPI(ctx, DemoPracticeNPI)
	switch {
	case err == nil:
		if err := d.linker(p, dom.Clearinghouse)(ctx, pr.ID); err != nil {
			return fmt.Errorf("demo clearinghouse: %w", err)
		}
	case !errors.Is(err, apperr.ErrNotFound):
		return err
	}
	svc := dom.Clearinghouse
	p.Go(func(ctx context.Context) {
		if err := demohouse.Run(ctx, d.root, demoAnswerEvery, d.log); err != nil {
			d.log.WarnContext(ctx, "demo clearinghouse stopped", "error", err.Error())
		}
	})
	p.Go(func(ctx context.Context) {
		reps, err := svc.ExchangeAll(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "first clearinghouse exchange", "error", err.Error())
		}
		if rep, ok := reps[DemoClearinghouseName]; ok {
			d.log.InfoContext(ctx, "clearinghouse exchange", "connection", DemoClearinghouseName, "asked", rep.Ask.Asked,
				"to_agents", rep.Ask.ToAgents, "sent", rep.Sent)
		}
	})
	return nil
}
