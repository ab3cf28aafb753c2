package linkotel_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/plaidlink/plaidlink-go/internal/benchpair"
	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/link/linkotel"
)

// createTokenOp is one CreateToken round trip against a canned httptest server, through a Client
// built with opts.
func createTokenOp(b *testing.B, opts ...link.Option) func() {
	reply := []byte(tokenReply)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	}))
	b.Cleanup(srv.Close)
	c, err := link.NewClient("client-id", "secret", append([]link.Option{link.WithBaseURL(srv.URL)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	req := tokenRequest()
	return func() {
		resp, err := c.CreateToken(ctx, req)
		if err != nil || resp.LinkToken == "" {
			b.Fatal(resp, err)
		}
	}
}

// noopInstrumented is CreateToken instrumented with OpenTelemetry's no-op providers: what a
// program pays for linkotel when it exports nothing.
func noopInstrumented(b *testing.B) func() {
	return createTokenOp(b, linkotel.Instrument(linkotel.WithTracerProvider(tracenoop.NewTracerProvider()),
		linkotel.WithMeterProvider(metricnoop.NewMeterProvider())))
}

// BenchmarkCreateTokenNoopOtel is CreateToken with linkotel on no-op providers.
func BenchmarkCreateTokenNoopOtel(b *testing.B) {
	op := noopInstrumented(b)
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkCreateTokenUninstrumented is the same call without linkotel.
func BenchmarkCreateTokenUninstrumented(b *testing.B) {
	op := createTokenOp(b)
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
}

// BenchmarkCreateTokenNoopOtelPair interleaves the two, call by call, and reports their time
// ratio (the figure internal/cmd/bench holds to 1.05x).
func BenchmarkCreateTokenNoopOtelPair(b *testing.B) {
	benchpair.Interleave(b, noopInstrumented(b), createTokenOp(b))
}
