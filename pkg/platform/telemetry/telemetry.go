// Package telemetry sets up OpenTelemetry traces and metrics from the
// standard OTEL_* variables. Traces are always recorded (so logs carry trace
// ids and context crosses queues) and exported over OTLP/HTTP only when an
// endpoint is configured. Metrics are always served to Prometheus and also
// pushed over OTLP when configured. Attributes never carry PHI.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// Telemetry holds the providers a process uses and the Prometheus registry
// its /metrics endpoint serves.
type Telemetry struct {
	Registry       *prometheus.Registry
	TracerProvider *sdktrace.TracerProvider
	MeterProvider  *sdkmetric.MeterProvider
	// Exporting reports whether traces leave the process over OTLP.
	Exporting bool
}

// Setup builds the providers for service and installs them as the global
// OpenTelemetry providers and propagator.
func Setup(ctx context.Context, service string) (*Telemetry, error) {
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(serviceName(service))))
	if err != nil {
		return nil, fmt.Errorf("telemetry resource: %w", err)
	}
	t := &Telemetry{Registry: prometheus.NewRegistry()}
	t.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	traceOpts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	metricOpts := []sdkmetric.Option{sdkmetric.WithResource(res)}

	prom, err := promexporter.New(promexporter.WithRegisterer(t.Registry), promexporter.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("prometheus exporter: %w", err)
	}
	metricOpts = append(metricOpts, sdkmetric.WithReader(prom))

	if endpointSet("TRACES") {
		exp, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("OTLP trace exporter (check OTEL_EXPORTER_OTLP_ENDPOINT): %w", err)
		}
		traceOpts = append(traceOpts, sdktrace.WithBatcher(exp))
		t.Exporting = true
	}
	if endpointSet("METRICS") {
		exp, err := otlpmetrichttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("OTLP metric exporter (check OTEL_EXPORTER_OTLP_ENDPOINT): %w", err)
		}
		metricOpts = append(metricOpts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	}

	t.TracerProvider = sdktrace.NewTracerProvider(traceOpts...)
	t.MeterProvider = sdkmetric.NewMeterProvider(metricOpts...)
	otel.SetTracerProvider(t.TracerProvider)
	otel.SetMeterProvider(t.MeterProvider)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return t, nil
}

// Shutdown flushes and stops the providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	return errors.Join(t.TracerProvider.Shutdown(ctx), t.MeterProvider.Shutdown(ctx))
}

func endpointSet(signal string) bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_"+signal+"_ENDPOINT") != ""
}

func serviceName(def string) string {
	if v := os.Getenv("OTEL_SERVICE_NAME"); v != "" {
		return v
	}
	return "backdesk-" + def
}
