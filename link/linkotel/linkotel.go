package linkotel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/plaidlink/plaidlink-go/link"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/plaidlink/plaidlink-go/link/linkotel"

// Option configures [Instrument]. A value an option cannot use is never replaced by the default:
// Instrument returns no error, so it panics with a message naming the option, such as
// "linkotel: Instrument: WithTracerProvider(nil): the TracerProvider must not be nil". A nil
// Option panics too.
type Option func(*config)

type config struct {
	tp trace.TracerProvider
	mp metric.MeterProvider
}

// WithTracerProvider makes the spans with tp instead of the global TracerProvider. A nil tp
// makes Instrument panic (see [Option]).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) {
		if tp == nil {
			panic("linkotel: Instrument: WithTracerProvider(nil): the TracerProvider must not be nil")
		}
		c.tp = tp
	}
}

// WithMeterProvider records the metrics with mp instead of the global MeterProvider. A nil mp
// makes Instrument panic (see [Option]).
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) {
		if mp == nil {
			panic("linkotel: Instrument: WithMeterProvider(nil): the MeterProvider must not be nil")
		}
		c.mp = mp
	}
}

// durationBuckets are the semantic conventions' advice for http.client.request.duration.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Instrument returns a [link.Option] that traces and measures every call of the Client (or of
// the call) it is given to: see the package documentation. It panics, naming the option, if an
// option is nil or given a nil provider (see [Option]).
func Instrument(opts ...Option) link.Option {
	var cfg config
	for i, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("linkotel: Instrument: option %d of %d is nil", i+1, len(opts)))
		}
		o(&cfg)
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	in := &instrumentation{tracer: cfg.tp.Tracer(ScopeName, trace.WithInstrumentationVersion(link.Version))}
	meter := cfg.mp.Meter(ScopeName, metric.WithInstrumentationVersion(link.Version))
	var err error
	in.duration, err = meter.Float64Histogram("http.client.request.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of HTTP client requests."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		// The API still returns a working (if partial) instrument; the error goes where
		// OpenTelemetry's errors go.
		otel.Handle(err)
	}
	return link.WithOptions(link.WithCallWrapper(in.wrapCall), link.WithMiddleware(in.attempt))
}

type instrumentation struct {
	tracer   trace.Tracer
	duration metric.Float64Histogram
}

// callKey is the context key of a call's callState, which its attempts share.
type callKey struct{}

// callState is what a call's attempts tell its span: how many there were, and what the last
// reply said. It is also the context the call's attempts derive from: the call span's, which it
// embeds, with itself as the value of callKey (one allocation fewer than context.WithValue).
type callState struct {
	context.Context
	recording bool // the call span records: its attempts look up what Plaid answered
	attempts  int
	last      link.AttemptReply
}

// Value returns cs for callKey, and otherwise what the call span's context holds.
func (cs *callState) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return cs
	}
	return cs.Context.Value(key)
}

var (
	rpcSystem    = attribute.String("rpc.system", "plaid")
	methodPOST   = attribute.String("http.request.method", http.MethodPost)
	callSpanKind = trace.WithSpanKind(trace.SpanKindInternal)
	attemptKind  = trace.WithSpanKind(trace.SpanKindClient)
)

// wrapCall is the span of one call, around its attempts.
func (in *instrumentation) wrapCall(ctx context.Context, operation string, call func(context.Context) error) error {
	ctx, span := in.tracer.Start(ctx, operation, callSpanKind)
	cs := &callState{Context: ctx, recording: span.IsRecording()}
	err := call(cs)
	if span.IsRecording() {
		attrs := []attribute.KeyValue{rpcSystem, attribute.String("rpc.method", operation)}
		reply := cs.last
		var perr *link.Error
		if errors.As(err, &perr) {
			// The Client's *Error is masked like the attempt's reply, and is the call's answer.
			reply = link.AttemptReply{RequestID: perr.RequestID, ErrorType: perr.ErrorType, ErrorCode: perr.ErrorCode}
		}
		attrs = appendPlaid(attrs, reply)
		if err != nil {
			class := errorClass(err)
			attrs = append(attrs, attribute.String("error.type", class))
			span.SetStatus(codes.Error, class)
		}
		span.SetAttributes(attrs...)
	}
	span.End()
	return err
}

// attempt is the client span and the duration of one attempt.
func (in *instrumentation) attempt(req *http.Request, next link.MiddlewareNext) (*http.Response, error) {
	ctx := req.Context()
	cs, _ := ctx.Value(callKey{}).(*callState)
	resend := 0
	if cs != nil {
		resend = cs.attempts
		cs.attempts++
	}
	ctx, span := in.tracer.Start(ctx, http.MethodPost, attemptKind)
	measure, recording := in.duration.Enabled(ctx), span.IsRecording()
	var start time.Time
	if measure {
		start = time.Now()
	}
	resp, err := next(req)

	var reply link.AttemptReply
	errType := ""
	if err != nil {
		errType = errorClass(err)
	} else {
		if resp.StatusCode >= 400 {
			errType = strconv.Itoa(resp.StatusCode)
		}
		if recording || cs != nil && cs.recording {
			reply, _ = link.AttemptReplyOf(resp)
			if cs != nil {
				cs.last = reply
			}
		}
	}
	if measure || recording {
		// The endpoint the Client was configured with, never a redirect's target, which a server
		// chose and which may carry anything.
		u := firstRequest(req).URL
		attrs := make([]attribute.KeyValue, 0, 10)
		attrs = append(attrs, methodPOST, attribute.String("server.address", u.Hostname()), attribute.Int("server.port", portOf(u)))
		if err == nil {
			attrs = append(attrs, attribute.Int("http.response.status_code", resp.StatusCode))
		}
		if errType != "" {
			attrs = append(attrs, attribute.String("error.type", errType))
		}
		if measure {
			in.duration.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(attrs...))
		}
		if recording {
			attrs = append(attrs, attribute.String("url.full", (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()))
			if resend > 0 {
				attrs = append(attrs, attribute.Int("http.request.resend_count", resend))
			}
			span.SetAttributes(appendPlaid(attrs, reply)...)
			if errType != "" {
				span.SetStatus(codes.Error, errType)
			}
		}
	}
	span.End()
	return resp, err
}

// appendPlaid adds what Plaid's answer said, as far as it said it.
func appendPlaid(attrs []attribute.KeyValue, r link.AttemptReply) []attribute.KeyValue {
	if r.RequestID != "" {
		attrs = append(attrs, attribute.String("plaid.request_id", r.RequestID))
	}
	if r.ErrorType != "" {
		attrs = append(attrs, attribute.String("plaid.error_type", string(r.ErrorType)))
	}
	if r.ErrorCode != "" {
		attrs = append(attrs, attribute.String("plaid.error_code", string(r.ErrorCode)))
	}
	return attrs
}

// firstRequest is the request an attempt began with: a redirect's hop points back at it.
func firstRequest(req *http.Request) *http.Request {
	for req.Response != nil && req.Response.Request != nil {
		req = req.Response.Request
	}
	return req
}

func portOf(u *url.URL) int {
	if p, err := strconv.Atoi(u.Port()); err == nil {
		return p
	}
	if u.Scheme == "http" {
		return 80
	}
	return 443
}

// errorClass names the kind of a failure for error.type and a span's status, in words of its
// own: never the error's message, which may quote a reply's body.
func errorClass(err error) string {
	var (
		perr *link.Error
		nerr net.Error
	)
	switch {
	case errors.Is(err, link.ErrOutcomeUnknown):
		return "outcome_unknown"
	case errors.As(err, &perr):
		if perr.ErrorType != "" || perr.ErrorCode != "" {
			return string(perr.ErrorType) + " " + string(perr.ErrorCode)
		}
		return strconv.Itoa(perr.HTTPStatus)
	case errors.Is(err, link.ErrAttemptTimeout):
		return "attempt_timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline_exceeded"
	case errors.Is(err, link.ErrCrossOriginRedirect):
		return "cross_origin_redirect"
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	}
	var ve *link.ValidationError
	if errors.As(err, &ve) {
		return "validation"
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return "network_" + oe.Op
	}
	return "_OTHER"
}
