package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linkotel"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
)

// metricsPath is where -metrics serves the metrics, Prometheus's usual path.
const metricsPath = "/metrics"

// instrumentation is what -metrics adds to the receiver: the options that record the webhook
// handler's and the Plaid client's metrics, and the server that lets Prometheus scrape them.
type instrumentation struct {
	handlerOpts []webhook.HandlerOption
	linkOpts    []link.Option
	// stop shuts down the metrics server, then the meter provider.
	stop func() error
}

// startMetrics serves Prometheus metrics on addr at metricsPath: OpenTelemetry metrics recorded by
// webhookotel for the handler and linkotel for the Plaid client into an SDK MeterProvider, read by the Prometheus
// exporter into a registry of their own, so that nothing else registered in this process shows.
func startMetrics(out io.Writer, addr string) (*instrumentation, error) {
	reg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = mp.Shutdown(context.Background())
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(metricsPath, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	// The same timeouts as the webhook server: a scraper is a client like any other.
	_, stopServer := startServer(ln, mux)
	fmt.Fprintf(out, "Serving metrics on http://%s%s.\n", ln.Addr(), metricsPath)
	return &instrumentation{
		handlerOpts: []webhook.HandlerOption{webhookotel.Instrument(webhookotel.WithMeterProvider(mp))},
		linkOpts:    []link.Option{linkotel.Instrument(linkotel.WithMeterProvider(mp))},
		stop: func() error {
			return errors.Join(stopServer(), mp.Shutdown(context.Background()))
		},
	}, nil
}
