package webhook

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Outcome is what the handler of [NewHandler] did with one request, as [WithObserver] reports it.
// It holds identifiers and the decision only: never the body, the JWT, or a token, so that it can
// be logged or counted as it is.
type Outcome struct {
	// Method is the request's HTTP method.
	Method string
	// Status is the HTTP status the handler answered.
	Status int
	// Reason is nil when the webhook was processed (or skipped as a duplicate), and otherwise the
	// sentinel error of this package that decided Status, to compare with ==, such as [ErrTooOld]
	// or [ErrPermanent] (with Dropped); [NewHandler] says where every reason is listed with its
	// status. It never carries the details of fn's error, which could hold data from the body.
	Reason error
	// WebhookType and WebhookCode are the body's webhook_type and webhook_code, set once the
	// webhook was verified and parsed.
	WebhookType, WebhookCode string
	// LinkSessionID is the webhook's link_session_id (see [Event]), set once the webhook was
	// verified and parsed; empty for webhooks that carry none.
	LinkSessionID string
	// ItemID is the webhook's item_id, set once the webhook was verified and parsed, for the
	// events that name the one Item they are about (every [ItemEvent]); empty for the others.
	ItemID string
	// KeyID is the kid the Plaid-Verification header names, set as soon as the header has a
	// well-formed one. It is not authenticated unless the webhook was verified: a refused request
	// shows which kid a forger (or Plaid, during a key rotation) named.
	KeyID string
	// KeyFetched reports that the key for KeyID was neither cached nor remembered as refused, so
	// the handler waited for the KeyFetcher: a fetch it started, or one under way for the same kid,
	// which concurrent requests share. It is set whether the fetch succeeded or not; a request
	// turned away by the key-fetch rate limit fetched nothing.
	KeyFetched bool
	// Duplicate reports that the deduper ([WithDeduper]) found the webhook processed already and
	// the handler answered 200 without calling fn.
	Duplicate bool
	// Dropped reports that fn returned an error wrapping [ErrPermanent]: the handler answered 200
	// so that Plaid stops delivering the webhook, but it was not processed.
	Dropped bool
	// Duration is the time from the request reaching the handler to the answer being written.
	Duration time.Duration
}

// identify records in o what the parsed webhook ev says about itself.
func identify(o *Outcome, ev Event) {
	o.WebhookType, o.WebhookCode, o.LinkSessionID = ev.Type(), ev.Code(), ev.SessionID()
	// An interface of its own, not a method of Event, so that webhook types about an Item name it
	// without every other type having to say it has none.
	if it, ok := ev.(ItemEvent); ok {
		o.ItemID = it.Item()
	}
}

// RequestHook is called by the handler of [NewHandler] as soon as a request reaches it, before
// anything of the request is read; it must not read the body. The context it returns, unless nil,
// is the request's context from then on: the Verifier's key fetch, the deduper, fn and the
// observers all get it, so a span started in it is the parent of the spans fn starts. end, unless
// nil, is called once with the [Outcome] after the answer is written and flushed, on the request's
// goroutine, before the observers ([WithObserver]). Package webhook/webhookotel is built on it.
type RequestHook func(r *http.Request) (ctx context.Context, end func(Outcome))

// WithRequestHook adds hook to the handler. Several hooks may be given: each sees the context the
// ones before it returned, and their end functions run in reverse order, innermost first, as
// middleware would unwind. A nil hook makes NewHandler panic (see [HandlerOption]).
func WithRequestHook(hook RequestHook) HandlerOption {
	return func(c *handlerConfig) {
		if hook == nil {
			c.refuse("WithRequestHook(nil): the hook must not be nil")
			return
		}
		c.hooks = append(c.hooks, hook)
	}
}

// WithObserver makes the handler call observe once for every request, after the answer is
// written and flushed to the client, with what it did. The context is the request's, as the
// hooks of [WithRequestHook] left it. Several
// observers may be given, and [WithLogger] is one; each is called in the order given, on the
// request's goroutine, so a slow observer holds the request's goroutine but not the answer. A
// client may therefore have its answer before the observers have run: a test over real HTTP
// waits for the server's handlers (httptest.Server.Close does) before reading what they
// recorded. A nil observe makes NewHandler panic (see [HandlerOption]).
func WithObserver(observe func(context.Context, Outcome)) HandlerOption {
	return func(c *handlerConfig) {
		if observe == nil {
			c.refuse("WithObserver(nil): the observer must not be nil")
			return
		}
		c.observers = append(c.observers, observe)
	}
}

// WithLogger makes the handler log every request through l, built on [WithObserver]: refused
// webhooks at Warn level (Error for a 500, which needs fixing on this side) with the status, the
// method and the sentinel reason (such as [ErrTooOld]); webhooks dropped with [ErrPermanent] at
// Warn; processed and duplicate webhooks at Debug. Each line carries the webhook's type, code,
// link_session_id, item_id and kid when known, and the duration. It never logs the body, the header, the
// error fn returned or the value fn panicked with, any of which could carry a token; log those in
// fn if you need them. A nil l makes NewHandler panic (see [HandlerOption]).
func WithLogger(l *slog.Logger) HandlerOption {
	if l == nil {
		return func(c *handlerConfig) { c.refuse("WithLogger(nil): the logger must not be nil") }
	}
	return WithObserver(func(ctx context.Context, o Outcome) {
		level, msg := slog.LevelDebug, "webhook processed"
		switch {
		case o.Dropped:
			level, msg = slog.LevelWarn, "webhook dropped"
		case o.Duplicate:
			msg = "webhook duplicate"
		case o.Status == http.StatusInternalServerError:
			level, msg = slog.LevelError, "webhook refused"
		case o.Status != http.StatusOK:
			level, msg = slog.LevelWarn, "webhook refused"
		}
		if !l.Enabled(ctx, level) {
			return
		}
		attrs := make([]slog.Attr, 0, 10)
		attrs = append(attrs, slog.Int("status", o.Status), slog.String("method", o.Method))
		if o.Reason != nil {
			attrs = append(attrs, slog.String("reason", o.Reason.Error()))
		}
		for _, a := range [...]struct{ k, v string }{
			{"type", o.WebhookType}, {"code", o.WebhookCode}, {"link_session_id", o.LinkSessionID}, {"item_id", o.ItemID}, {"kid", o.KeyID},
		} {
			if a.v != "" {
				attrs = append(attrs, slog.String(a.k, a.v))
			}
		}
		attrs = append(attrs, slog.Duration("duration", o.Duration))
		l.LogAttrs(ctx, level, msg, attrs...)
	})
}
