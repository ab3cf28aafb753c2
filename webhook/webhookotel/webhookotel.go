// Package webhookotel puts the webhook handler of package webhook into OpenTelemetry traces and
// metrics.
//
// [Instrument] is a [webhook.HandlerOption]:
//
//	h := webhook.NewHandler(v, fn, webhookotel.Instrument(
//		webhookotel.WithTracerProvider(tp),
//		webhookotel.WithMeterProvider(mp),
//	))
//
// Each request is one span of kind server, named "plaid.webhook", started when the request
// reaches the handler and ended once the answer is sent. It is a child of the span in the
// request's context (an otelhttp handler around this one, say), and the parent of every span the
// key fetch and fn start. It carries:
//
//   - http.request.method, and http.response.status_code;
//   - plaid.webhook.outcome: "processed", "duplicate", "dropped", or the reason the handler
//     refused the webhook, such as "invalid_signature", "too_old" or "key_unavailable" (see
//     [OutcomeOf]);
//   - plaid.webhook_type and plaid.webhook_code, once the webhook was verified and parsed;
//   - plaid.link_session_id and plaid.item_id, for verified webhooks that have them;
//   - plaid.webhook.key_fetched: whether the handler waited for the verification key from Plaid
//     (see [webhook.Outcome].KeyFetched);
//   - for a 5xx answer, error.type (the outcome) and an error status. A 4xx answer is the
//     client's error, not this server's, and leaves the status unset, as OpenTelemetry's HTTP
//     server conventions say.
//
// The metrics, on the meter named by [ScopeName]:
//
//   - plaid.webhook.requests, a counter of requests by http.response.status_code,
//     plaid.webhook.outcome, and plaid.webhook_type and plaid.webhook_code once verified;
//   - http.server.request.duration, a histogram in seconds of the time to the answer, by
//     http.request.method, http.response.status_code, plaid.webhook_type and plaid.webhook_code,
//     and error.type for a 5xx;
//   - plaid.webhook.key_fetches, a counter of requests that waited for a verification key from
//     Plaid, by plaid.webhook.outcome. Requests for one new kid that arrive while its fetch is under
//     way share that one fetch, and each counts.
//
// Nothing of the Plaid-Verification JWT (its kid included), the body or any token reaches a span
// or a metric: a webhook's type, code, session and Item are recorded only once it was verified,
// and the method of a request that is not one of HTTP's is recorded as "_OTHER", so that neither
// a forger nor a broken client can add values without bound.
//
// # Options
//
// A value an option cannot use is never replaced by a default: [Instrument] returns no error, so
// it panics with a message naming the option (a nil provider, a nil option).
package webhookotel

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/plaidlink/plaidlink-go/webhook"
)

// ScopeName is the instrumentation scope of the tracer and meter Instrument uses.
const ScopeName = "github.com/plaidlink/plaidlink-go/webhook/webhookotel"

// SpanName is the name of the span of each webhook request.
const SpanName = "plaid.webhook"

// Attribute keys of Plaid's own, beside OpenTelemetry's semantic conventions.
const (
	// AttrOutcome is what the handler did: "processed", "duplicate", "dropped", or the reason it
	// refused the webhook (see [OutcomeOf]).
	AttrOutcome = attribute.Key("plaid.webhook.outcome")
	// AttrWebhookType is the verified webhook's webhook_type, such as "LINK".
	AttrWebhookType = attribute.Key("plaid.webhook_type")
	// AttrWebhookCode is the verified webhook's webhook_code, such as "SESSION_FINISHED".
	AttrWebhookCode = attribute.Key("plaid.webhook_code")
	// AttrLinkSessionID is the verified webhook's link_session_id.
	AttrLinkSessionID = attribute.Key("plaid.link_session_id")
	// AttrItemID is the verified webhook's item_id.
	AttrItemID = attribute.Key("plaid.item_id")
	// AttrKeyFetched reports whether the request waited for a verification key from Plaid.
	AttrKeyFetched = attribute.Key("plaid.webhook.key_fetched")
)

// Metric names.
const (
	// MetricRequests counts webhook requests.
	MetricRequests = "plaid.webhook.requests"
	// MetricDuration is the histogram of the time each request took to its answer, in seconds.
	MetricDuration = "http.server.request.duration"
	// MetricKeyFetches counts requests that waited for a verification key from Plaid.
	MetricKeyFetches = "plaid.webhook.key_fetches"
)

// Option configures [Instrument]. A value an option cannot use is never replaced by the default:
// Instrument returns no error, so it panics with a message naming the option, such as
// "webhookotel: Instrument: WithTracerProvider(nil): the TracerProvider must not be nil". A nil
// Option panics too.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider sets where the spans go (default: otel.GetTracerProvider() when Instrument
// is called, which follows a global provider set later). A nil tp makes Instrument panic (see
// [Option]).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp == nil {
			panic("webhookotel: Instrument: WithTracerProvider(nil): the TracerProvider must not be nil")
		}
		c.tp = tp
	}
}

// WithMeterProvider sets where the metrics go (default: otel.GetMeterProvider() when Instrument
// is called, which follows a global provider set later). A nil mp makes Instrument panic (see
// [Option]).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp == nil {
			panic("webhookotel: Instrument: WithMeterProvider(nil): the MeterProvider must not be nil")
		}
		c.mp = mp
	}
}

// Instrument returns a [webhook.HandlerOption] that traces and measures every request the
// handler serves, as the package documentation describes. It is built on
// [webhook.WithRequestHook]. It panics, naming the option, if an option is nil or given a nil
// provider (see [Option]).
func Instrument(opts ...Option) webhook.HandlerOption {
	c := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for i, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("webhookotel: Instrument: option %d of %d is nil", i+1, len(opts)))
		}
		o(&c)
	}
	in := newInstruments(c)
	return webhook.WithRequestHook(in.start)
}

type instruments struct {
	tracer     trace.Tracer
	requests   metric.Int64Counter
	duration   metric.Float64Histogram
	keyFetches metric.Int64Counter
}

// durationBuckets are the boundaries OpenTelemetry's HTTP conventions advise for
// http.server.request.duration; Plaid waits 10 s for an answer, the last one.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

func newInstruments(c config) *instruments {
	meter := c.mp.Meter(ScopeName)
	in := &instruments{tracer: c.tp.Tracer(ScopeName)}
	var err error
	// The names are valid, so the SDK returns no error; if a provider does, its instrument is
	// replaced by a no-op one rather than the handler failing, and the error goes to otel's
	// error handler.
	if in.requests, err = meter.Int64Counter(MetricRequests,
		metric.WithDescription("Plaid webhook requests, by status, outcome, webhook type and code."),
		metric.WithUnit("{request}")); err != nil {
		otel.Handle(err)
		in.requests = noop.Int64Counter{}
	}
	if in.duration, err = meter.Float64Histogram(MetricDuration,
		metric.WithDescription("Duration of HTTP server requests."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(durationBuckets...)); err != nil {
		otel.Handle(err)
		in.duration = noop.Float64Histogram{}
	}
	if in.keyFetches, err = meter.Int64Counter(MetricKeyFetches,
		metric.WithDescription("Plaid webhook requests that waited for a verification key from Plaid, by outcome."),
		metric.WithUnit("{request}")); err != nil {
		otel.Handle(err)
		in.keyFetches = noop.Int64Counter{}
	}
	return in
}

// start is the handler's RequestHook: it starts the span before anything of the request is read,
// and returns the function that records what the handler did.
func (in *instruments) start(r *http.Request) (context.Context, func(webhook.Outcome)) {
	method := methodOf(r.Method)
	ctx, span := in.tracer.Start(r.Context(), SpanName,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(method)))
	return ctx, func(o webhook.Outcome) { in.end(ctx, span, method, o) }
}

// end records o on the span, ends it, and records the metrics.
func (in *instruments) end(ctx context.Context, span trace.Span, method string, o webhook.Outcome) {
	outcome := OutcomeOf(o)
	status := semconv.HTTPResponseStatusCodeKey.Int(o.Status)
	var webhookAttrs []attribute.KeyValue
	if o.WebhookType != "" {
		webhookAttrs = []attribute.KeyValue{AttrWebhookType.String(o.WebhookType), AttrWebhookCode.String(o.WebhookCode)}
	}
	var errorType []attribute.KeyValue
	if o.Status >= http.StatusInternalServerError {
		errorType = []attribute.KeyValue{semconv.ErrorTypeKey.String(outcome)}
	}

	if span.IsRecording() {
		attrs := make([]attribute.KeyValue, 0, 8)
		attrs = append(attrs, status, AttrOutcome.String(outcome), AttrKeyFetched.Bool(o.KeyFetched))
		attrs = append(attrs, webhookAttrs...)
		if o.LinkSessionID != "" {
			attrs = append(attrs, AttrLinkSessionID.String(o.LinkSessionID))
		}
		if o.ItemID != "" {
			attrs = append(attrs, AttrItemID.String(o.ItemID))
		}
		attrs = append(attrs, errorType...)
		span.SetAttributes(attrs...)
		if errorType != nil {
			span.SetStatus(codes.Error, outcome)
		}
	}
	span.End()

	requestAttrs := make([]attribute.KeyValue, 0, 4)
	requestAttrs = append(requestAttrs, status, AttrOutcome.String(outcome))
	requestAttrs = append(requestAttrs, webhookAttrs...)
	in.requests.Add(ctx, 1, metric.WithAttributes(requestAttrs...))

	durationAttrs := make([]attribute.KeyValue, 0, 5)
	durationAttrs = append(durationAttrs, semconv.HTTPRequestMethodKey.String(method), status)
	durationAttrs = append(durationAttrs, webhookAttrs...)
	durationAttrs = append(durationAttrs, errorType...)
	in.duration.Record(ctx, o.Duration.Seconds(), metric.WithAttributes(durationAttrs...))

	if o.KeyFetched {
		in.keyFetches.Add(ctx, 1, metric.WithAttributes(AttrOutcome.String(outcome)))
	}
}

// methodOf returns the method as OpenTelemetry's HTTP conventions record it: one of HTTP's
// methods as it is, and any other as "_OTHER", so that made-up methods cannot add values without
// bound.
func methodOf(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return m
	}
	return "_OTHER"
}
