package webhookotel_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// BenchmarkHandler measures what instrumentation adds to a verified SESSION_FINISHED webhook
// (warm key, no deduper): none, with no-op providers, and with the SDK recording every span and
// metric.
func BenchmarkHandler(b *testing.B) {
	body, err := os.ReadFile("../testdata/session_finished.json")
	if err != nil {
		b.Fatal(err)
	}
	signer := webhooktest.NewSigner()
	header := signer.Sign(body)
	sdkTP := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	sdkMP := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = sdkTP.Shutdown(context.Background())
		_ = sdkMP.Shutdown(context.Background())
	})
	for _, bc := range []struct {
		name string
		opts []webhook.HandlerOption
	}{
		{"bare", nil},
		{"noop", []webhook.HandlerOption{webhookotel.Instrument(
			webhookotel.WithTracerProvider(tracenoop.NewTracerProvider()),
			webhookotel.WithMeterProvider(metricnoop.NewMeterProvider()))}},
		{"sdk", []webhook.HandlerOption{webhookotel.Instrument(
			webhookotel.WithTracerProvider(sdkTP), webhookotel.WithMeterProvider(sdkMP))}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil }, bc.opts...)
			serve := func() {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Header.Set(webhook.HeaderName, header)
				resp := httptest.NewRecorder()
				h.ServeHTTP(resp, req)
				if resp.Code != http.StatusOK {
					b.Fatalf("status %d", resp.Code)
				}
			}
			serve() // fetches the key
			b.ReportAllocs()
			for b.Loop() {
				serve()
			}
		})
	}
}
