package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

const tracerName = "github.com/backdesk/backdesk/pkg/platform/web"

// Attribute keys of a server span (OpenTelemetry HTTP semantic
// conventions). They are the only ones set: each holds a value the server
// chose (a method it knows, a route template, a status, an error kind),
// never one the request carried.
const (
	attrMethod    = attribute.Key("http.request.method")
	attrRoute     = attribute.Key("http.route")
	attrStatus    = attribute.Key("http.response.status_code")
	attrErrorType = attribute.Key("error.type")
)

// traceContext reads only the W3C traceparent and tracestate headers.
// Baggage is left out: a client could put anything in it, and what the
// request context holds travels on into task headers and outbox rows.
var traceContext = propagation.TraceContext{}

// tracing starts the server span of each request. It replaces the generic
// gin instrumentation, which records the raw path (patient ids in
// /patients/:id), the client's address and user agent, and the text of
// handler errors, which can quote stored values; the access log already
// refused all of those. A span here says what route ran and how it ended:
// the method, the route template, the status, and for a failure the error's
// kind. The probes and /metrics are not traced.
func tracing(tp trace.TracerProvider) gin.HandlerFunc {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	tracer := tp.Tracer(tracerName)
	return func(c *gin.Context) {
		route := c.FullPath()
		if operational(route) {
			c.Next()
			return
		}
		method := knownMethod(c.Request.Method)
		name := method
		attrs := []attribute.KeyValue{attrMethod.String(method)}
		if route != "" {
			name += " " + route
			attrs = append(attrs, attrRoute.String(route))
		}
		ctx := traceContext.Extract(c.Request.Context(), propagation.HeaderCarrier(c.Request.Header))
		ctx, span := tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
		defer span.End()
		c.Request = c.Request.WithContext(ctx)

		c.Next()

		status := c.Writer.Status()
		span.SetAttributes(attrStatus.Int(status))
		switch {
		case len(c.Errors) > 0:
			span.SetAttributes(attrErrorType.String(errorKind(c.Errors.Last().Err)))
		case status >= http.StatusInternalServerError:
			span.SetAttributes(attrErrorType.String(strconv.Itoa(status)))
		}
		if status >= http.StatusInternalServerError {
			// No description: an error's text may quote what it failed on.
			span.SetStatus(codes.Error, "")
		}
	}
}

// errorKind names a failure by its kind, one of a fixed set, never by its
// text: a routing error by its code, anything else by its apperr kind.
func errorKind(err error) string {
	var he *httpError
	if errors.As(err, &he) {
		return he.code
	}
	return string(apperr.KindOf(err))
}

// knownMethod returns the request's method when it is a standard one and
// "_OTHER" otherwise, as the semantic conventions ask: a client can send
// any word as its method, and it must not become a label or an attribute.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "_OTHER"
}
