package webhook

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// HeaderName is the HTTP header Plaid puts the signed JWT in.
const HeaderName = "Plaid-Verification"

// DefaultMaxBodySize is the largest body [NewHandler] reads unless told otherwise. LINK webhooks
// are a few kilobytes; EVENTS for a long session stays far below this.
const DefaultMaxBodySize = 1 << 20

// Failures of the handler itself, beside the verification failures of [Verifier.Verify] and
// [ErrInvalidPayload]; [Outcome.Reason] is one of them. [NewHandler] says where the status each
// gets is listed.
var (
	// ErrMethodNotAllowed is the reason when the request was not a POST.
	ErrMethodNotAllowed = errors.New("webhook: method not allowed")
	// ErrBodyTooLarge is the reason when the body is larger than the limit ([WithMaxBodySize]).
	ErrBodyTooLarge = errors.New("webhook: body too large")
	// ErrBodyIncomplete is the reason when the body could not be read as announced: it was shorter
	// or longer than its Content-Length, or the connection failed while reading it.
	ErrBodyIncomplete = errors.New("webhook: body not received as announced")
	// ErrFuncFailed is the reason when fn returned an error (other than one wrapping
	// [ErrPermanent]). It stands in for fn's error, which may carry data from the body.
	ErrFuncFailed = errors.New("webhook: handler function returned an error")
	// ErrFuncPanicked is the reason when fn panicked. The panic is recovered, and its value, which
	// may carry data from the body, is not reported anywhere.
	ErrFuncPanicked = errors.New("webhook: handler function panicked")
)

// HandlerOption configures the http.Handler of [NewHandler].
//
// Options follow one rule: a value an option cannot use is never silently replaced by the default
// or ignored. NewHandler returns no error, so it panics with a message naming the option and the
// value, such as "webhook: NewHandler: WithMaxBodySize(0): the limit must be positive". A nil
// HandlerOption panics too, as does a bad [DedupeOption] given to [WithDeduper].
type HandlerOption func(*handlerConfig)

// handlerConfig is what options write to: the handler, and the first option it refuses.
type handlerConfig struct {
	handler
	// bad is the first option given a value it cannot use; NewHandler panics with it.
	bad string
}

// refuse records that an option was given a value it cannot use; the first one wins.
func (c *handlerConfig) refuse(format string, args ...any) {
	if c.bad == "" {
		c.bad = fmt.Sprintf(format, args...)
	}
}

// WithMaxBodySize sets the largest body the handler reads (default [DefaultMaxBodySize]); larger
// bodies get 413 before being read in full. An n of zero or less makes NewHandler panic (see
// [HandlerOption]).
func WithMaxBodySize(n int64) HandlerOption {
	return func(c *handlerConfig) {
		if n <= 0 {
			c.refuse("WithMaxBodySize(%d): the limit must be positive", n)
			return
		}
		c.maxBody = n
	}
}

type handler struct {
	v         *Verifier
	fn        func(context.Context, Event) error
	maxBody   int64
	observers []func(context.Context, Outcome)
	hooks     []RequestHook
	dedupe    *dedupeConfig // nil without WithDeduper
}

// NewHandler returns an http.Handler that receives Plaid webhooks. It verifies the
// Plaid-Verification header with v completely before it reads any of the body, then reads the
// body (up to a limit) while hashing it, checks it against the header, parses it, and calls fn
// with the result. A nil fn acknowledges every verified webhook.
//
// Its status codes follow Plaid's delivery policy, as the package documentation explains: 200
// only for a webhook dealt with, a 5xx for every failure on this side, a 4xx for requests Plaid
// does not send. The status for each [Outcome.Reason] is the README's table, the one list of
// them: https://github.com/plaidlink/plaidlink-go#what-plaid-does-and-what-the-handler-answers.
// The 503 answers go out at once or within the fetch timeout (3 s by default, [WithFetchTimeout])
// or the deduper's ([WithDedupeTimeout]), inside the 10 s Plaid waits.
//
// A request whose header is not authentic costs no body read, whatever Content-Length it claims.
// Serve the handler from an http.Server with ReadHeaderTimeout, ReadTimeout, WriteTimeout and
// IdleTimeout set, so that slow clients cannot hold connections either.
//
// NewHandler panics, naming the option and the value, if an option is given a value it cannot use
// (see [HandlerOption]).
func NewHandler(v *Verifier, fn func(context.Context, Event) error, opts ...HandlerOption) http.Handler {
	cfg := handlerConfig{handler: handler{v: v, fn: fn, maxBody: DefaultMaxBodySize}}
	for i, o := range opts {
		if o == nil {
			cfg.refuse("option %d of %d is nil", i+1, len(opts))
			continue
		}
		o(&cfg)
	}
	if cfg.bad != "" {
		panic("webhook: NewHandler: " + cfg.bad)
	}
	h := cfg.handler
	return &h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var ends []func(Outcome) // nil, and no allocation, without hooks
	for _, hook := range h.hooks {
		ctx, end := hook(r)
		if ctx != nil {
			r = r.WithContext(ctx)
		}
		if end != nil {
			ends = append(ends, end)
		}
	}
	o := Outcome{Method: r.Method}
	h.serve(w, r, &o)
	if len(h.observers) == 0 && len(ends) == 0 {
		return
	}
	// net/http buffers the answer until the handler returns; it is sent now, so that observers,
	// which may log or count over the network, cannot delay it past Plaid's 10 s.
	_ = http.NewResponseController(w).Flush()
	o.Duration = time.Since(start)
	// The hooks wrap the request as middleware would: the last one's end runs first.
	for i := len(ends) - 1; i >= 0; i-- {
		ends[i](o)
	}
	for _, observe := range h.observers {
		observe(r.Context(), o)
	}
}

// serve answers the request and records what it did in o.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, o *Outcome) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		answer(w, o, ErrMethodNotAllowed)
		return
	}
	if r.ContentLength > h.maxBody {
		answer(w, o, ErrBodyTooLarge)
		return
	}
	ctx := r.Context()
	// The header is checked completely before any of the body is read, so that a forged or
	// replayed-too-late request costs no body buffer, whatever Content-Length it announces.
	var c Claims
	err := h.v.verifyHeader(ctx, r.Header.Get(HeaderName), &c)
	o.KeyID, o.KeyFetched = c.KeyID, c.keyFetched
	if err != nil {
		answer(w, o, reasonOf(err))
		return
	}
	body, sum, reason := h.readBody(w, r)
	if reason != nil {
		answer(w, o, reason)
		return
	}
	if err := c.verifySum(sum); err != nil {
		answer(w, o, ErrBodyMismatch)
		return
	}
	ev, err := parse(body, false)
	if err != nil {
		answer(w, o, ErrInvalidPayload)
		return
	}
	identify(o, ev)
	if h.fn == nil {
		answer(w, o, nil)
		return
	}

	// fnReturned tells fn's own error from the deduper's: the deduper returns fn's error as it is
	// after fn ran and failed, and its own errors only without running fn or after fn succeeded.
	var (
		fnErr      error
		fnReturned bool
		panicked   bool
	)
	skipped, err := h.runDeduped(ctx, ev, func() error {
		// The panic is recovered in here, so that the deduper sees an ordinary failure and
		// releases its claim for the redelivery.
		panicked, fnErr = h.call(ctx, ev)
		fnReturned = true
		return fnErr
	})
	switch {
	case fnReturned && fnErr != nil && panicked:
		answer(w, o, ErrFuncPanicked)
	case fnReturned && fnErr != nil && errors.Is(fnErr, ErrPermanent):
		o.Dropped = true
		answer(w, o, ErrPermanent)
	case fnReturned && fnErr != nil:
		answer(w, o, ErrFuncFailed)
	case err != nil:
		answer(w, o, dedupeReason(err))
	default:
		o.Duplicate = skipped
		answer(w, o, nil)
	}
}

// call runs fn, turning a panic into an error: a panic that reached net/http would drop the
// connection (Plaid sees no answer) and have net/http log the panic value, which may carry a token
// from the webhook.
func (h *handler) call(ctx context.Context, ev Event) (panicked bool, err error) {
	defer func() {
		if recover() != nil {
			panicked, err = true, ErrFuncPanicked
		}
	}()
	return false, h.fn(ctx, ev)
}

// dedupeReason returns the sentinel of an error of the deduper's, which may wrap the store's own
// error (and so details the observer must not see).
func dedupeReason(err error) error {
	if errors.Is(err, ErrInFlight) {
		return ErrInFlight
	}
	return ErrDedupeUnavailable
}

// statusOf is the handler's answer to each reason it does not process a webhook for, following
// Plaid's delivery policy (see NewHandler): 200 only for a webhook retrying can never help; 500 for
// failures on this side that need fixing, which Plaid's redeliveries then bridge; 503 for those
// that may pass by themselves (the key cannot be fetched now, the key-fetch rate limit, the
// deduper), none of them remembered, so the redelivery tries again; 4xx for requests Plaid does
// not send. Every other reason is a verification failure, answered 401 (see unverified).
var statusOf = map[error]int{
	ErrPermanent: http.StatusOK,

	ErrFuncFailed:            http.StatusInternalServerError,
	ErrFuncPanicked:          http.StatusInternalServerError,
	ErrNoVerifier:            http.StatusInternalServerError,
	ErrKeyFetchMisconfigured: http.StatusInternalServerError,

	ErrKeyUnavailable:    http.StatusServiceUnavailable,
	ErrKeyRateLimited:    http.StatusServiceUnavailable,
	ErrInFlight:          http.StatusServiceUnavailable,
	ErrDedupeUnavailable: http.StatusServiceUnavailable,

	ErrBodyIncomplete:   http.StatusBadRequest,
	ErrInvalidPayload:   http.StatusBadRequest,
	ErrBodyTooLarge:     http.StatusRequestEntityTooLarge,
	ErrMethodNotAllowed: http.StatusMethodNotAllowed,
}

// unverified is the status for every reason statusOf does not list: the verification failures
// that say something about the webhook, not about this server.
const unverified = http.StatusUnauthorized

// statusFor returns the handler's status for reason, an [Outcome.Reason] or nil.
func statusFor(reason error) int {
	if reason == nil {
		return http.StatusOK
	}
	if status, ok := statusOf[reason]; ok {
		return status
	}
	return unverified
}

// firstRead is the most memory a body is given before its bytes arrive: a client may announce a
// megabyte in Content-Length and send one byte, and must not cost a megabyte for it.
const firstRead = 64 << 10

// readBody reads the whole body into one buffer, hashing it on the way, and returns it with its
// SHA-256. With a Content-Length, the buffer is sized by it up to firstRead, and takes the
// announced size only once that much has arrived. It grows in that one step, which discards
// firstRead bytes: doubling would discard about as much again as the body, over the handler's
// heap budget of three times the body (TestHandlerHeapPerRequest). It returns the reason on
// failure.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) (body []byte, sum [sha256.Size]byte, reason error) {
	limited := http.MaxBytesReader(w, r.Body, h.maxBody)
	defer limited.Close()
	hash := sha256.New()
	rd := io.TeeReader(limited, hash)
	if r.ContentLength >= 0 {
		// One extra byte detects a body longer than it claimed.
		want := r.ContentLength + 1
		buf := make([]byte, min(want, firstRead+1))
		n, err := io.ReadFull(rd, buf)
		if err == nil && int64(n) < want {
			grown := make([]byte, want)
			copy(grown, buf)
			buf = grown
			var m int
			m, err = io.ReadFull(rd, buf[n:])
			n += m
		}
		switch {
		case err == nil:
			return nil, sum, ErrBodyIncomplete
		case int64(n) == r.ContentLength && (errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)):
			body = buf[:n:n]
		default:
			return nil, sum, readReason(err)
		}
	} else {
		var err error
		if body, err = io.ReadAll(rd); err != nil {
			return nil, sum, readReason(err)
		}
	}
	hash.Sum(sum[:0])
	return body, sum, nil
}

// readReason returns the reason for a body read error: the size limit, or a body not received
// as announced.
func readReason(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return ErrBodyTooLarge
	}
	return ErrBodyIncomplete
}

// answer writes the status statusFor gives reason (200 for nil), and records both in o. A 200 has
// an empty body and the rest their standard text; the Content-Length lets the answer be flushed
// complete, without chunked encoding.
func answer(w http.ResponseWriter, o *Outcome, reason error) {
	o.Status, o.Reason = statusFor(reason), reason
	if o.Status == http.StatusOK {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	text := strconv.Itoa(o.Status) + " " + http.StatusText(o.Status) + "\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(text)))
	w.WriteHeader(o.Status)
	_, _ = io.WriteString(w, text)
}
