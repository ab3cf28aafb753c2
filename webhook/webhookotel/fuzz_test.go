package webhookotel_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// FuzzUnverifiedRequests sends requests no Plaid key signed, with any method, header and body,
// and checks that their telemetry holds nothing from them: the keys are the four every request
// has, and each value is one of a closed set. A forger cannot put a word of its own into a span
// or a metric, nor grow the metrics' label values.
func FuzzUnverifiedRequests(f *testing.F) {
	signer := webhooktest.NewSigner()
	body := []byte(`{"webhook_type":"LINK","webhook_code":"SESSION_FINISHED","link_session_id":"s-1","public_tokens":["public-sandbox-x"]}`)
	good := strings.Split(signer.Sign(body), ".")
	f.Add(http.MethodPost, good[0]+"."+good[1]+".AAAA", body)
	f.Add(http.MethodPost, signer.Sign([]byte(`{}`)), body)
	f.Add(http.MethodPost, signer.SignAt(body, time.Now().Add(-time.Hour)), body)
	f.Add(http.MethodPost, "", body)
	f.Add("BREW", "garbage.public-sandbox-x", []byte("public-sandbox-x"))
	f.Add(http.MethodGet, signer.Sign(body), []byte{})

	outcomes := map[string]bool{webhookotel.OutcomeProcessed: true, webhookotel.OutcomeDuplicate: true}
	for _, reason := range reasons {
		outcomes[webhookotel.OutcomeOf(webhook.Outcome{Reason: reason})] = true
	}
	methods := map[string]bool{"_OTHER": true}
	for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"} {
		methods[m] = true
	}
	allowed := func(kv attribute.KeyValue) bool {
		switch kv.Key {
		case "http.request.method":
			return methods[kv.Value.AsString()]
		case "http.response.status_code":
			return kv.Value.Type() == attribute.INT64 && http.StatusText(int(kv.Value.AsInt64())) != ""
		case "plaid.webhook.outcome", "error.type":
			return outcomes[kv.Value.AsString()]
		case "plaid.webhook.key_fetched":
			return kv.Value.Type() == attribute.BOOL
		}
		return false
	}

	f.Fuzz(func(t *testing.T, method, header string, body []byte) {
		tel := newTelemetry(t)
		h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error {
			t.Error("fn ran for a request Plaid did not sign")
			return nil
		}, tel.instrument())
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Method = method
		req.Header.Set(webhook.HeaderName, header)
		h.ServeHTTP(httptest.NewRecorder(), req)

		spans := tel.spans.Ended()
		if len(spans) != 1 {
			t.Fatalf("%d spans, want 1", len(spans))
		}
		if spans[0].Name() != webhookotel.SpanName || len(spans[0].Events()) != 0 {
			t.Errorf("span %q with %d events", spans[0].Name(), len(spans[0].Events()))
		}
		if d := spans[0].Status().Description; d != "" && !outcomes[d] {
			t.Errorf("status description %q", d)
		}
		for _, kv := range spans[0].Attributes() {
			if !allowed(kv) {
				t.Errorf("span attribute %s=%q", kv.Key, kv.Value.Emit())
			}
		}
		var rm metricdata.ResourceMetrics
		if err := tel.reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				for _, set := range attributeSets(t, m.Data) {
					for _, kv := range set.ToSlice() {
						if !allowed(kv) {
							t.Errorf("%s attribute %s=%q", m.Name, kv.Key, kv.Value.Emit())
						}
					}
				}
			}
		}
	})
}
