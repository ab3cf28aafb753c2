package webhookotel_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/plaidlink/plaidlink-go/link"
	"github.com/plaidlink/plaidlink-go/webhook"
	"github.com/plaidlink/plaidlink-go/webhook/webhookotel"
	"github.com/plaidlink/plaidlink-go/webhook/webhooktest"
)

// telemetry is an SDK tracer and meter provider recording in memory.
type telemetry struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
	mp     *sdkmetric.MeterProvider
}

func newTelemetry(t *testing.T) *telemetry {
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	tel.mp = sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	t.Cleanup(func() {
		_ = tel.tp.Shutdown(context.Background())
		_ = tel.mp.Shutdown(context.Background())
	})
	return tel
}

func (tel *telemetry) instrument() webhook.HandlerOption {
	return webhookotel.Instrument(webhookotel.WithTracerProvider(tel.tp), webhookotel.WithMeterProvider(tel.mp))
}

// metrics collects the metrics recorded so far, by name.
func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		require.Equal(t, webhookotel.ScopeName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

// attrMap turns attributes into a map of their values, for comparisons.
func attrMap(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// counts returns a counter's values by attribute set.
func counts(t *testing.T, data metricdata.Aggregation) []point {
	t.Helper()
	sum, ok := data.(metricdata.Sum[int64])
	require.True(t, ok, "an int64 sum, not %T", data)
	assert.True(t, sum.IsMonotonic)
	var out []point
	for _, dp := range sum.DataPoints {
		out = append(out, point{attrMap(dp.Attributes.ToSlice()), float64(dp.Value)})
	}
	return out
}

// point is a data point: its attributes and its value (a count, or a histogram's count).
type point struct {
	attrs map[string]any
	value float64
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	require.NoError(t, err)
	return b
}

const (
	session     = "356dbb28-7f98-44d1-8e6d-0cec580f3171"
	publicToken = "public-sandbox-b0e2c4ee-a763-4df5-bfe9-46a46bce993d"
	linkToken   = "link-sandbox-af1a0311-da53-4636-b754-dd15cc058176"
)

// keysDown is Plaid's key endpoint failing with a 500.
type keysDown struct{}

func (keysDown) GetWebhookVerificationKey(context.Context, *link.WebhookVerificationKeyGetRequest, ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	return nil, &link.Error{ErrorType: link.ErrorTypeAPIError, ErrorCode: link.ErrorCodeInternalServerError, HTTPStatus: 500}
}

// TestSpanAndMetrics sends one request down each kind of path and checks its one span and the
// metrics it adds.
func TestSpanAndMetrics(t *testing.T) {
	signer := webhooktest.NewSigner()
	body := sample(t, "item_add_result.json")
	require.Contains(t, string(body), session)
	// forged is signer's header with another key's signature.
	good, other := strings.Split(signer.Sign(body), "."), strings.Split(webhooktest.NewSigner().Sign(body), ".")
	forged := good[0] + "." + good[1] + "." + other[2]

	verified := func(m map[string]any) map[string]any {
		m["plaid.webhook_type"], m["plaid.webhook_code"], m["plaid.link_session_id"] = "LINK", "ITEM_ADD_RESULT", session
		return m
	}
	tests := []struct {
		name     string
		method   string
		header   string
		keys     webhook.KeyFetcher
		fn       func(context.Context, webhook.Event) error
		warm     bool // the key is cached before the request
		wantSpan map[string]any
		wantErr  bool // an error status on the span
		// wantVerified: the metrics carry the webhook's type and code.
		wantVerified bool
	}{
		{name: "processed", header: signer.Sign(body),
			wantSpan: verified(map[string]any{"http.response.status_code": int64(200),
				"plaid.webhook.outcome": "processed", "plaid.webhook.key_fetched": true}),
			wantVerified: true},
		{name: "processed, key cached", header: signer.Sign(body), warm: true,
			wantSpan: verified(map[string]any{"http.response.status_code": int64(200),
				"plaid.webhook.outcome": "processed", "plaid.webhook.key_fetched": false}),
			wantVerified: true},
		{name: "dropped", header: signer.Sign(body),
			fn: func(context.Context, webhook.Event) error {
				return fmt.Errorf("no such user: %w", webhook.ErrPermanent)
			},
			wantSpan: verified(map[string]any{"http.response.status_code": int64(200),
				"plaid.webhook.outcome": "dropped", "plaid.webhook.key_fetched": true}),
			wantVerified: true},
		{name: "fn fails", header: signer.Sign(body),
			fn: func(context.Context, webhook.Event) error { return errors.New("exchange " + publicToken + " failed") },
			wantSpan: verified(map[string]any{"http.response.status_code": int64(500),
				"plaid.webhook.outcome": "func_failed", "plaid.webhook.key_fetched": true, "error.type": "func_failed"}),
			wantErr: true, wantVerified: true},
		{name: "bad signature", header: forged,
			wantSpan: map[string]any{"http.response.status_code": int64(401),
				"plaid.webhook.outcome": "invalid_signature", "plaid.webhook.key_fetched": true}},
		{name: "too old", header: signer.SignAt(body, time.Now().Add(-time.Hour)),
			wantSpan: map[string]any{"http.response.status_code": int64(401),
				"plaid.webhook.outcome": "too_old", "plaid.webhook.key_fetched": true}},
		{name: "key endpoint down", header: signer.Sign(body), keys: keysDown{},
			wantSpan: map[string]any{"http.response.status_code": int64(503),
				"plaid.webhook.outcome": "key_unavailable", "plaid.webhook.key_fetched": true, "error.type": "key_unavailable"},
			wantErr: true},
		{name: "no header",
			wantSpan: map[string]any{"http.response.status_code": int64(401),
				"plaid.webhook.outcome": "missing_header", "plaid.webhook.key_fetched": false}},
		{name: "GET", method: http.MethodGet,
			wantSpan: map[string]any{"http.response.status_code": int64(405),
				"plaid.webhook.outcome": "method_not_allowed", "plaid.webhook.key_fetched": false}},
		{name: "made-up method", method: "PLAID" + publicToken[:6],
			wantSpan: map[string]any{"http.response.status_code": int64(405),
				"plaid.webhook.outcome": "method_not_allowed", "plaid.webhook.key_fetched": false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tel := newTelemetry(t)
			keys := tc.keys
			if keys == nil {
				keys = signer
			}
			v := webhook.NewVerifier(keys)
			if tc.warm {
				require.NoError(t, v.Verify(context.Background(), signer.Sign(body), body))
			}
			fn := tc.fn
			if fn == nil {
				fn = func(context.Context, webhook.Event) error { return nil }
			}
			h := webhook.NewHandler(v, fn, tel.instrument())
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req := httptest.NewRequest(method, "/plaid/webhook", bytes.NewReader(body))
			if tc.header != "" {
				req.Header.Set(webhook.HeaderName, tc.header)
			}
			resp := httptest.NewRecorder()
			h.ServeHTTP(resp, req)

			wantMethod := method
			if method != http.MethodGet && method != http.MethodPost {
				wantMethod = "_OTHER"
			}
			spans := tel.spans.Ended()
			require.Len(t, spans, 1, "one span per request")
			s := spans[0]
			assert.Equal(t, webhookotel.SpanName, s.Name())
			assert.Equal(t, trace.SpanKindServer, s.SpanKind())
			want := tc.wantSpan
			want["http.request.method"] = wantMethod
			assert.Equal(t, want, attrMap(s.Attributes()))
			assert.Equal(t, want["http.response.status_code"], int64(resp.Code), "the status sent")
			if tc.wantErr {
				assert.Equal(t, codes.Error, s.Status().Code)
				assert.Equal(t, want["plaid.webhook.outcome"], s.Status().Description)
			} else {
				assert.Equal(t, codes.Unset, s.Status().Code, "a 4xx is the client's error, not the server's")
			}

			ms := tel.metrics(t)
			wantCount := map[string]any{"http.response.status_code": want["http.response.status_code"],
				"plaid.webhook.outcome": want["plaid.webhook.outcome"]}
			wantDuration := map[string]any{"http.request.method": wantMethod,
				"http.response.status_code": want["http.response.status_code"]}
			if tc.wantVerified {
				for _, m := range []map[string]any{wantCount, wantDuration} {
					m["plaid.webhook_type"], m["plaid.webhook_code"] = "LINK", "ITEM_ADD_RESULT"
				}
			}
			if et, ok := want["error.type"]; ok {
				wantDuration["error.type"] = et
			}
			assert.Equal(t, []point{{wantCount, 1}}, counts(t, ms[webhookotel.MetricRequests]))

			hist, ok := ms[webhookotel.MetricDuration].(metricdata.Histogram[float64])
			require.True(t, ok, "a float64 histogram")
			require.Len(t, hist.DataPoints, 1)
			dp := hist.DataPoints[0]
			assert.Equal(t, wantDuration, attrMap(dp.Attributes.ToSlice()))
			assert.Equal(t, uint64(1), dp.Count)
			assert.Positive(t, dp.Sum)
			assert.Less(t, dp.Sum, 60.0, "seconds, not nanoseconds")
			assert.Equal(t, []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}, dp.Bounds)

			if want["plaid.webhook.key_fetched"] == true {
				assert.Equal(t, []point{{map[string]any{"plaid.webhook.outcome": want["plaid.webhook.outcome"]}, 1}},
					counts(t, ms[webhookotel.MetricKeyFetches]))
			} else {
				assert.NotContains(t, ms, webhookotel.MetricKeyFetches, "no key fetched, none counted")
			}
		})
	}
}

// TestDuplicateAndCounts sends one webhook three times to a handler with a deduper and counts
// the requests by outcome.
func TestDuplicateAndCounts(t *testing.T) {
	tel := newTelemetry(t)
	signer := webhooktest.NewSigner()
	body := sample(t, "session_finished.json")
	h := webhook.NewHandler(webhook.NewVerifier(signer), func(context.Context, webhook.Event) error { return nil },
		webhook.WithDeduper(webhook.NewMemoryDeduper(100)), tel.instrument())
	for range 3 {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(webhook.HeaderName, signer.Sign(body))
		resp := httptest.NewRecorder()
		h.ServeHTTP(resp, req)
		require.Equal(t, http.StatusOK, resp.Code)
	}
	var outcomes []string
	for _, s := range tel.spans.Ended() {
		outcomes = append(outcomes, attrMap(s.Attributes())["plaid.webhook.outcome"].(string))
	}
	assert.Equal(t, []string{"processed", "duplicate", "duplicate"}, outcomes)

	got := counts(t, tel.metrics(t)[webhookotel.MetricRequests])
	sort.Slice(got, func(i, j int) bool { return got[i].value < got[j].value })
	base := func(outcome string) map[string]any {
		return map[string]any{"http.response.status_code": int64(200), "plaid.webhook.outcome": outcome,
			"plaid.webhook_type": "LINK", "plaid.webhook_code": "SESSION_FINISHED"}
	}
	assert.Equal(t, []point{{base("processed"), 1}, {base("duplicate"), 2}}, got)
	assert.Equal(t, []point{{map[string]any{"plaid.webhook.outcome": "processed"}, 1}},
		counts(t, tel.metrics(t)[webhookotel.MetricKeyFetches]), "the key is fetched once, then cached")
}

// ctxFetcher is a KeyFetcher that starts a span in the context it is called with, as a
// *link.Client instrumented with linkotel does.
type ctxFetcher struct {
	signer *webhooktest.Signer
	tracer trace.Tracer
}

func (f ctxFetcher) GetWebhookVerificationKey(ctx context.Context, req *link.WebhookVerificationKeyGetRequest, opts ...link.Option) (*link.WebhookVerificationKeyGetResponse, error) {
	_, span := f.tracer.Start(ctx, "GetWebhookVerificationKey")
	defer span.End()
	return f.signer.GetWebhookVerificationKey(ctx, req, opts...)
}

// TestSpanParentage checks that the webhook span is a child of the span in the request's
// context, and the parent of the spans fn and the key fetch start.
func TestSpanParentage(t *testing.T) {
	tel := newTelemetry(t)
	tracer := tel.tp.Tracer("test")
	signer := webhooktest.NewSigner()
	body := sample(t, "events.json")
	h := webhook.NewHandler(webhook.NewVerifier(ctxFetcher{signer, tracer}), func(ctx context.Context, _ webhook.Event) error {
		_, span := tracer.Start(ctx, "fn")
		span.End()
		return nil
	}, tel.instrument())

	ctx, parent := tracer.Start(context.Background(), "incoming")
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set(webhook.HeaderName, signer.Sign(body))
	resp := httptest.NewRecorder()
	h.ServeHTTP(resp, req)
	parent.End()
	require.Equal(t, http.StatusOK, resp.Code)

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range tel.spans.Ended() {
		byName[s.Name()] = s
	}
	require.Len(t, byName, 4)
	wh := byName[webhookotel.SpanName]
	require.NotNil(t, wh)
	assert.Equal(t, parent.SpanContext().SpanID(), wh.Parent().SpanID(), "a child of the request's span")
	assert.Equal(t, parent.SpanContext().TraceID(), wh.SpanContext().TraceID())
	for _, name := range []string{"fn", "GetWebhookVerificationKey"} {
		assert.Equal(t, wh.SpanContext().SpanID(), byName[name].Parent().SpanID(), "%s is a child of the webhook span", name)
	}
	assert.Equal(t, "EVENTS", attrMap(wh.Attributes())["plaid.webhook_code"])
}

// TestNoSecretsInTelemetry sends webhooks carrying tokens down every kind of path and checks that
// no span (name, attributes, events, status) and no metric attribute holds the JWT, any part of
// it, the body, or a token.
func TestNoSecretsInTelemetry(t *testing.T) {
	tel := newTelemetry(t)
	signer := webhooktest.NewSigner()
	bodies := [][]byte{sample(t, "item_add_result.json"), sample(t, "session_finished.json"), sample(t, "events.json")}
	var secrets []string
	for _, b := range bodies {
		secrets = append(secrets, string(b))
	}
	secrets = append(secrets, publicToken, linkToken, "public-sandbox-", "link-sandbox-", signer.KeyID())
	fns := []func(context.Context, webhook.Event) error{
		func(context.Context, webhook.Event) error { return nil },
		func(context.Context, webhook.Event) error { return errors.New("failed for " + publicToken) },
		func(_ context.Context, ev webhook.Event) error { panic(fmt.Sprintf("%+v", ev)) },
		func(context.Context, webhook.Event) error {
			return fmt.Errorf("%s: %w", linkToken, webhook.ErrPermanent)
		},
	}
	for _, fn := range fns {
		h := webhook.NewHandler(webhook.NewVerifier(signer), fn, tel.instrument(), webhook.WithDeduper(webhook.NewMemoryDeduper(10)))
		for _, body := range bodies {
			header := signer.Sign(body)
			parts := strings.Split(header, ".")
			require.Len(t, parts, 3)
			secrets = append(secrets, header, parts[0], parts[1], parts[2])
			for _, hd := range []string{header, header, signer.SignAt(body, time.Now().Add(-time.Hour)), parts[0] + "." + parts[1] + ".AAAA", "garbage." + publicToken, ""} {
				req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
				req.Header.Set(webhook.HeaderName, hd)
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		}
	}

	var recorded []string
	spans := tel.spans.Ended()
	require.Len(t, spans, len(fns)*len(bodies)*6)
	for _, s := range spans {
		recorded = append(recorded, s.Name(), s.Status().Description)
		for _, kv := range s.Attributes() {
			recorded = append(recorded, string(kv.Key), kv.Value.Emit())
		}
		for _, ev := range s.Events() {
			recorded = append(recorded, ev.Name)
			for _, kv := range ev.Attributes {
				recorded = append(recorded, string(kv.Key), kv.Value.Emit())
			}
		}
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	nMetrics := 0
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			nMetrics++
			recorded = append(recorded, m.Name, m.Description, m.Unit)
			for _, set := range attributeSets(t, m.Data) {
				for _, kv := range set.ToSlice() {
					recorded = append(recorded, string(kv.Key), kv.Value.Emit())
				}
			}
		}
	}
	assert.Equal(t, 3, nMetrics)
	all := strings.Join(recorded, "\n")
	assert.Contains(t, all, session, "the link session id, which is no secret, is recorded")
	for _, secret := range secrets {
		assert.NotContains(t, all, secret)
	}
}

// attributeSets returns the attribute sets of a metric's data points.
func attributeSets(t *testing.T, data metricdata.Aggregation) []attribute.Set {
	var out []attribute.Set
	switch d := data.(type) {
	case metricdata.Sum[int64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	case metricdata.Histogram[float64]:
		for _, dp := range d.DataPoints {
			out = append(out, dp.Attributes)
		}
	default:
		t.Fatalf("unexpected aggregation %T", data)
	}
	return out
}

// Instrument returns no error, so an option it cannot use makes it panic, naming the option,
// rather than keeping the global provider as if nothing had been asked.
func TestInstrumentRefusesBadOptions(t *testing.T) {
	cases := []struct {
		opt  webhookotel.Option
		want string
	}{
		{webhookotel.WithTracerProvider(nil), "webhookotel: Instrument: WithTracerProvider(nil): the TracerProvider must not be nil"},
		{webhookotel.WithMeterProvider(nil), "webhookotel: Instrument: WithMeterProvider(nil): the MeterProvider must not be nil"},
		{nil, "webhookotel: Instrument: option 2 of 2 is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.PanicsWithValue(t, tc.want, func() {
				webhookotel.Instrument(webhookotel.WithMeterProvider(sdkmetric.NewMeterProvider()), tc.opt)
			})
		})
	}
}
