package link

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"slices"
	"time"

	"github.com/plaidlink/plaidlink-go/internal/transport"
)

// reservedHeaders are the headers the Client sets itself, which [WithHeader] refuses: the
// credentials, the API version the response types mirror, the body's type, and the User-Agent,
// which [WithUserAgent] sets.
var reservedHeaders = map[string]string{
	"Plaid-Client-Id": "it carries the client ID given to NewClient",
	"Plaid-Secret":    "it carries the secret given to NewClient",
	"Plaid-Version":   "use WithPlaidVersion",
	"Content-Type":    "every request is JSON",
	"User-Agent":      "use WithUserAgent",
	"Content-Length":  "net/http sets it",
	"Host":            "use WithBaseURL",
}

// WithHeader sets the request header key to value on every attempt of a call, for a gateway or
// a proxy that wants one. Given again for the same key (in any case), the last value wins; a
// per-call WithHeader overrides the Client's for that call. It refuses the headers the Client
// sets itself: PLAID-CLIENT-ID and PLAID-SECRET (the credentials), Plaid-Version (use
// [WithPlaidVersion]), Content-Type, User-Agent (use [WithUserAgent]), Content-Length and Host.
func WithHeader(key, value string) Option {
	return func(c *config) error {
		// The value stays out of every message: it may be a credential of the caller's.
		if !validHeaderName(key) {
			return fmt.Errorf("WithHeader(%q, ...): not a valid header name", key)
		}
		ck := textproto.CanonicalMIMEHeaderKey(key)
		if why, ok := reservedHeaders[ck]; ok {
			return fmt.Errorf("WithHeader(%q, ...): %s is set by the Client and cannot be replaced (%s)", key, ck, why)
		}
		if !validHeaderValue(value) {
			return fmt.Errorf("WithHeader(%q, ...): the value contains characters not allowed in an HTTP header", key)
		}
		kv := transport.HeaderValue{Key: ck, Values: []string{value}}
		// Always a new slice: a per-call option must not write into the Client's.
		hs := slices.Clip(c.headers)
		if i := slices.IndexFunc(hs, func(h transport.HeaderValue) bool { return h.Key == ck }); i >= 0 {
			hs = slices.Clone(hs)
			hs[i] = kv
		} else {
			hs = append(hs, kv)
		}
		c.headers = hs
		return nil
	}
}

// validHeaderName reports whether name is an HTTP token (RFC 9110), the only thing a header name
// may be.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c < 0x7f && c > 0x20 && !isSeparator(c):
		default:
			return false
		}
	}
	return true
}

func isSeparator(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=', '{', '}':
		return true
	}
	return false
}

// MiddlewareNext sends a request on: to the next [Middleware], or, from the last one, over the
// network. It returns the reply or the error of that attempt.
type MiddlewareNext func(*http.Request) (*http.Response, error)

// Middleware runs around each attempt of a call: it sees the request before it is sent, calls
// next to send it, and sees the reply (or the error) after the Client has read it. Retries run
// outside it, so a middleware runs once per attempt and sees every request sent and every reply.
//
// The request carries the credentials (the PLAID-CLIENT-ID and PLAID-SECRET headers) and its body
// carries tokens: a middleware must never log or export either. It may add or replace headers
// with req.Header.Set (what it sets stays for the call's later attempts), but must not change a
// header's values in place, which requests share, nor read the body. The reply next returns
// has been read by the Client: its Body is empty, and [AttemptReplyOf] gives what the Client
// read of it. A middleware must return what next returned, or an error of its own.
// req.Context() is the attempt's context, below any [CallWrapper]'s.
type Middleware func(req *http.Request, next MiddlewareNext) (*http.Response, error)

// WithMiddleware runs mw around every attempt, in the order given: the first is the outermost.
// Given to [NewClient] and to a call, the Client's run first, then the call's.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		if len(mw) == 0 {
			return errors.New("WithMiddleware(): no middleware given")
		}
		ms := slices.Clip(c.middleware)
		for i, m := range mw {
			if m == nil {
				return fmt.Errorf("WithMiddleware: middleware %d of %d is nil", i+1, len(mw))
			}
			ms = append(ms, func(req *http.Request, next transport.Next) (*http.Response, error) {
				return m(req, next)
			})
		}
		c.middleware = ms
		return nil
	}
}

// AttemptReply is what the Client read of one attempt's reply: Plaid's request_id and, for a
// Plaid error, its error_type and error_code, each masked as every value from a server is.
type AttemptReply struct {
	RequestID string
	ErrorType ErrorType
	ErrorCode ErrorCode
}

// AttemptReplyOf returns what the Client read of resp, the reply a [Middleware]'s next returned,
// for instrumentation that reports Plaid's request id or error code per attempt. It reports false
// for any other response.
func AttemptReplyOf(resp *http.Response) (AttemptReply, bool) {
	r, ok := transport.ReplyOf(resp)
	return AttemptReply{RequestID: r.RequestID, ErrorType: ErrorType(r.ErrorType), ErrorCode: ErrorCode(r.ErrorCode)}, ok
}

// CallWrapper runs around one whole method call, all its attempts and the waits between them
// included, for instrumentation that sees calls rather than attempts (a span per call, a call
// counter). operation is the method's name, such as "CreateToken". The wrapper must call call
// once, with ctx or a context derived from it, and return its error (or one wrapping it): every
// attempt's request context derives from the context it passes, so a span the wrapper starts is
// the parent of whatever a [Middleware] starts for each attempt.
type CallWrapper func(ctx context.Context, operation string, call func(context.Context) error) error

// WithCallWrapper runs w around every call. Given more than once, the first is the outermost;
// given to [NewClient] and to a call, the Client's wrap the call's.
func WithCallWrapper(w CallWrapper) Option {
	return func(c *config) error {
		if w == nil {
			return errors.New("WithCallWrapper(nil): the wrapper must not be nil")
		}
		c.callWrappers = append(slices.Clip(c.callWrappers), w)
		return nil
	}
}

// WithOptions bundles opts into one Option, applied in order: for a package that configures
// several things at once, such as a middleware and a call wrapper. A bad option among opts is
// named under WithOptions, as in "WithOptions: option 2 of 2 is nil".
func WithOptions(opts ...Option) Option {
	return func(c *config) error {
		if err := c.apply(opts); err != nil {
			return fmt.Errorf("WithOptions: %w", err)
		}
		return nil
	}
}

// WithRetryBackoff sets the range of the waits between attempts: the first retry waits about
// minWait, each later one twice as long, up to maxWait, with random jitter (the defaults are
// 500ms and 8s). maxWait also caps a wait that a reply's Retry-After header asks for (by default
// capped at 30s). WithRetryBackoff(0, 0) retries at once, for tests:
//
//	client := srv.Client(link.WithMaxRetries(2), link.WithRetryBackoff(0, 0))
func WithRetryBackoff(minWait, maxWait time.Duration) Option {
	return func(c *config) error {
		if minWait < 0 || maxWait < minWait {
			return fmt.Errorf("WithRetryBackoff(%v, %v): want 0 <= min <= max", minWait, maxWait)
		}
		c.pacing.BackoffMin, c.pacing.BackoffMax, c.pacing.RetryAfterMax = minWait, maxWait, maxWait
		return nil
	}
}

// wrapCall runs do under wrappers, the first outermost. It is called only when there are
// wrappers, so the closures it makes cost nothing to calls without them.
func wrapCall(ctx context.Context, wrappers []CallWrapper, operation string, do func(context.Context) error) error {
	if len(wrappers) == 1 {
		return wrappers[0](ctx, operation, do)
	}
	w, rest := wrappers[0], wrappers[1:]
	return w(ctx, operation, func(ctx context.Context) error {
		return wrapCall(ctx, rest, operation, do)
	})
}
