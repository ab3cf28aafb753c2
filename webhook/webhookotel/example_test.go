package webhookotel_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// A handler whose requests are spans. In production the TracerProvider exports them and the
// KeyFetcher is your *link.Client; here the spans are recorded in memory and a webhooktest.Signer
// plays Plaid.
func ExampleInstrument() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())

	plaid := webhooktest.NewSigner()
	h := webhook.NewHandler(webhook.NewVerifier(plaid), func(ctx context.Context, ev webhook.Event) error {
		return nil // spans started from ctx are children of the webhook's
	}, webhookotel.Instrument(webhookotel.WithTracerProvider(tp)))

	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","status":"SUCCESS",` +
		`"link_session_id":"356dbb28-7f98-44d1-8e6d-0cec580f3171","link_token":"link-sandbox-af1a0311-da53-4636-b754-dd15cc058176",` +
		`"public_tokens":["public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"],"environment":"sandbox"}`)
	req := httptest.NewRequest(http.MethodPost, "/plaid/webhook", bytes.NewReader(body))
	req.Header.Set(webhook.HeaderName, plaid.Sign(body))
	h.ServeHTTP(httptest.NewRecorder(), req)

	span := spans.Ended()[0]
	fmt.Println(span.Name(), span.SpanKind())
	var attrs []string
	for _, kv := range span.Attributes() {
		attrs = append(attrs, fmt.Sprintf("%s=%s", kv.Key, kv.Value.Emit()))
	}
	sort.Strings(attrs)
	for _, a := range attrs {
		fmt.Println(a)
	}
	// Output:
	// plaid.webhook server
	// http.request.method=POST
	// http.response.status_code=200
	// plaid.link_session_id=356dbb28-7f98-44d1-8e6d-0cec580f3171
	// plaid.webhook.key_fetched=true
	// plaid.webhook.outcome=processed
	// plaid.webhook_code=SESSION_FINISHED
	// plaid.webhook_type=LINK
}
