package faults_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// links are the TCP proxies between each service and its stores
// (toxiproxy, as a library): one per service and store, so a fault can
// slow, reset or cut one service's way to PostgreSQL or Redis and leave
// the others alone.
type links struct {
	server *toxiproxy.ApiServer

	mu      sync.Mutex
	proxies map[string]*toxiproxy.Proxy
}

func newLinks() *links {
	return &links{server: toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop()),
		proxies: map[string]*toxiproxy.Proxy{}}
}

// add starts a proxy named name (e.g. "workqueue-pg") on a free loopback
// port in front of upstream and returns the address to dial instead.
func (l *links) add(t *testing.T, name, upstream string) string {
	t.Helper()
	p := toxiproxy.NewProxy(l.server, name, "127.0.0.1:0", upstream)
	if err := p.Start(); err != nil {
		t.Fatalf("proxy %s: %v", name, err)
	}
	t.Cleanup(p.Stop)
	l.mu.Lock()
	l.proxies[name] = p
	l.mu.Unlock()
	return p.Listen
}

// toxic adds a toxic, both ways, to every proxy whose name has one of
// the prefixes, e.g. `{"type":"latency","attributes":{"latency":400}}`;
// it returns a function that takes it away again.
func (l *links) toxic(prefixes []string, kind string, attributes string) (func(), error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var undo []func()
	for name, p := range l.proxies {
		if !hasAnyPrefix(name, prefixes) {
			continue
		}
		for _, stream := range []string{"upstream", "downstream"} {
			toxicName := kind + "_" + stream
			body := fmt.Sprintf(`{"name":%q,"type":%q,"stream":%q,"attributes":%s}`, toxicName, kind, stream, attributes)
			if _, err := p.Toxics.AddToxicJson(strings.NewReader(body)); err != nil {
				for _, u := range undo {
					u()
				}
				return nil, fmt.Errorf("toxic %s on %s: %w", kind, name, err)
			}
			p := p
			undo = append(undo, func() { _ = p.Toxics.RemoveToxic(context.Background(), toxicName) })
		}
	}
	if len(undo) == 0 {
		return nil, fmt.Errorf("no proxy named %v", prefixes)
	}
	return func() {
		for _, u := range undo {
			u()
		}
	}, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
