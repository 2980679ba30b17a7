package testenv

import (
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// SpanText is everything a span would export as text: its name, every
// attribute's key and value, its events and links with theirs, and its
// status description. Tests search it for data that must never reach a
// trace (patient ids, query values, client addresses, error texts).
func SpanText(s tracetest.SpanStub) string {
	var b strings.Builder
	attrs := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			fmt.Fprintf(&b, " %s=%s", kv.Key, kv.Value.String())
		}
	}
	b.WriteString(s.Name)
	attrs(s.Attributes)
	for _, e := range s.Events {
		b.WriteString(" event:" + e.Name)
		attrs(e.Attributes)
	}
	for _, l := range s.Links {
		attrs(l.Attributes)
	}
	b.WriteString(" status:" + s.Status.Description)
	return b.String()
}
