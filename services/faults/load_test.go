package faults_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// call is one request the load made, as its client saw it.
type call struct {
	Who    string
	Op     string // next, view, outcome, handoff, grant, revoke, search, import, era835, console
	At     time.Time
	Took   time.Duration
	Status int // 0: no answer (connection refused, reset, timed out)
}

// failed reports whether the call failed the person making it: no
// answer, a server error, or a sign-in the platform could not check.
func (c call) failed() bool {
	return c.Status == 0 || c.Status >= 500 || c.Status == http.StatusUnauthorized
}

// hold is an agent's time with one item: from the answer of next that
// gave it to the answer of the outcome or hand-off that let it go.
type hold struct {
	Agent, Item string
	From, To    time.Time
	Done        bool // the outcome or hand-off was accepted
}

// load is the working day: agents, a practice admin, a compliance
// officer and arriving files, all through nginx.
type load struct {
	t      *testing.T
	p      *platform
	s      settings
	client *http.Client

	mu        sync.Mutex
	calls     []call
	holds     []hold
	outcomes  map[string]int // note -> times an outcome was sent with it
	remits    []string       // claim numbers in 835s uploaded
	seenItems map[string]bool
	seq       atomic.Int64
}

func newLoad(t *testing.T, p *platform, s settings) *load {
	return &load{t: t, p: p, s: s, outcomes: map[string]int{}, seenItems: map[string]bool{},
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 512}}}
}

// do sends one request as who through nginx, with a request id of its
// own, and records it.
func (l *load) do(who, op, method, path string, body io.Reader, contentType string) (int, []byte, string) {
	req, err := http.NewRequest(method, l.p.nginx.url()+path, body)
	if err != nil {
		l.t.Error(err)
		return 0, nil, ""
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	st, raw := l.sendRead(who, op, req)
	return st, raw, req.Header.Get("X-Request-ID")
}

// send sends req as who and records it, discarding the body.
func (l *load) send(who, op string, req *http.Request) int {
	if req.Header.Get("Content-Type") == "" && req.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	st, _ := l.sendRead(who, op, req)
	return st
}

// sendRead sends req as who, with a request id of its own, records it
// and returns the status (0: no answer) and body.
func (l *load) sendRead(who, op string, req *http.Request) (int, []byte) {
	req.Header.Set("Authorization", "Bearer "+l.p.people.token(l.t, l.p.issuer, who))
	req.Header.Set("X-Request-ID", fmt.Sprintf("flt-%s-%d", who, l.seq.Add(1)))
	start := time.Now()
	res, err := l.client.Do(req)
	c := call{Who: who, Op: op, At: start}
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(res.Body)
		_ = res.Body.Close()
		if err == nil {
			c.Status = res.StatusCode
		}
	}
	c.Took = time.Since(start)
	l.mu.Lock()
	l.calls = append(l.calls, c)
	l.mu.Unlock()
	return c.Status, raw
}

func (l *load) json(who, op, method, path string, v any) (int, []byte) {
	var body io.Reader
	ct := ""
	if v != nil {
		raw, _ := json.Marshal(v)
		body, ct = bytes.NewReader(raw), "application/json"
	}
	st, raw, _ := l.do(who, op, method, path, body, ct)
	return st, raw
}

// run starts everyone and returns when ctx ends and all have stopped.
func (l *load) run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, a := range l.p.people.agents {
		wg.Add(1)
		go func() { defer wg.Done(); l.agent(ctx, a) }()
	}
	for _, f := range []func(context.Context){l.admin, l.officer, l.imports, l.remittances, l.console} {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	wg.Wait()
}

func pause(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

func jitter(min, max time.Duration) time.Duration { return min + rand.N(max-min) }

// agent works its queue: next, read the account, then log an outcome with
// a next contact date a few seconds off (its timer brings the item back
// within the run), or now and then hand the item to the team.
func (l *load) agent(ctx context.Context, who string) {
	for pause(ctx, jitter(l.s.think[0], l.s.think[1])) {
		st, raw := l.json(who, "next", http.MethodPost, "/api/v1/work/next", nil)
		if st != http.StatusOK {
			pause(ctx, jitter(300*time.Millisecond, time.Second))
			continue
		}
		var started struct {
			ItemID  string `json:"item_id"`
			Version int    `json:"version"`
		}
		if json.Unmarshal(raw, &started) != nil || started.ItemID == "" {
			continue
		}
		h := hold{Agent: who, Item: started.ItemID, From: time.Now()}
		l.mu.Lock()
		l.seenItems[started.ItemID] = true
		l.mu.Unlock()
		l.json(who, "view", http.MethodGet, "/api/v1/work/items/"+started.ItemID, nil)
		if !pause(ctx, jitter(l.s.think[0], l.s.think[1])) {
			return
		}
		if rand.N(4) == 0 {
			l.note(who, started.ItemID)
		}
		var op, path string
		var body map[string]any
		if rand.N(10) == 0 {
			op, path = "handoff", "/api/v1/work/items/"+started.ItemID+"/handoff"
			body = map[string]any{"team": l.p.people.teamID, "note": "Over to the team", "version": started.Version}
		} else {
			note := fmt.Sprintf("faults %s %d", who, l.seq.Add(1))
			op, path = "outcome", "/api/v1/work/items/"+started.ItemID+"/outcomes"
			body = map[string]any{"channel": "call", "outcome": "no_answer", "note": note, "version": started.Version,
				"next_contact_at": time.Now().Add(l.s.timer).UTC().Format(time.RFC3339)}
			l.mu.Lock()
			l.outcomes[note] = 0
			l.mu.Unlock()
		}
		// A request that got no answer, or a server error, is sent once
		// more as it was: it must not count twice.
		st, _ = l.json(who, op, http.MethodPost, path, body)
		if st == 0 || st >= 500 {
			pause(ctx, 500*time.Millisecond)
			st, _ = l.json(who, op, http.MethodPost, path, body)
		}
		h.To, h.Done = time.Now(), st == http.StatusOK
		l.mu.Lock()
		l.holds = append(l.holds, h)
		l.mu.Unlock()
	}
}

// note adds a note to the item under an Idempotency-Key, and sends it
// once more, with the same key, when no answer or a server error came
// back: the note must be kept once.
func (l *load) note(who, item string) {
	text := fmt.Sprintf("faults-note %s %d", who, l.seq.Add(1))
	raw, _ := json.Marshal(map[string]string{"note": text})
	send := func() int {
		req, err := http.NewRequest(http.MethodPost, l.p.nginx.url()+"/api/v1/work/items/"+item+"/notes", bytes.NewReader(raw))
		if err != nil {
			return 0
		}
		req.Header.Set("Idempotency-Key", text)
		return l.send(who, "note", req)
	}
	if st := send(); st == 0 || st >= 500 {
		time.Sleep(500 * time.Millisecond)
		send()
	}
}

// admin is the practice admin: reads the practice's grants and keeps
// granting and revoking the churn team's access.
func (l *load) admin(ctx context.Context) {
	for pause(ctx, jitter(time.Second, 3*time.Second)) {
		l.json(practiceAdmin, "grants", http.MethodGet, "/api/v1/practices/"+l.p.people.practiceID+"/grants", nil)
		st, raw := l.json(practiceAdmin, "grant", http.MethodPost, "/api/v1/practices/"+l.p.people.practiceID+"/grants", map[string]any{
			"grantee": map[string]string{"type": "team", "id": l.p.people.churnTeam}, "kinds": []string{"recare"},
			"reason": "Recare calls for the spring campaign", "days": 30})
		if st != http.StatusCreated {
			continue
		}
		var g struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		if json.Unmarshal(raw, &g) != nil {
			continue
		}
		pause(ctx, jitter(500*time.Millisecond, 2*time.Second))
		l.json(practiceAdmin, "revoke", http.MethodPost, "/api/v1/grants/"+g.ID+"/revoke", map[string]any{"version": g.Version, "note": "Campaign over"})
	}
}

// officer is the compliance officer, searching the trail by agent.
func (l *load) officer(ctx context.Context) {
	for i := 0; pause(ctx, jitter(500*time.Millisecond, 2*time.Second)); i++ {
		who := l.p.people.agents[i%len(l.p.people.agents)]
		l.json(compliance, "search", http.MethodGet, "/api/v1/audit/events?actor=dev-"+who+"&limit=50", nil)
	}
}

// console loads the console's front page, as a browser would.
func (l *load) console(ctx context.Context) {
	for pause(ctx, jitter(time.Second, 2*time.Second)) {
		l.do(practiceAdmin, "console", http.MethodGet, "/", nil, "")
	}
}

// imports uploads new patients and their balances now and then, as a
// practice's nightly exports arrive; each balance becomes a work item
// the routers hand out.
func (l *load) imports(ctx context.Context) {
	for batch := 1; pause(ctx, jitter(l.s.importEvery/2, l.s.importEvery)); batch++ {
		var pat, bal bytes.Buffer
		pat.WriteString("patient_id,first_name,last_name,date_of_birth,phone,email,address_line1,city,state,postal_code,guarantor_name,preferred_channel,text_consent,do_not_contact\n")
		bal.WriteString("account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90,last_statement_date\n")
		for i := 0; i < 5; i++ {
			id := fmt.Sprintf("FLT-%03d-%d", batch, i)
			fmt.Fprintf(&pat, "%s,Faye,Fault%d,03/14/1971,(512) 555-01%02d,faye%d@example.com,1 Test Way,Austin,TX,78701,Faye Fault,call,Y,N\n", id, i, i, batch*10+i)
			fmt.Fprintf(&bal, "ACCT-%s,%s,120.00,0.00,120.00,0.00,0.00,%s\n", id, id, time.Now().AddDate(0, 0, -35).Format("01/02/2006"))
		}
		if l.upload("import", "patients", pat.String()) {
			pause(ctx, 2*time.Second)
			l.upload("import", "balances", bal.String())
		}
	}
}

// remittances uploads a payer's 835 for two claims now and then, and
// sends each file twice, as a clearinghouse that retries would: the
// second must post nothing.
func (l *load) remittances(ctx context.Context) {
	claims := l.p.claimNumbers(l.t)
	for i := 0; i+1 < len(claims) && pause(ctx, jitter(l.s.importEvery/2, l.s.importEvery)); i += 2 {
		file := era835(i, claims[i], claims[i+1])
		l.mu.Lock()
		l.remits = append(l.remits, claims[i], claims[i+1])
		l.mu.Unlock()
		l.upload("era835", "era835", file)
		l.upload("era835", "era835", file)
	}
}

// upload sends one file to the practice's imports as the practice admin.
func (l *load) upload(op, kind, file string) bool {
	_, ok := l.uploadID(op, kind, file)
	return ok
}

// uploadID uploads a file and returns its import's id.
func (l *load) uploadID(op, kind, file string) (string, bool) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", kind+".csv")
	_, _ = io.WriteString(fw, file)
	_ = w.Close()
	st, raw, _ := l.do(practiceAdmin, op, http.MethodPost, "/api/v1/practices/"+l.p.people.practiceID+"/imports", &buf, w.FormDataContentType())
	var imp struct {
		ID string `json:"id"`
	}
	if st != http.StatusAccepted || json.Unmarshal(raw, &imp) != nil {
		return "", false
	}
	return imp.ID, true
}

// stock gives the agents a day's work before the faults begin:
// twenty-five patients with a balance each per agent, imported as a
// practice would (31 to 60 days old, over the default policy's $50 and 30
// days, so each becomes a balance follow-up). It checks that they did.
func (l *load) stock(t *testing.T) {
	t.Helper()
	l.contactRules(t)
	n := 25 * len(l.p.people.agents)
	var pat, bal bytes.Buffer
	pat.WriteString("patient_id,first_name,last_name,date_of_birth,phone,email,address_line1,city,state,postal_code,guarantor_name,preferred_channel,text_consent,do_not_contact\n")
	bal.WriteString("account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90,last_statement_date\n")
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("DAY-%05d", i)
		fmt.Fprintf(&pat, "%s,Dana,Day%d,07/04/1980,(512) 555-%04d,dana%d@example.com,2 Work St,Austin,TX,78702,Dana Day,call,Y,N\n", id, i, i%10000, i)
		fmt.Fprintf(&bal, "ACCT-%s,%s,80.00,0.00,80.00,0.00,0.00,%s\n", id, id, time.Now().AddDate(0, 0, -40).Format("01/02/2006"))
	}
	for _, f := range []struct{ kind, body string }{{"patients", pat.String()}, {"balances", bal.String()}} {
		id, ok := l.uploadID("stock", f.kind, f.body)
		if !ok {
			t.Fatalf("the day's %s file was refused", f.kind)
		}
		deadline := time.Now().Add(2 * time.Minute)
		for {
			st, raw := l.json(practiceAdmin, "stock", http.MethodGet, "/api/v1/imports/"+id, nil)
			var imp struct {
				State        string `json:"state"`
				RowsRejected int    `json:"rows_rejected"`
				ItemsCreated int    `json:"items_created"`
			}
			if st == http.StatusOK && json.Unmarshal(raw, &imp) == nil && (imp.State == "succeeded" || imp.State == "failed") {
				if imp.State != "succeeded" || imp.RowsRejected > 0 || f.kind == "balances" && imp.ItemsCreated != n {
					t.Fatalf("the day's %s import: %s", f.kind, raw)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the day's %s import did not finish in 2 minutes: %d %s", f.kind, st, raw)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}
}

// contactRules has the practice admin set contact rules a run can work
// under at any hour: quiet hours of one minute, and the most calls a
// week the rules allow, so that the agents' items come back to them
// within the run.
func (l *load) contactRules(t *testing.T) {
	t.Helper()
	path := "/api/v1/practices/" + l.p.people.practiceID + "/policies"
	st, raw := l.json(practiceAdmin, "stock", http.MethodGet, path, nil)
	var pols struct {
		Contact  map[string]any `json:"contact"`
		Versions map[string]int `json:"versions"`
	}
	if st != http.StatusOK || json.Unmarshal(raw, &pols) != nil {
		t.Fatalf("the practice's policies: %d %s", st, raw)
	}
	rules := pols.Contact
	rules["quiet_start"], rules["quiet_end"], rules["max_contacts_per_week"] = "23:59", "00:00", 14
	st, raw = l.json(practiceAdmin, "stock", http.MethodPut, path+"/contact", map[string]any{"version": pols.Versions["contact"], "policy": rules})
	if st != http.StatusOK {
		t.Fatalf("the practice's contact rules: %d %s", st, raw)
	}
}

// statuses counts the load's answers by operation and status, for the
// log.
func (l *load) statuses() string {
	calls, _ := l.snapshot()
	counts := map[string]int{}
	for _, c := range calls {
		counts[fmt.Sprintf("%-8s %3d", c.Op, c.Status)]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("answers by operation and status (0: no answer):\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s  %d\n", k, counts[k])
	}
	return b.String()
}

// era835 writes a one-payment 835 paying two claims in part, with its
// envelope counts right (X12 005010X221A1).
func era835(n int, claimA, claimB string) string {
	body := []string{"BPR*I*150*C*ACH************20261201", fmt.Sprintf("TRN*1*FLT%06d*1999999999", n), "N1*PR*DELTA DENTAL",
		"N1*PE*LAKESIDE FAMILY DENTAL*XX*1962500017", "LX*1",
		fmt.Sprintf("CLP*%s*2*200*100*40*12*FLTA%06d", claimA, n), "CAS*CO*45*60", "CAS*PR*2*40",
		fmt.Sprintf("CLP*%s*2*100*50*10*12*FLTB%06d", claimB, n), "CAS*CO*45*40", "CAS*PR*2*10"}
	var b bytes.Buffer
	ctl := fmt.Sprintf("%09d", 500+n)
	fmt.Fprintf(&b, "ISA*00*          *00*          *ZZ*PAYER          *ZZ*BACKDESK       *261201*1200*^*00501*%s*0*P*:~", ctl)
	fmt.Fprintf(&b, "GS*HP*PAYER*BACKDESK*20261201*1200*%d*X*005010X221A1~ST*835*0001~", 500+n)
	for _, s := range body {
		b.WriteString(s + "~")
	}
	fmt.Fprintf(&b, "SE*%d*0001~GE*1*%d~IEA*1*%s~", len(body)+2, 500+n, ctl)
	return b.String()
}
