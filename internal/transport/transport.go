// Package transport is the one HTTP layer behind every link.Client method: it encodes a request
// as JSON, POSTs it with Plaid's auth headers, retries what is safe to retry for the kind of call
// it is, logs without secrets, and decodes either the response or, through a caller-supplied
// decoder, an API error.
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"time"
)

// Defaults used when a Config field is left zero.
const (
	DefaultBackoffMin    = 500 * time.Millisecond
	DefaultBackoffMax    = 8 * time.Second
	DefaultRetryAfterMax = 30 * time.Second
	DefaultMaxBodyBytes  = 10 << 20 // a success body larger than this is refused
	DefaultMaxErrorBytes = 64 << 10 // at most this much of an error body is read
)

// APIError is what an ErrorDecoder makes of a non-2xx reply: the error to hand back, and what
// the retry rule needs to know about it.
type APIError struct {
	Err       error
	RequestID string // masked
	// Plaid is true when the body was a Plaid error; Type and Code are then its error_type and
	// error_code.
	Plaid      bool
	Type, Code string
}

// ErrorDecoder turns a non-2xx reply into the caller's error. body holds at most
// Config.MaxErrorBytes bytes; headerRequestID is the request id from the response headers, if
// any, already masked; r is the Client's Redactor, for the decoder to mask what it keeps of body.
type ErrorDecoder func(status int, body []byte, headerRequestID string, r *Redactor) APIError

// Config configures a Client. BaseURL, ClientID, Secret and DecodeError are required; every
// other zero field but the waits takes its default.
type Config struct {
	BaseURL      string // scheme://host[/prefix], without a trailing slash; paths are appended
	ClientID     string
	Secret       string
	PlaidVersion string
	UserAgent    string

	// HTTPClient is used as a template: the Client copies it and wraps its CheckRedirect in the
	// copy, so the caller's value is never changed while its Transport (and its connection pool)
	// is shared. Its Timeout is ignored: Timeout below bounds each attempt.
	HTTPClient *http.Client
	MaxRetries int
	Timeout    time.Duration // per attempt; 0 means none
	Logger     *slog.Logger  // nil logs nothing

	// BackoffMin and BackoffMax bound the wait between attempts (see Backoff), and RetryAfterMax
	// caps a Retry-After, each taken as given: zero waits not at all. Link passes the Default
	// values unless told otherwise.
	BackoffMin    time.Duration
	BackoffMax    time.Duration
	RetryAfterMax time.Duration
	MaxBodyBytes  int64
	MaxErrorBytes int64

	DecodeError ErrorDecoder
}

// Client sends Plaid API calls. It is safe for concurrent use.
type Client struct {
	cfg    Config
	url    string
	hc     *http.Client
	pool   http.RoundTripper // the pool made by New when no HTTPClient was given; shared by Reconfigure
	watch  *watchdog         // nil: attempts are not bounded
	logger *slog.Logger
	redact *Redactor

	backoffMin, backoffMax, retryAfterMax time.Duration
	maxBody, maxErrorBody                 int64

	// Header values are built once and shared by every request: the transport only reads them.
	hClientID, hSecret, hVersion, hUserAgent []string
}

// Canonical header keys, so requests can be filled by map assignment without re-canonicalizing.
var (
	keyClientID    = textproto.CanonicalMIMEHeaderKey("PLAID-CLIENT-ID")
	keySecret      = textproto.CanonicalMIMEHeaderKey("PLAID-SECRET")
	keyVersion     = textproto.CanonicalMIMEHeaderKey("Plaid-Version")
	keyUserAgent   = textproto.CanonicalMIMEHeaderKey("User-Agent")
	keyContentType = textproto.CanonicalMIMEHeaderKey("Content-Type")
	jsonType       = []string{"application/json"}
)

// New returns a Client for cfg. The caller (link.NewClient) has already validated user input;
// New only refuses a Config that could not work at all.
func New(cfg Config) (*Client, error) {
	return newClient(cfg, nil, nil)
}

// Reconfigure returns a Client for cfg that shares c's connection pool when cfg has no
// HTTPClient of its own: a call with per-call options must not open new connections. Empty
// credentials in cfg are c's.
func (c *Client) Reconfigure(cfg Config) (*Client, error) {
	redact := c.redact
	if cfg.ClientID == "" && cfg.Secret == "" {
		cfg.ClientID, cfg.Secret = c.cfg.ClientID, c.cfg.Secret
	} else if cfg.ClientID != c.cfg.ClientID || cfg.Secret != c.cfg.Secret {
		redact = nil
	}
	n, err := newClient(cfg, c.pool, redact)
	if err == nil && c.watch != nil && cfg.Timeout == c.cfg.Timeout {
		n.watch = c.watch // one watchdog goroutine per Client, not per call
	}
	return n, err
}

// newClient builds a Client for cfg on pool and redact, each made afresh when nil.
func newClient(cfg Config, pool http.RoundTripper, redact *Redactor) (*Client, error) {
	switch {
	case cfg.BaseURL == "":
		return nil, errors.New("transport: BaseURL is required")
	case cfg.ClientID == "" || cfg.Secret == "":
		return nil, errors.New("transport: ClientID and Secret are required")
	case cfg.DecodeError == nil:
		return nil, errors.New("transport: DecodeError is required")
	case cfg.MaxRetries < 0 || cfg.Timeout < 0:
		return nil, errors.New("transport: MaxRetries and Timeout must not be negative")
	}
	c := &Client{
		cfg:           cfg,
		url:           cfg.BaseURL,
		logger:        cfg.Logger,
		redact:        redact,
		backoffMin:    cfg.BackoffMin,
		backoffMax:    cfg.BackoffMax,
		retryAfterMax: cfg.RetryAfterMax,
		maxBody:       orDefault(cfg.MaxBodyBytes, DefaultMaxBodyBytes),
		maxErrorBody:  orDefault(cfg.MaxErrorBytes, DefaultMaxErrorBytes),
		hClientID:     []string{cfg.ClientID},
		hSecret:       []string{cfg.Secret},
		hVersion:      []string{cfg.PlaidVersion},
		hUserAgent:    []string{cfg.UserAgent},
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.redact == nil {
		c.redact = NewRedactor(cfg.Secret, cfg.ClientID)
	}
	if cfg.Timeout > 0 {
		c.watch = newWatchdog(cfg.Timeout)
	}

	var hc http.Client
	if cfg.HTTPClient != nil {
		hc = *cfg.HTTPClient
	} else {
		if pool == nil {
			pool = defaultTransport()
		}
		c.pool = pool
		hc.Transport = pool
	}
	// The attempt timeout is the watchdog's (see why there), so the copy has none of its own.
	hc.Timeout = 0
	hc.CheckRedirect = redirectPolicy(hc.CheckRedirect)
	c.hc = &hc
	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// defaultTransport is a private copy of http.DefaultTransport that keeps more idle connections
// to the one host this client talks to (the default of 2 would churn under concurrency).
func defaultTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		// Someone (a test mock, a tracing wrapper) replaced the default: respect it.
		return http.DefaultTransport
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = 32
	return t
}

// CloseIdleConnections closes the idle connections of the Client's pool: its own, or the
// Transport of the http.Client it was given.
func (c *Client) CloseIdleConnections() {
	c.hc.CloseIdleConnections()
}

// Class says what sending a call twice may do, and so when it may be retried.
type Class uint8

const (
	// Repeatable calls (reads, and writes whose repeat does no harm) are retried on connection
	// errors and on the replies RetryableReply accepts.
	Repeatable Class = iota
	// SingleUse calls (a public token exchange) are retried only when the request provably did
	// not reach the server, or the server said it did nothing; any other failure is reported at
	// once as an *OutcomeUnknownError.
	SingleUse
)

// Info is what a call received, for a caller who asked to see it. Every value that came from the
// server is masked, except Body, which is the caller's own data exactly as received.
type Info struct {
	StatusCode int
	Header     http.Header
	RequestID  string
	Attempts   int
	Body       []byte
}

// Call describes one call.
type Call struct {
	Path  string
	Class Class
	// ForceRetries retries a SingleUse call as if it were Repeatable; a failure after an
	// ambiguous attempt is still reported as an *OutcomeUnknownError.
	ForceRetries bool
	// MaxRetries overrides the Client's when not negative.
	MaxRetries int
	// RequestID, if not nil, points at the response's request_id field: it is read after
	// decoding, for the log line and Info.
	RequestID *string
	// Info, if not nil, is filled with what the last attempt received.
	Info *Info
	// Header holds extra headers set on every attempt's request, before the SDK's own (which
	// therefore cannot be overridden). Its slices are shared by every request: only read them.
	Header []HeaderValue
	// Middleware runs around every attempt, the first outermost.
	Middleware []Middleware
}

// HeaderValue is one extra request header: Key in canonical form and its values.
type HeaderValue struct {
	Key    string
	Values []string
}

// Next sends a request on, to the next Middleware or the network.
type Next = func(*http.Request) (*http.Response, error)

// Middleware sees every attempt's request before it is sent, and its reply or error after;
// it calls next to send the request on.
type Middleware = func(req *http.Request, next Next) (*http.Response, error)

// chain runs mws around send, for one attempt. It is allocated only when there is middleware.
type chain struct {
	mws  []Middleware
	send Next
}

func (ch *chain) next(req *http.Request) (*http.Response, error) {
	if len(ch.mws) == 0 {
		return ch.send(req)
	}
	mw := ch.mws[0]
	ch.mws = ch.mws[1:]
	return mw(req, ch.next)
}

// Do sends in as JSON to call.Path and decodes a 2xx reply into out. A non-2xx reply becomes the
// error returned by Config.DecodeError, wrapped in an *ExhaustedError when retries ran out, or in
// an *OutcomeUnknownError when a SingleUse call may have been carried out.
func (c *Client) Do(ctx context.Context, call *Call, in, out any) error {
	if ctx == nil {
		return errors.New("nil Context")
	}
	start := time.Now()
	body, err := json.Marshal(in)
	if err != nil {
		// encoding/json errors name types and, for bad floats, the value; never a token.
		return fmt.Errorf("encoding request: %w", err)
	}
	maxRetries := c.cfg.MaxRetries
	if call.MaxRetries >= 0 {
		maxRetries = call.MaxRetries
	}
	logging := c.logger.Enabled(ctx, slog.LevelDebug)
	singleUse := call.Class == SingleUse

	ambiguous := false // an earlier attempt may have been carried out
	for attempt := 1; ; attempt++ {
		attemptStart := time.Now()
		r := c.attempt(ctx, call, body, out, logging || call.Info != nil)
		if call.Info != nil {
			c.fillInfo(call.Info, &r, attempt)
		}
		if r.err == nil {
			c.logDone(ctx, logging, call.Path, r.status, attempt, start, r.requestID, nil)
			return nil
		}

		retry, thisAmbiguous := c.judge(&r, singleUse, call.ForceRetries)
		err := r.err
		switch {
		case ctx.Err() != nil:
			retry = false
		case retry && attempt > maxRetries:
			retry = false
			if attempt > 1 {
				err = &ExhaustedError{Attempts: attempt, Last: err}
			}
		}
		ambiguous = ambiguous || thisAmbiguous
		if !retry {
			if singleUse && ambiguous {
				// The OutcomeUnknownError names the attempts itself: its cause is the last one's
				// error, not an ExhaustedError saying so again.
				err = &OutcomeUnknownError{Attempts: attempt, Cause: r.err}
			}
			c.logDone(ctx, logging, call.Path, r.status, attempt, start, r.requestID, err)
			return err
		}

		wait := c.backoff(c.backoffMin, c.backoffMax, attempt-1, r.header)
		if logging {
			c.logRetryable(ctx, call.Path, attempt, attemptStart, &r, wait)
		}
		if err := Sleep(ctx, wait); err != nil {
			err = fmt.Errorf("waiting to retry after attempt %d: %w", attempt, err)
			if singleUse && ambiguous {
				err = &OutcomeUnknownError{Attempts: attempt, Cause: err}
			}
			c.logDone(ctx, logging, call.Path, r.status, attempt, start, r.requestID, err)
			return err
		}
	}
}

// Sleep waits for d or until ctx ends, whichever is first, and returns ctx's error if it ended.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// result is what one attempt came to.
type result struct {
	status    int         // 0: no reply
	header    http.Header // the reply's headers, unmasked: read only for Retry-After and Info
	requestID string      // masked
	raw       []byte      // the body, when asked for or for an error reply
	api       *APIError   // set for a non-2xx reply
	err       error
	// reached is false only when the request provably never reached the server.
	reached bool
	// decodeFailed: a 2xx reply whose body could not be decoded.
	decodeFailed bool
	// cutOff: that body broke off in transit rather than arriving malformed.
	cutOff bool
}

func (c *Client) attempt(ctx context.Context, call *Call, body []byte, out any, wantID bool) (r result) {
	actx := ctx
	var tr *attemptTrace
	if call.Class == SingleUse {
		// Only for single-use calls: tracing costs allocations every other call can skip.
		tr = new(attemptTrace)
		actx = httptrace.WithClientTrace(actx, tr.hooks())
	}
	var cancel context.CancelCauseFunc
	if c.watch != nil {
		actx, cancel = context.WithCancelCause(actx)
		id := c.watch.add(cancel)
		defer c.watch.done(id, cancel)
	}

	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.url+call.Path, bytes.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	h := req.Header
	for _, kv := range call.Header {
		h[kv.Key] = kv.Values
	}
	h[keyClientID] = c.hClientID
	h[keySecret] = c.hSecret
	h[keyVersion] = c.hVersion
	h[keyUserAgent] = c.hUserAgent
	// No Accept header: Plaid answers JSON whatever it says, and one more header to write and
	// parse measured about 3% of a loopback round trip.
	h[keyContentType] = jsonType

	var resp *http.Response
	if len(call.Middleware) == 0 {
		resp, err = c.hc.Do(req)
	} else {
		ch := &chain{mws: call.Middleware, send: c.hc.Do}
		resp, err = ch.next(req)
		if err == nil && resp == nil {
			err = errors.New("middleware returned neither a response nor an error")
		}
	}
	if err != nil {
		if resp != nil && resp.Body != nil && len(call.Middleware) > 0 {
			_ = resp.Body.Close() // a middleware's reply beside an error is not read
		}
		// With a CheckRedirect error, resp is the previous reply with its body already closed.
		r = result{err: c.attemptError(ctx, actx, err), reached: tr.mayHaveReached(err)}
		return r
	}
	r = c.readResponse(resp, out, call, wantID)
	if r.err != nil && r.api == nil {
		r.err = c.attemptError(ctx, actx, r.err)
	}
	return r
}

// attemptError tells an attempt cut short by the per-attempt timeout from one the caller's
// context ended: only the latter may read as context.DeadlineExceeded.
func (c *Client) attemptError(ctx, actx context.Context, err error) error {
	if ctx.Err() == nil && c.watch != nil && errors.Is(context.Cause(actx), ErrAttemptTimeout) {
		return &attemptTimeoutError{timeout: c.watch.timeout}
	}
	return err
}

// readResponse decodes resp into out (2xx) or an error (anything else), then drains and closes
// the body so the connection goes back to the pool. wantID asks for the request id even on success.
func (c *Client) readResponse(resp *http.Response, out any, call *Call, wantID bool) result {
	r := result{status: resp.StatusCode, header: resp.Header, reached: true}
	lr := &limitedReader{r: resp.Body, n: c.maxBody}
	defer drainAndClose(lr, resp.Body)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		lr.n = c.maxErrorBody
		b, err := io.ReadAll(lr)
		r.raw = b // what arrived, as it arrived
		if err != nil && !errors.Is(err, errTooLarge) {
			// The status is known even if the body broke off: report what arrived.
			b = append(b[:len(b):len(b)], "...(body read failed)"...)
		}
		hdrID := c.redact.Redact(headerRequestID(resp.Header))
		api := c.cfg.DecodeError(resp.StatusCode, b, hdrID, c.redact)
		r.api, r.err, r.requestID = &api, api.Err, orDefault(api.RequestID, hdrID)
		return r
	}

	var err error
	if call.Info != nil {
		// The caller wants the exact bytes: read them first, then decode the copy.
		r.raw, err = io.ReadAll(lr)
		if err == nil {
			err = decodeWhole(&limitedReader{r: bytes.NewReader(r.raw), n: c.maxBody}, out)
		}
	} else {
		// A copy of the body, kept only on failure, lets the error name the field that failed.
		rec := recPool.Get().(*bytes.Buffer)
		lr.rec = rec
		err = decodeWhole(lr, out)
		lr.rec = nil
		if err != nil {
			r.raw = bytes.Clone(rec.Bytes())
		}
		if rec.Cap() <= maxPooledRec {
			rec.Reset()
			recPool.Put(rec)
		}
	}
	if wantID || err != nil {
		if call.RequestID != nil {
			r.requestID = *call.RequestID
		}
		if r.requestID == "" {
			r.requestID = headerRequestID(resp.Header)
		}
		r.requestID = c.redact.Redact(r.requestID)
	}
	if err != nil {
		r.decodeFailed = true
		r.cutOff = lr.readErr != nil
		r.err = c.describeDecodeError(resp.StatusCode, err, r.raw, out)
		if resp.Request != nil && resp.Request.Context().Err() != nil && !errors.Is(err, context.Canceled) &&
			!errors.Is(err, context.DeadlineExceeded) {
			// The body read broke off because the call's context (or the attempt's timeout)
			// ended; the read error itself may not say so.
			r.err = fmt.Errorf("reading HTTP %d response: %w", resp.StatusCode, context.Cause(resp.Request.Context()))
		}
	}
	return r
}

// decodeWhole decodes one JSON object from lr into out and checks nothing but whitespace follows.
func decodeWhole(lr *limitedReader, out any) error {
	dec := json.NewDecoder(lr)
	err := dec.Decode(out)
	if err == nil {
		err = checkWholeObject(dec, lr)
	}
	return err
}

// describeDecodeError says why a 2xx body could not be decoded, naming the field but never
// quoting a value from the body: a server (or a proxy) may have put a credential there.
func (c *Client) describeDecodeError(status int, err error, raw []byte, out any) error {
	switch {
	case errors.Is(err, errTooLarge):
		return fmt.Errorf("HTTP %d response body exceeds %d bytes: %w", status, c.maxBody, errTooLarge)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("HTTP %d response has an empty body, want JSON", status)
	case errors.Is(err, errNotObject), errors.Is(err, errTrailingData):
		return fmt.Errorf("decoding HTTP %d response: %w", status, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("reading HTTP %d response: %w", status, err)
	case isSyntaxError(err):
		var se *json.SyntaxError
		errors.As(err, &se)
		return fmt.Errorf("decoding HTTP %d response: invalid JSON at byte %d", status, se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("decoding HTTP %d response: invalid JSON: the body ends inside a value", status)
	}
	return fmt.Errorf("decoding HTTP %d response: %s", status, c.redact.Redact(describeFieldError(err, raw, out)))
}

// Errors for a 2xx body that decoded but is not exactly one JSON object.
var (
	errNotObject    = errors.New("body is not a JSON object")
	errTrailingData = errors.New("body has data after its JSON object")
)

// checkWholeObject refuses a body that decoded without error but is not one JSON object: a
// literal null (which decodes into a struct as "nothing", leaving a zero response that looks like
// success), or an object followed by anything but whitespace (a proxy's page appended to a
// reply, or two replies run together). It costs no allocation on a good body: the first byte was
// noted by lr as it passed, and reading one more token at the end of the input only finds io.EOF.
func checkWholeObject(dec *json.Decoder, lr *limitedReader) error {
	if lr.first != '{' {
		return errNotObject
	}
	switch _, err := dec.Token(); {
	case err == io.EOF:
		return nil
	case err == nil, isSyntaxError(err):
		return errTrailingData
	default:
		return err // a read error or errTooLarge, reported as such
	}
}

func isSyntaxError(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// headerRequestID reads the request id some gateways put in a header, for replies whose body has
// none (an HTML error page, an empty body). The caller masks it.
func headerRequestID(h http.Header) string {
	if v := h.Get("X-Request-Id"); v != "" {
		return v
	}
	return h.Get("Plaid-Request-Id")
}

// fillInfo records what attempt number attempt received.
func (c *Client) fillInfo(info *Info, r *result, attempt int) {
	*info = Info{StatusCode: r.status, RequestID: r.requestID, Attempts: attempt, Body: r.raw}
	if r.header != nil {
		info.Header = c.maskHeader(r.header)
	}
}

// credentialHeaders are masked whole in Info.Header, whatever their value.
var credentialHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
	keyClientID: true, keySecret: true,
}

// maskHeader returns a copy of h with credentials and token identifiers masked in every value.
func (c *Client) maskHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		mk := c.redact.Redact(k)
		masked := make([]string, len(vs))
		for i, v := range vs {
			if credentialHeaders[k] {
				masked[i] = mask
			} else {
				masked[i] = c.redact.Redact(v)
			}
		}
		out[mk] = append(out[mk], masked...)
	}
	return out
}
