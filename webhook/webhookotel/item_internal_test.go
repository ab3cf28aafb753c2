package webhookotel

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// TestItemID checks that the span names the Item of a webhook about one, as the handler reports it
// in Outcome.ItemID (ITEM webhooks), and that the metrics do not: Items are without bound.
func TestItemID(t *testing.T) {
	spans, reader := tracetest.NewSpanRecorder(), sdkmetric.NewManualReader()
	in := newInstruments(config{
		tp: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		mp: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	})
	_, end := in.start(httptest.NewRequest(http.MethodPost, "/", nil))
	end(webhook.Outcome{Method: http.MethodPost, Status: 200, WebhookType: "ITEM", WebhookCode: "ERROR",
		ItemID: "wz666MBjYWTp2PDzzggYhM6oWWmBb", Duration: time.Millisecond})

	require.Len(t, spans.Ended(), 1)
	attrs := map[string]any{}
	for _, kv := range spans.Ended()[0].Attributes() {
		attrs[string(kv.Key)] = kv.Value.AsInterface()
	}
	assert.Equal(t, map[string]any{
		"http.request.method": "POST", "http.response.status_code": int64(200), "plaid.webhook.outcome": "processed",
		"plaid.webhook.key_fetched": false, "plaid.webhook_type": "ITEM", "plaid.webhook_code": "ERROR",
		"plaid.item_id": "wz666MBjYWTp2PDzzggYhM6oWWmBb",
	}, attrs)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	require.Len(t, rm.ScopeMetrics[0].Metrics, 2, "requests and duration; no key fetched")
	for _, m := range rm.ScopeMetrics[0].Metrics {
		var sets []attribute.Set
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				sets = append(sets, dp.Attributes)
			}
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				sets = append(sets, dp.Attributes)
			}
		}
		require.Len(t, sets, 1, m.Name)
		_, ok := sets[0].Value(AttrItemID)
		assert.False(t, ok, "%s has no Item attribute", m.Name)
		code, _ := sets[0].Value(AttrWebhookCode)
		assert.Equal(t, "ERROR", code.AsString(), m.Name)
	}
}
